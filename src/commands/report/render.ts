import {dirname} from 'node:path'

import {Args, Flags} from '@oclif/core'

import {itemTitles, loadChecklist} from '../../audit/checklist.js'
import {explanationsFor} from '../../audit/explain.js'
import {applyWaivers, loadWaiverFile} from '../../audit/waivers.js'
import {catalog} from '../../checks/index.js'
import {parseSavedRun} from '../../audit/saved-run.js'
import {BaseCommand} from '../../cli/base-command.js'
import {MAX_SAVED_RUN_BYTES, readInputText} from '../../cli/files.js'
import {errorMessage, InputError} from '../../core/errors.js'
import {exitCodeFor} from '../../core/results.js'
import {AUDIT_FORMATS, formatForFile, renderAudit, type AuditFormat} from '../../reporters/index.js'

const ALL = [...new Set<string>([...AUDIT_FORMATS, 'html', 'markdown'])]

export default class ReportRender extends BaseCommand<typeof ReportRender> {
  static override summary =
    'Render a saved run again in another format: an audit JSON report, or a chaos run.json.'

  static override description = `Reporters are pure functions of the saved run, so a run can be re-rendered later without touching the cluster: keep the JSON of every audit as the record, and produce JUnit for CI or Markdown for a change review from it. Audit runs render as console, json, junit, markdown or html; chaos runs (runs/<id>/run.json, next to timeline.jsonl) as console, json, junit, markdown or html. --waivers FILE applies a waiver file to an audit run as of now (a waiver that has expired since the audit makes its check count again). The exit code is the run's own (0 passed, 1 findings failed, 3 incomplete), after waivers.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> audit.json --format junit --output audit.xml',
    '<%= config.bin %> <%= command.id %> audit.json --format markdown',
    '<%= config.bin %> <%= command.id %> audit.json --waivers waivers.yaml --format html -o audit.html',
    '<%= config.bin %> <%= command.id %> ~/.local/state/hacheck/runs/<run-id>/run.json --format html -o failover.html',
  ]

  static override args = {
    file: Args.string({
      description: 'audit JSON (from `hacheck audit --format json`) or a chaos run.json',
      required: true,
    }),
  }

  static override flags = {
    format: Flags.string({
      char: 'f',
      summary: 'Output format (default: from --output, else console); json is the same as --json.',
      options: ALL,
    }),
    waivers: Flags.string({
      summary: 'Apply this waiver file to an audit run (as of now).',
      helpValue: 'FILE',
    }),
  }

  public async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ReportRender)
    let text: string
    try {
      text = await readInputText(args.file, MAX_SAVED_RUN_BYTES)
    } catch (err) {
      throw new InputError(`${args.file}: cannot read a saved run: ${errorMessage(err)}`)
    }
    const saved = parseSavedRun(text, args.file)
    const format = this.jsonEnabled()
      ? 'json'
      : (flags.format ?? (flags.output ? formatForFile(flags.output) : undefined) ?? 'console')
    if (saved.kind === 'audit') {
      if (!(AUDIT_FORMATS as readonly string[]).includes(format))
        throw new InputError(`--format ${format}: an audit run renders as ${AUDIT_FORMATS.join(', ')}`)
      let run = saved.run
      const checks = catalog()
      if (flags.waivers)
        run = applyWaivers(run, await loadWaiverFile(flags.waivers, [...checks.keys()]), new Date())
      const titles = await loadChecklist(run.checklist.id, checks).then(itemTitles, () => ({}))
      process.exitCode = exitCodeFor(run.results)
      if (this.jsonEnabled()) return run
      text = renderAudit(format as AuditFormat, run, {
        color: this.useColor(),
        itemTitles: titles,
        ...(format === 'html'
          ? {explanations: explanationsFor(new Set(run.results.map((r) => r.id)), checks)}
          : {}),
        ...(!flags.output && process.stdout.isTTY ? {width: process.stdout.columns} : {}),
      })
    } else {
      if (flags.waivers) throw new InputError('--waivers applies to audit runs; this is a chaos run')
      const {loadRun} = await import('../../chaos/history.js')
      const {renderReport, FORMATS} = await import('../../chaos/cli/command.js')
      if (!(FORMATS as readonly string[]).includes(format))
        throw new InputError(`--format ${format}: a chaos run renders as ${FORMATS.join(', ')}`)
      let chaos: ReturnType<typeof loadRun>
      try {
        chaos = loadRun(dirname(args.file))
      } catch (err) {
        throw new InputError(
          `${dirname(args.file)}/run.json: cannot read the chaos run: ${errorMessage(err)}`,
        )
      }
      process.exitCode = chaos.result.status === 'pass' ? 0 : chaos.result.status === 'fail' ? 1 : 3
      if (this.jsonEnabled()) return chaos.result
      text = renderReport(format as (typeof FORMATS)[number], [
        {result: chaos.result, timeline: chaos.timeline},
      ])
    }
    this.write(text)
    return undefined
  }
}
