import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {labStatus, type LabStatus} from '../../lab/lab.js'

export default class LabStatusCmd extends BaseCommand<typeof LabStatusCmd> {
  static override summary = 'Show whether the lab is up, its profile, variants, nodes and cluster state.'

  static override description = `With --json prints the contract other tools and tests rely on:
  { "up": true|false, "profile": "pacemaker3", "variants": [...], "inventory": "/var/lib/hacheck-lab/inventory.yaml",
    "env": { "LAB_BMC_PASSWORD": "..." }, "nodes": [ { "name", "host", "roles", "state": "running|booting|off", "bmc" } ],
    "vip", "ssh": { "user", "identityFile", "knownHosts" }, "cluster": { "quorate", "dc", "online", "resources" } }
"env" is the only place the lab's BMC password is given out. Exit 0 whether or not a lab is up.

Linux and root only.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Human-readable status', command: 'sudo <%= config.bin %> <%= command.id %>'},
    {description: 'For scripts and tests', command: 'sudo <%= config.bin %> <%= command.id %> --json'},
    {
      description: 'Use the lab from a shell',
      command:
        'eval "$(sudo <%= config.bin %> <%= command.id %> --json | jq -r \'.env | to_entries[] | "export \\(.key)=\\(.value)"\')"',
    },
  ]

  public async run(): Promise<LabStatus> {
    const s = await labStatus({cluster: true})
    if (this.jsonEnabled()) return s
    if (!s.profile) {
      this.log(`No lab (${s.labDir}). Start one with: sudo hacheck lab up`)
      return s
    }
    this.log(
      `Lab ${s.up ? 'up' : `NOT up (phase ${s.phase ?? '?'})`}: profile ${s.profile}, variants ${s.variants.length ? s.variants.join(', ') : 'none (healthy)'}`,
    )
    this.log(`Inventory: ${s.inventory ?? ''}`)
    for (const n of s.nodes) {
      this.log(
        `  ${n.name.padEnd(8)} ${n.host.padEnd(14)} ${n.state.padEnd(8)} ${n.roles.join(',')}${n.bmc ? `  bmc ${n.bmc}` : ''}`,
      )
    }
    if (s.cluster) {
      const c = s.cluster
      this.log(
        `Cluster: ${c.quorate ? 'quorate' : 'NOT quorate'}, DC ${c.dc ?? 'none'}, online ${c.online.join(' ') || 'none'}${c.offline.length ? `, offline ${c.offline.join(' ')}` : ''}, stonith-enabled=${String(c.stonithEnabled ?? '?')}`,
      )
      for (const r of c.resources)
        this.log(`  ${r.id.padEnd(12)} ${r.role}${r.node ? ` on ${r.node}` : ''}${r.failed ? ' FAILED' : ''}`)
    }
    const env = Object.keys(s.env)
    if (env.length) this.log(`BMC password: hacheck lab status --json | jq -r .env.${env[0]}`)
    return s
  }
}
