import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {formatDuration} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {DEGRADE_HELP, DEGRADE_STATES, isDegradeState, type DegradeResult} from '../../lab/degrade.js'
import {labDegrade} from '../../lab/lab.js'

const stateHelp = DEGRADE_STATES.map((s) => `  ${s.padEnd(14)} ${DEGRADE_HELP[s]}`).join('\n')

export default class LabDegrade extends BaseCommand<typeof LabDegrade> {
  static override summary =
    'Put the running lab into a degraded state on purpose (a dark node, a minority, a link down…).'

  static override description = `Operators run hacheck hardest when a cluster is already in trouble; this makes the lab be in such trouble so you can see what audit and chaos say then. Network faults are iptables rules in a HK-DEGRADE chain inside the lab nodes (never on the host).

Every "hacheck lab up" (e.g. --variant healthy) removes them, powers nodes back on and replaces the CIB configuration, which restores the lab.

STATES
${stateHelp}

Linux and root only.

${EXIT_CODES_HELP}`

  static override examples = [
    {
      description: 'A node powered off; audit before the membership notices (within ~7 s)',
      command:
        'sudo <%= config.bin %> <%= command.id %> power-off --node n3 && hacheck audit -i /var/lib/hacheck-lab/inventory.yaml --connect-timeout 3s',
    },
    {
      description: 'The VIP holder cut off in a minority',
      command: 'sudo <%= config.bin %> <%= command.id %> isolate',
    },
    {description: 'Back to healthy', command: 'sudo <%= config.bin %> lab up --variant healthy'},
  ]

  static override args = {
    state: Args.string({
      description: 'The degraded state to produce.',
      required: true,
      options: [...DEGRADE_STATES],
    }),
  }

  static override flags = {
    node: Flags.string({
      char: 'n',
      summary: 'The cluster node to degrade (a sensible default per state).',
      helpValue: 'NODE',
    }),
    link: Flags.integer({summary: 'link-down: the corosync link number to take down.', default: 0, min: 0}),
  }

  public async run(): Promise<DegradeResult> {
    const {args, flags} = await this.parse(LabDegrade)
    if (!isDegradeState(args.state)) throw new InputError(`unknown state ${args.state}`)
    const quiet = !this.chatty()
    const t0 = Date.now()
    const say = (msg: string): void => {
      if (!quiet) process.stderr.write(`lab [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`)
    }
    const r = await labDegrade(args.state, {node: flags.node, link: flags.link}, say)
    if (!this.jsonEnabled())
      this.log(
        `Lab degraded (${r.state} on ${r.node}) in ${formatDuration(r.durationMs)}. Restore with: hacheck lab up --variant healthy`,
      )
    return r
  }
}
