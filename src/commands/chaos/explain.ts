import {Args} from '@oclif/core'

import {FAULT_IDS, faultById} from '../../chaos/faults/index.js'
import {
  experimentDoc,
  faultDoc,
  renderExperimentExplain,
  renderFaultExplain,
  type ExperimentDoc,
  type FaultDoc,
} from '../../chaos/report/faults.js'
import {DATA_EXPERIMENTS, isDataExperiment} from '../../chaos/run/data-plan.js'
import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {didYouMean} from '../../inventory/messages.js'

export default class ChaosExplain extends BaseCommand<typeof ChaosExplain> {
  static override summary =
    'Explain a fault (its options as flags and game-day keys, what each phase runs, what its dead-man undoes) or a data-tier experiment.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> link-pull',
    '<%= config.bin %> <%= command.id %> partition --json',
    '<%= config.bin %> <%= command.id %> galera-partition',
  ]

  static override args = {
    fault: Args.string({description: 'Fault or experiment id (see `hacheck chaos list`).', required: true}),
  }

  public async run(): Promise<FaultDoc | ExperimentDoc> {
    const {args} = await this.parse(ChaosExplain)
    if (isDataExperiment(args.fault)) {
      this.log(renderExperimentExplain(args.fault).trimEnd())
      return experimentDoc(args.fault)
    }
    const f = faultById(args.fault)
    if (!f) {
      const hint = didYouMean(args.fault, [...FAULT_IDS, ...DATA_EXPERIMENTS])
      throw new InputError(
        `unknown fault or experiment "${args.fault}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
        {actions: ['hacheck chaos list shows every fault and data-tier experiment.']},
      )
    }
    this.log(renderFaultExplain(f).trimEnd())
    return faultDoc(f)
  }
}
