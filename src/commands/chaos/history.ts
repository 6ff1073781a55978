import {Args} from '@oclif/core'

import {FORMATS, renderReport, type ChaosFormat} from '../../chaos/cli/command.js'
import {listRuns, loadRun, readChaosHistory} from '../../chaos/history.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import type {ChaosHistoryEntry} from '../../checks/define.js'
import {BaseCommand} from '../../cli/base-command.js'
import {formatFlag} from '../../cli/flags.js'
import {InputError} from '../../core/errors.js'
import {formatDuration} from '../../core/duration.js'

export default class ChaosHistory extends BaseCommand<typeof ChaosHistory> {
  static override summary =
    'List saved chaos runs, or render one of them again (console, json, junit, html, prometheus).'

  static override description = `Every chaos run is saved in $XDG_STATE_HOME/hacheck/runs/<runId>/ (run.json and timeline.jsonl). Without RUN this lists them, oldest first; with RUN (an id, or "last") it renders that run's report again, e.g. as the self-contained HTML timeline. Without RUN, --format prometheus exports the latest run per cluster and fault (RTO/RPO gauges against the objectives) for node_exporter's textfile collector.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> last --format html -o failover.html',
  ]

  static override args = {run: Args.string({description: 'A run id, or "last".'})}

  static override flags = {
    format: formatFlag(FORMATS, 'Report format; json is the same as --json.'),
  }

  public async run(): Promise<ChaosHistoryEntry[] | ChaosResult | undefined> {
    const {args, flags} = await this.parse(ChaosHistory)
    const format = flags.format as ChaosFormat
    if (!args.run) {
      const entries = readChaosHistory()
      if (this.jsonEnabled()) return entries
      if (entries.length === 0) this.write('no saved chaos run\n')
      if (format === 'prometheus') {
        // The latest run per cluster and fault, e.g. for node_exporter's textfile collector.
        this.write(
          renderReport(
            'prometheus',
            listRuns().map((s) => ({result: s.result, timeline: []})),
          ),
        )
        return entries
      } else {
        const rows = listRuns().map(
          (s) =>
            `${s.result.runId}  ${s.result.status.padEnd(7)} ${`${s.result.name ?? s.result.fault} ${s.result.target.join(',')}`.padEnd(36)} outage ${s.result.metrics.clientOutageMs === null ? '—' : formatDuration(s.result.metrics.clientOutageMs)}`,
        )
        this.write(rows.join('\n') + '\n')
      }
      return entries
    }
    const runs = listRuns()
    const id = args.run === 'last' ? runs[runs.length - 1]?.result.runId : args.run
    if (!id || !runs.some((r) => r.result.runId === id)) {
      throw new InputError(
        `no saved chaos run ${args.run}${runs.length ? ` (latest: ${runs[runs.length - 1]?.result.runId})` : ''}`,
      )
    }
    const {result, timeline} = loadRun(id)
    if (this.jsonEnabled()) return result
    this.write(renderReport(format, [{result, timeline}]))
    return undefined
  }
}
