import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/command.js'
import {lbDrainRequest} from '../../chaos/faults/lb-drain.js'
import type {ChaosResult} from '../../chaos/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosLbDrain extends BaseCommand<typeof ChaosLbDrain> {
  static override summary =
    'Evacuate an app node from the load balancers (HAProxy runtime API: drain, then maintenance), then bring it back.'

  static override description = `On every node with role lb, HAProxy's runtime API (its "stats socket", through socat) finds the backend servers whose address is the app node's, sets them to drain (no new connection; open ones finish), waits until they have no session left, then to maintenance; after --duration they are set ready again. Like a rolling deploy: clients must not see a single failed request (default expectation "failed-probes == 0"). With --workload sessions, users whose sessions lived on that node only are counted as lost.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i web.yaml --node app1 --duration 15s --load https://198.18.2.100/ --insecure --yes',
    '<%= config.bin %> <%= command.id %> -i web.yaml --node app1 --duration 15s --workload sessions --insecure --expect "sessions-lost == 0" --yes',
  ]

  static override flags = {
    ...faultFlags,
    node: Flags.string({char: 'n', summary: 'The app node to evacuate (inventory name).', required: true}),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosLbDrain)
    return executeFault(flags, () => lbDrainRequest({node: flags.node}), this.io())
  }
}
