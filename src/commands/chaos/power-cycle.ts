import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {powerRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosPowerCycle extends BaseCommand<typeof ChaosPowerCycle> {
  static override summary = 'Power-cycle a node through its BMC (off, then on), and observe the failover.'

  static override description = `Runs ipmitool on this machine against the node's BMC from the inventory: -I lanplus -C <cipher, default 3> -H <bmc.host> -U <bmc.user> -E. The password is read from the environment variable named by bmc.passwordEnv and handed to ipmitool only as IPMI_PASSWORD; it is never on a command line, in a log or in a report.

chassis power cycle is sent once; --duration is how long the cluster is observed afterwards. The revert makes sure the node is powered on.
A detached dead-man on this machine powers the node back on if hacheck dies. The cluster is expected to fence the node and recover its resources elsewhere.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 20s --workload pg-write --expect "rpo <= 0s" --yes',
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Target node: a name, or @service, @dc, @replica.',
      required: true,
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosPowerCycle)
    return executeFault(flags, () => powerRequest({node: flags.node, action: 'cycle'}), this.io())
  }
}
