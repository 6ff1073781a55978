import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {killRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosKillProcess extends BaseCommand<typeof ChaosKillProcess> {
  static override summary =
    'SIGKILL a daemon on a node, or freeze it (SIGSTOP) for the duration and thaw it (SIGCONT).'

  static override description = `The PIDs are found on the node with pgrep -x (the exact process name, e.g. corosync, pacemakerd, pacemaker-controld, postgres) and saved there; only those PIDs are signalled. Nothing is ever killed on this machine.

--signal KILL cannot be reverted: recovery is up to Pacemaker or the init system (restart, relocation or fencing), and the report says so. --signal STOP is reverted with SIGCONT after the duration (or by the node-side dead-man if hacheck dies).

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --process pacemaker-controld --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --process corosync --signal STOP --duration 20s --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --process postgres --duration 20s --workload pg-write --expect "lost-writes == 0" --yes',
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Target node: a name, or @service, @dc, @replica.',
      required: true,
    }),
    process: Flags.string({
      char: 'p',
      summary: 'Exact process name (pgrep -x), e.g. corosync.',
      required: true,
    }),
    signal: Flags.string({
      summary: 'KILL, or STOP (then CONT after the duration).',
      options: ['KILL', 'STOP'],
      default: 'KILL',
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosKillProcess)
    return executeFault(
      flags,
      () => killRequest({node: flags.node, process: flags.process, signal: flags.signal as 'KILL' | 'STOP'}),
      this.io(),
    )
  }
}
