import {
  experimentDoc,
  faultDoc,
  renderExperimentList,
  renderFaultList,
  type ExperimentDoc,
  type FaultDoc,
} from '../../chaos/report/faults.js'
import {FAULTS} from '../../chaos/faults/index.js'
import {DATA_EXPERIMENTS} from '../../chaos/run/data-plan.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ChaosList extends BaseCommand<typeof ChaosList> {
  static override summary =
    'List the faults hacheck can inject (each one is also a chaos command) and the data-tier experiments (chaos data).'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  /** JSON: the faults, then the experiments (kind: data-experiment). */
  public async run(): Promise<(FaultDoc | ExperimentDoc)[]> {
    await this.parse(ChaosList)
    this.log(`${renderFaultList(FAULTS)}\n${renderExperimentList()}`.trimEnd())
    return [...FAULTS.map(faultDoc), ...DATA_EXPERIMENTS.map(experimentDoc)]
  }
}
