import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {powerRequest} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosPowerOff extends BaseCommand<typeof ChaosPowerOff> {
  static override summary = 'Power a node off through its BMC, then on again after the duration.'

  static override description = `Runs ipmitool on this machine against the node's BMC from the inventory: -I lanplus -C <cipher, default 3> -H <bmc.host> -U <bmc.user> -E. The password is read from the environment variable named by bmc.passwordEnv and handed to ipmitool only as IPMI_PASSWORD; it is never on a command line, in a log or in a report.

After --duration the node is powered on again (chassis power on) and its power state verified, unless --leave-off.
A detached dead-man on this machine powers the node back on if hacheck dies. The cluster is expected to fence the node and recover its resources elsewhere.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    {
      description:
        'Power off the database primary under PostgreSQL write load (the inventory cluster.database, or --pg-url); the JSON has metrics.ackedWrites, lostWrites and rpoMs:',
      command:
        '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 20s --workload pg-write --yes --format json',
    },
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Target node: a name, or @service, @dc, @replica.',
      required: true,
    }),
    'leave-off': Flags.boolean({
      summary: 'Leave the node powered off after the run (no automatic power-on).',
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosPowerOff)
    return executeFault(
      flags,
      () => powerRequest({node: flags.node, action: 'off', leaveOff: flags['leave-off']}),
      this.io(),
    )
  }
}
