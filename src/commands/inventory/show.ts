import {Args} from '@oclif/core'
import {stringify} from 'yaml'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {loadInventory} from '../../inventory/load.js'
import {inventoryView, printInventoryError, type InventoryView} from '../../inventory/report.js'

export default class InventoryShow extends BaseCommand<typeof InventoryShow> {
  static override summary = 'Print the inventory as hacheck resolves it (defaults merged, paths absolute).'

  static override description = `Shows what every other command will use: durations in milliseconds, the ssh: defaults merged into each node, identityFile and knownHosts made absolute (relative to the inventory file, ~ expanded).

Secrets are never read: for a BMC it shows the passwordEnv variable's name and whether it is set (passwordEnvSet), never its value. FILE defaults to $HACHECK_INVENTORY, then inventory: in the config file.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> lab.yaml',
    '<%= config.bin %> <%= command.id %> lab.yaml --json',
  ]

  static override args = {
    file: Args.string({description: 'Inventory file (YAML or JSON). Defaults to $HACHECK_INVENTORY.'}),
  }

  public async run(): Promise<InventoryView> {
    const {args} = await this.parse(InventoryShow)
    const file = args.file ?? process.env.HACHECK_INVENTORY ?? this.configDefault('inventory')
    if (!file)
      throw new InputError(
        'missing FILE: give the inventory file, set HACHECK_INVENTORY, or inventory: in the config file',
      )
    let view: InventoryView
    try {
      view = inventoryView(await loadInventory(file))
    } catch (err) {
      if (this.jsonEnabled() || !printInventoryError(err)) throw err
      this.exit(ExitCode.invalidInput)
    }
    this.log(stringify(view, {lineWidth: 0}).trimEnd())
    return view
  }
}
