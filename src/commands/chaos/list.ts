import {renderFaultList, faultDoc, type FaultDoc} from '../../chaos/report/faults.js'
import {FAULTS} from '../../chaos/faults/index.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ChaosList extends BaseCommand<typeof ChaosList> {
  static override summary = 'List the faults hacheck can inject (each one is also a chaos command).'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  public async run(): Promise<FaultDoc[]> {
    await this.parse(ChaosList)
    this.log(renderFaultList(FAULTS).trimEnd())
    return FAULTS.map(faultDoc)
  }
}
