import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {linkPullRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosLinkPull extends BaseCommand<typeof ChaosLinkPull> {
  static override summary =
    "Pull a node's network cable: drop all traffic on one of its interfaces, then restore it."

  static override description = `The interface is the node's interface holding an address in the inventory network given with --network (e.g. heartbeat), or the one named with --interface.

By default the traffic is dropped with iptables in hacheck's own chain HACHECK (jumped from INPUT and OUTPUT at position 1); the controller's SSH path and every BMC address stay open, and hacheck never touches a rule it did not create. --method link-down sets the link down instead (refused when it carries hacheck's own SSH connection).

Before anything changes: preflight (healthy, quorate, fencing on, quorum kept), the revert ledger on disk, and a dead-man timer on the node that reverts on its own if hacheck dies. After the hold the fault is reverted and verified gone. The workload (--load) measures what clients saw; the cluster is watched from the survivors and Pacemaker's log gives the precise phase times.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --network heartbeat --yes --format json',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --interface eth1 --method link-down --dry-run',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --network heartbeat --workload pg-write --expect "lost-writes == 0" --yes',
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Target node: a name, or @service, @dc, @replica.',
      required: true,
    }),
    network: Flags.string({
      summary: 'Inventory network name (or CIDR) whose interface is pulled.',
      exclusive: ['interface'],
    }),
    interface: Flags.string({summary: 'Interface name on the node.', exclusive: ['network']}),
    method: Flags.string({
      summary: 'How the link is cut.',
      options: ['iptables', 'link-down'],
      default: 'iptables',
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosLinkPull)
    return executeFault(
      flags,
      () =>
        linkPullRequest({
          node: flags.node,
          network: flags.network,
          interface: flags.interface,
          method: flags.method as 'iptables' | 'link-down',
        }),
      this.io(),
    )
  }
}
