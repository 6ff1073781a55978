import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {InputError} from '../../core/errors.js'
import {formatDuration} from '../../core/duration.js'
import {labUp, type LabStatus} from '../../lab/lab.js'
import {
  DEFAULT_PROFILE,
  isProfileName,
  parseVariants,
  PROFILES,
  VARIANTS,
  BMC_PASSWORD_ENV,
} from '../../lab/topology.js'
import {requirePackages} from '../../lab/deps.js'

const profileHelp = Object.values(PROFILES)
  .map((p) => `  ${p.name.padEnd(20)} ${p.summary}`)
  .join('\n')
const variantHelp = Object.values(VARIANTS)
  .map((v) => `  ${v.name.padEnd(20)} ${v.summary} [${v.profiles.join(', ')}]`)
  .join('\n')

export default class LabUp extends BaseCommand<typeof LabUp> {
  static override summary = 'Bring up the local HA lab (or reconfigure the running one in place).'

  static override description = `Builds a real cluster on this machine: every node is a network namespace with its own PID, mount, UTS and time namespaces, its own sshd and host keys; Corosync 3 (knet) + Pacemaker 2.1 with fence_ipmilan against simulated BMCs (ipmi_sim) whose power control really powers the node off and on. All addresses are in 198.18.0.0/15 on host bridges named hk-*; no default route, no NAT, no bridge to a real NIC, host firewall untouched. State lives in /var/lib/hacheck-lab ($HACHECK_LAB_DIR).

--profile chooses the topology, --variant the defects. When a lab of the same profile is running, lab up applies the variants to it in place (CIB in one cibadmin call, corosync/rsyslog/haproxy restarts where needed), powers on nodes that are off, clears fail counts and fence history, and waits until it is ready again; "--variant healthy" (or no --variant) restores the healthy configuration. Another profile, or --rebuild, tears the lab down and builds it again.

Linux and root only.

PROFILES
${profileHelp}

VARIANTS (comma-separated; "healthy" = none)
${variantHelp}

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'The healthy 3-node Pacemaker lab', command: 'sudo <%= config.bin %> <%= command.id %>'},
    {
      description: 'Switch the running lab to two defects, in place',
      command: 'sudo <%= config.bin %> <%= command.id %> --variant stonith-disabled,hb-public',
    },
    {description: 'Back to healthy', command: 'sudo <%= config.bin %> <%= command.id %> --variant healthy'},
    {
      description: 'Two nodes and a qnetd witness',
      command: 'sudo <%= config.bin %> <%= command.id %> --profile pacemaker2-qdevice',
    },
    {
      description: 'The web tier with the certificate on the backends',
      command: 'sudo <%= config.bin %> <%= command.id %> --profile web --variant cert-on-backend',
    },
  ]

  static override flags = {
    profile: Flags.string({
      char: 'p',
      summary: 'Topology to build.',
      options: Object.keys(PROFILES),
      default: DEFAULT_PROFILE,
    }),
    variant: Flags.string({
      summary: 'Defects to apply, comma-separated (repeatable); "healthy" for none.',
      multiple: true,
      helpValue: 'NAME[,NAME]',
    }),
    rebuild: Flags.boolean({
      summary: 'Tear down and build from scratch even if the same profile is running.',
    }),
  }

  public async run(): Promise<LabStatus> {
    const {flags} = await this.parse(LabUp)
    if (!isProfileName(flags.profile)) throw new InputError(`unknown profile ${flags.profile}`)
    const profile = flags.profile
    const variants = parseVariants(profile, flags.variant)
    const quiet = !this.chatty()
    const t0 = Date.now()
    const say = (msg: string): void => {
      if (!quiet) process.stderr.write(`lab [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`)
    }
    if (process.platform === 'linux' && process.getuid?.() === 0) await requirePackages()
    const r = await labUp({profile, variants, rebuild: flags.rebuild, onProgress: say})
    if (!this.jsonEnabled()) {
      const s = r.status
      const what = variants.length ? `variants ${variants.join(', ')}` : 'healthy'
      this.log(
        `Lab ${r.mode === 'built' ? 'up' : 'reconfigured'} in ${formatDuration(r.durationMs)}: profile ${profile}, ${what}; ${s.nodes.length} nodes running.`,
      )
      this.log('Next:')
      const pw = s.env[BMC_PASSWORD_ENV]
      if (pw) this.log(`  export ${BMC_PASSWORD_ENV}=${pw}`)
      this.log(`  hacheck audit -i ${s.inventory ?? ''}`)
    }
    return r.status
  }
}
