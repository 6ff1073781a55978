import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {evacuateRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

/** An ordinary client's patience: longer than the fourth SYN retransmit (at 15 s). */
const EVACUATE_PROBE_TIMEOUT_S = 20

export default class ChaosEvacuate extends BaseCommand<typeof ChaosEvacuate> {
  static override summary =
    'Planned failover: put a node in standby, wait until its resources moved, then bring it back.'

  static override description = `crm_attribute --node NODE --name standby --update on (run on a peer), then hacheck waits until crm_mon shows no resource on NODE, holds for --duration, and restores the attribute. A planned failover must be invisible to clients: the default expectation is "failed-probes == 0".

The probes here wait up to 20 s (--probe-timeout), like an ordinary client: moving a VIP leaves the address nowhere for a moment (the resource agents' stop + start, 2-8 s on a loaded machine), which TCP rides out by retransmitting the SYN (after 1 s, 3 s, 7 s, 15 s). A client with a normal timeout sees a slower request, not an error, and that stall is reported as latency (p95/p99/max). Pass --probe-timeout 800ms to count any stall over 800 ms as a failure.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --duration 20s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --duration 30s --load http://198.18.2.100/ --rate 50 --probe-timeout 800ms --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --duration 20s --workload pg-write --expect "lost-writes == 0" --yes',
  ]

  static override flags = {
    ...faultFlags,
    'probe-timeout': durationFlag({
      summary:
        'Per-probe timeout. 20 s for a planned failover: a VIP move is ridden out by SYN retransmits (1 s, 3 s, 7 s, 15 s) and shows as latency; a client still waiting after 20 s counts as failed.',
      default: `${EVACUATE_PROBE_TIMEOUT_S}s`,
    }),
    node: Flags.string({
      char: 'n',
      summary: 'Node to empty: a name, or @service, @dc, @replica.',
      required: true,
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosEvacuate)
    return executeFault(flags, () => evacuateRequest({node: flags.node}), this.io())
  }
}
