import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {requestDelay, requestPercent} from '../../chaos/cli/fault-flags.js'
import {netemRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosNetem extends BaseCommand<typeof ChaosNetem> {
  static override summary = "Degrade one node's interface: delay, jitter, packet loss, corruption."

  static override description = `--method netem (default) adds a tc netem qdisc (handle 4843:) as the interface's root qdisc; it never replaces a qdisc the operator installed, and the revert deletes only hacheck's. Where the kernel has no sch_netem, hacheck says so and stops, with nothing left behind.

--method iptables-loss drops packets at random with iptables (-m statistic --mode random --probability P) in hacheck's chain HACHECK: packet loss only, but it works without sch_netem.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --delay 200ms --jitter 50ms --duration 60s --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --loss 30 --method iptables-loss --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network public --delay 300ms --duration 30s --workload pg-write --yes',
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Target node: a name, or @service, @dc, @replica.',
      required: true,
    }),
    network: Flags.string({
      summary: 'Inventory network name (or CIDR) whose interface is degraded.',
      exclusive: ['interface'],
    }),
    interface: Flags.string({summary: 'Interface name on the node.', exclusive: ['network']}),
    method: Flags.string({
      summary: 'netem (tc) or iptables-loss (loss only).',
      options: ['netem', 'iptables-loss'],
      default: 'netem',
    }),
    delay: durationFlag({summary: 'Added delay, e.g. 100ms.'}),
    jitter: durationFlag({summary: 'Delay variation, e.g. 20ms (with --delay).', dependsOn: ['delay']}),
    loss: Flags.string({summary: 'Packet loss in percent, e.g. 10 or 0.5.'}),
    corrupt: Flags.string({summary: 'Corrupted packets in percent.'}),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosNetem)
    const delayMs = requestDelay(flags.delay, '--delay')
    const jitterMs = requestDelay(flags.jitter, '--jitter')
    const lossPct = requestPercent(flags.loss, '--loss')
    const corruptPct = requestPercent(flags.corrupt, '--corrupt')
    return executeFault(
      flags,
      () =>
        netemRequest({
          node: flags.node,
          network: flags.network,
          interface: flags.interface,
          method: flags.method as 'netem' | 'iptables-loss',
          ...(delayMs !== undefined ? {delayMs} : {}),
          ...(jitterMs !== undefined ? {jitterMs} : {}),
          ...(lossPct !== undefined ? {lossPct} : {}),
          ...(corruptPct !== undefined ? {corruptPct} : {}),
        }),
      this.io(),
    )
  }
}
