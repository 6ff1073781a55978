import {Flags} from '@oclif/core'

import {commonFlags, executeFault} from '../../chaos/command.js'
import {evacuateRequest} from '../../chaos/requests.js'
import type {ChaosResult} from '../../chaos/result.js'
import {BaseCommand} from '../../core/base-command.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosEvacuate extends BaseCommand<typeof ChaosEvacuate> {
  static override summary =
    'Planned failover: put a node in standby, wait until its resources moved, then bring it back.'

  static override description = `crm_attribute --node NODE --name standby --update on (run on a peer), then hacheck waits until crm_mon shows no resource on NODE, holds for --duration, and restores the attribute. A planned failover must be invisible to clients: the default expectation is "failed-probes == 0".

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --duration 20s --load http://198.18.2.100/ --yes',
  ]

  static override flags = {
    ...commonFlags,
    node: Flags.string({
      char: 'n',
      summary: 'Node to empty: a name, or @service, @dc, @replica.',
      required: true,
    }),
  }

  public async run(): Promise<ChaosResult | undefined> {
    const {flags} = await this.parse(ChaosEvacuate)
    return executeFault(flags, () => evacuateRequest({node: flags.node}))
  }
}
