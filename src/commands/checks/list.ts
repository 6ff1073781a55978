import {Flags} from '@oclif/core'

import {loadChecklist} from '../../audit/checklist.js'
import {rolesOf} from '../../audit/engine.js'
import {catalog} from '../../checks/index.js'
import {BaseCommand} from '../../cli/base-command.js'

export interface CheckListEntry {
  ref: string
  item: string
  id: string
  title: string
  severity: string
  scope: 'node' | 'cluster'
  roles: string[]
}

export default class ChecksList extends BaseCommand<typeof ChecksList> {
  static override summary = 'List the checks of a checklist, grouped by checklist item.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --checklist ./my-checklist.yaml --json',
  ]

  static override flags = {
    checklist: Flags.string({
      summary: 'Bundled checklist name or path to a checklist YAML.',
      default: 'ha-baseline',
      helpValue: 'NAME|FILE',
    }),
  }

  public async run(): Promise<CheckListEntry[]> {
    const {flags} = await this.parse(ChecksList)
    const checks = catalog()
    const cl = await loadChecklist(flags.checklist, checks)
    const out: CheckListEntry[] = []
    this.log(`${cl.id} v${cl.version}: ${cl.title}`)
    for (const item of cl.items) {
      this.log('')
      this.log(`${item.ref.padStart(2)}  ${item.title}`)
      for (const e of item.checks) {
        const c = checks.get(e.check)
        if (!c) continue
        const severity = e.severity ?? c.severity
        this.log(`    ${c.id.padEnd(32)} ${severity.padEnd(8)} ${c.scope.padEnd(7)} ${c.title}`)
        out.push({
          ref: item.ref,
          item: item.title,
          id: c.id,
          title: c.title,
          severity,
          scope: c.scope,
          roles: rolesOf(c),
        })
      }
    }
    this.log('')
    this.log(`${out.length} checks. Details: hacheck checks explain ID`)
    return out
  }
}
