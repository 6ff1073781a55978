import {Args} from '@oclif/core'

import {explainCheck, type CheckExplanation} from '../../audit/explain.js'
import {catalog} from '../../checks/index.js'
import {didYouMean} from '../../inventory/messages.js'
import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'

export default class ChecksExplain extends BaseCommand<typeof ChecksExplain> {
  static override summary =
    'Explain a check: why it matters, what it gathers, its parameters and the remediation.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> fencing.enabled',
    '<%= config.bin %> <%= command.id %> quorum.votes --json',
  ]

  static override args = {
    id: Args.string({description: 'Check id (see `hacheck checks list`).', required: true}),
  }

  public async run(): Promise<CheckExplanation> {
    const {args} = await this.parse(ChecksExplain)
    const checks = catalog()
    const c = checks.get(args.id)
    if (!c) {
      const hint = didYouMean(args.id, [...checks.keys()])
      throw new InputError(`unknown check "${args.id}"${hint ? ` (did you mean "${hint}"?)` : ''}`, {
        actions: ['hacheck checks list shows every check.'],
      })
    }
    const x = explainCheck(c)
    const gathers = x.gathers
    this.log(`${c.id} — ${c.title}`)
    this.log(`severity ${c.severity}, judged per ${c.scope}, on nodes with role ${x.roles.join(' or ')}`)
    this.log('')
    this.log(c.rationale)
    if (gathers.length) {
      this.log('')
      this.log('Gathers (read-only):')
      for (const g of gathers)
        this.log(`  ${g.id} (${g.where}): ${g.description}\n    $ ${g.command.split('\n').join('\n      ')}`)
    }
    if (Object.keys(c.params).length) {
      this.log('')
      this.log(
        `Parameters (override per checklist item): ${Object.entries(c.params)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')}`,
      )
    }
    this.log('')
    this.log(c.remediation)
    return x
  }
}
