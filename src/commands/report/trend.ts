import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {formatForFile} from '../../reporters/index.js'
import {renderTrendConsole, renderTrendHtml, renderTrendMarkdown} from '../../history/render.js'
import {defaultHistoryDir, readPostures} from '../../history/store.js'
import {sinceToIso, trendReport, type TrendReport} from '../../history/trend.js'

const FORMATS = ['console', 'markdown', 'html', 'json'] as const

export default class ReportTrend extends BaseCommand<typeof ReportTrend> {
  static override summary =
    'Posture over time: per cluster and per check, what changed since the last audit and since a date.'

  static override description = `Reads the history that \`hacheck audit --history DIR\` (or $HACHECK_HISTORY) writes: one folder per cluster, one posture record per audit. For every cluster it compares the latest audit with the one before it and, with --since, with the posture as it stood at that date (the last audit at or before it). Regressions (pass → warn → error → fail) come first, then new findings, findings gone and improvements. The HTML page has a small chart per cluster (failing, error and warning results per audit).

Exit code: 0, or 1 when there is at least one regression (since the previous audit, or since --since when given), so a pipeline can alert on it; 2 for bad flags.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --history /var/lib/hacheck/history',
    '<%= config.bin %> <%= command.id %> --since 7d --format html -o trend.html',
    '<%= config.bin %> <%= command.id %> --cluster prod-a --since 2026-12-01 --format markdown',
  ]

  static override flags = {
    history: Flags.string({
      summary: 'History directory (default $HACHECK_HISTORY, else ~/.local/state/hacheck/history).',
      helpValue: 'DIR',
    }),
    cluster: Flags.string({summary: 'Only this cluster (repeatable).', multiple: true, helpValue: 'NAME'}),
    since: Flags.string({
      summary:
        'Also compare with the posture at this date: 2026-12-01, an ISO time, or 7d / 48h back from now.',
      helpValue: 'DATE|DURATION',
    }),
    format: Flags.string({
      char: 'f',
      summary: 'Output format (default: from --output, else console); json is the same as --json.',
      options: [...FORMATS],
    }),
  }

  public async run(): Promise<TrendReport> {
    const {flags} = await this.parse(ReportTrend)
    const now = new Date()
    const since = flags.since ? sinceToIso(flags.since, now) : undefined
    const dir = flags.history ?? defaultHistoryDir()
    const {postures, problems} = readPostures(dir, {clusters: flags.cluster})
    for (const p of problems) process.stderr.write(`warning: ${p.file}: skipped: ${p.message}\n`)
    if (!postures.length) {
      throw new InputError(
        `${dir}: no audit history${flags.cluster?.length ? ` for ${flags.cluster.join(', ')}` : ''}`,
        {
          code: 'no-history',
          actions: [
            'Save audits with: hacheck audit -i INVENTORY --history DIR (or --fleet DIR --history DIR).',
          ],
        },
      )
    }
    const report = trendReport(postures, {since, now})
    process.exitCode = report.regressions > 0 ? ExitCode.findingsFailed : ExitCode.ok
    if (this.jsonEnabled()) return report
    const byName = flags.output ? formatForFile(flags.output) : undefined
    const format =
      flags.format ??
      ((FORMATS as readonly string[]).includes(byName ?? '') ? byName : undefined) ??
      'console'
    const text =
      format === 'html'
        ? renderTrendHtml(report)
        : format === 'markdown'
          ? renderTrendMarkdown(report)
          : format === 'json'
            ? JSON.stringify(report, null, 2) + '\n'
            : renderTrendConsole(report)
    this.write(text)
    return report
  }
}
