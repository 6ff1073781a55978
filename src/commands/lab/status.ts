import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {labStatus, type LabStatus} from '../../lab/lab.js'
import {statusLines} from '../../lab/status-text.js'

export default class LabStatusCmd extends BaseCommand<typeof LabStatusCmd> {
  static override summary = 'Show whether the lab is up, its profile, variants, nodes and cluster state.'

  static override description = `With --json prints the contract other tools and tests rely on:
  { "up": true|false, "profile": "pacemaker3", "variants": [...], "inventory": "/var/lib/hacheck-lab/inventory.yaml",
    "env": { "LAB_BMC_PASSWORD": "..." }, "nodes": [ { "name", "host", "roles", "state": "running|booting|off", "bmc" } ],
    "vip", "ssh": { "user", "identityFile", "knownHosts" }, "cluster": { "quorate", "dc", "online", "resources" } }
"labDir" is where the lab's files are: the directory the state file records, unless that one is gone; "note"
says so when that is not where the state file was read (HACHECK_LAB_DIR, default /var/lib/hacheck-lab).
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
    for (const line of statusLines(s)) this.log(line)
    return s
  }
}
