import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {InventoryError, loadInventory, renderProblem} from '../../inventory/load.js'
import {summary, unsetBmcPasswords, type ProblemJson} from '../../inventory/report.js'

export interface ValidateResult {
  file: string
  valid: boolean
  nodes: string[]
  problems: ProblemJson[]
}

export default class InventoryValidate extends BaseCommand<typeof InventoryValidate> {
  static override summary = 'Check an inventory file and list every problem with its line and column.'

  static override description = `Reads the inventory (YAML or JSON), checks it against schemas/inventory.schema.json and the rules a schema cannot express (unique node names, hosts and BMCs), and prints either "FILE: valid (N nodes: …)" or one line per problem:

  FILE:LINE:COL: PATH: expected …, found …

Exit code 0 when valid, 2 when not. FILE defaults to $HACHECK_INVENTORY. An unset BMC passwordEnv variable is only a note here: power faults need it, audits do not. Format reference: docs/inventory.md.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> lab.yaml',
    '<%= config.bin %> <%= command.id %> lab.yaml --json',
    'HACHECK_INVENTORY=lab.yaml <%= config.bin %> <%= command.id %>',
  ]

  static override args = {
    file: Args.string({description: 'Inventory file (YAML or JSON). Defaults to $HACHECK_INVENTORY.'}),
  }

  public async run(): Promise<ValidateResult> {
    const {args} = await this.parse(InventoryValidate)
    const file = args.file ?? process.env.HACHECK_INVENTORY
    if (!file) throw new InputError('missing FILE: give the inventory file, or set HACHECK_INVENTORY')
    try {
      const inv = await loadInventory(file)
      this.log(`${file}: valid (${summary(inv)})`)
      for (const {node, env} of unsetBmcPasswords(inv)) {
        this.logToStderr(`note: ${node}: ${env} is not set; power faults on this node will need it`)
      }
      return {file, valid: true, nodes: inv.nodes.map((n) => n.name), problems: []}
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err
      // Not thrown on: the problems are this command's result, and oclif would wrap long lines.
      process.exitCode = ExitCode.invalidInput
      if (!this.jsonEnabled()) process.stderr.write(`${err.message}\n`)
      const problems = err.problems.map((p) => ({...p, file, text: renderProblem(file, p)}))
      return {file, valid: false, nodes: [], problems}
    }
  }
}
