import {Args} from '@oclif/core'

import {FAULT_IDS, faultById} from '../../chaos/faults/index.js'
import {faultDoc, renderFaultExplain, type FaultDoc} from '../../chaos/report/faults.js'
import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {didYouMean} from '../../inventory/messages.js'

export default class ChaosExplain extends BaseCommand<typeof ChaosExplain> {
  static override summary =
    'Explain a fault: its options (flags and game-day keys), what each phase runs, what its dead-man undoes.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> link-pull',
    '<%= config.bin %> <%= command.id %> partition --json',
  ]

  static override args = {
    fault: Args.string({description: 'Fault id (see `hacheck chaos list`).', required: true}),
  }

  public async run(): Promise<FaultDoc> {
    const {args} = await this.parse(ChaosExplain)
    const f = faultById(args.fault)
    if (!f) {
      const hint = didYouMean(args.fault, [...FAULT_IDS])
      throw new InputError(`unknown fault "${args.fault}"${hint ? ` (did you mean "${hint}"?)` : ''}`, {
        actions: ['hacheck chaos list shows every fault.'],
      })
    }
    this.log(renderFaultExplain(f).trimEnd())
    return faultDoc(f)
  }
}
