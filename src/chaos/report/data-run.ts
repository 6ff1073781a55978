/**
 * Plain-text report of one data-tier experiment (pure): what was done, the client's view (writes, RTO),
 * the accounting with the ids of every lost, duplicated or minority-accepted write (not only counts), the
 * RPO, and the phases from the polled states and each system's own log, in time order from the injection.
 * Node output (log lines, error messages) is shown through safeText: it cannot break the report.
 */
import {formatDuration} from '../../core/duration.js'
import {safeText} from '../../reporters/common.js'
import type {DataRunResult} from '../run/data-experiment.js'

/** Ids as runs: 3, 7–12, 15 (a list an operator can paste into a query). */
export function idRanges(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++
    out.push(j > i ? `${sorted[i] as number}–${sorted[j] as number}` : String(sorted[i] as number))
    i = j + 1
  }
  return out.join(', ')
}

const ids = (label: string, list: readonly number[]): string =>
  `  ${label}: ${list.length === 0 ? 'none' : `${list.length} (ids ${idRanges(list)})`}`

const clock = (t: number): string => `${new Date(t).toISOString().slice(11, 23)}Z`

function rel(t: number, origin: number | undefined): string {
  if (origin === undefined) return clock(t)
  const s = (t - origin) / 1000
  return `${s >= 0 ? '+' : '-'}${Math.abs(s).toFixed(3)}s`
}

function accountingLines(r: DataRunResult): string[] {
  const a = r.accounting
  if (!a) return ['writes: not accounted (no read-back)']
  return [
    `writes: ${a.attempted} sent, ${a.acked} acknowledged, ${a.failed} refused or failed, ${a.unknown} without an answer; ${a.rows} rows read back${r.readBackFrom ? ` from ${safeText(r.readBackFrom, 60)}` : ''}`,
    ids('lost (acknowledged, not read back)', a.lost),
    ids('duplicated (read back more than once)', a.duplicated),
    ids('accepted by the minority while it was cut off (split brain)', a.minorityAccepted),
    ids('refused by the minority while it was cut off', a.minorityRefused),
    ids('no answer, committed', a.unknownPresent),
    ids('no answer, not committed', a.unknownAbsent),
    ids('refused yet committed (must be none)', a.failedPresent),
    ids('read back but never sent (must be none)', a.unexpected),
    a.lost.length === 0
      ? 'RPO: 0 (no acknowledged write lost)'
      : `RPO: ${formatDuration(a.rpoMs)} of acknowledged writes lost (first lost write sent .. last lost write acknowledged)`,
  ]
}

export function renderDataRun(r: DataRunResult): string {
  const t0 = r.injectedAt
  const lines = [
    `data-tier experiment ${safeText(r.runId, 80)}: ${safeText(r.summary)}`,
    `workload: ${safeText(r.workload)}`,
    t0 === undefined
      ? 'the fault was not injected'
      : `injected ${clock(t0)}, reverted ${r.revertedAt !== undefined ? rel(r.revertedAt, t0) : 'never'}, recovered ${r.recoveredAt !== undefined ? rel(r.recoveredAt, t0) : 'not within the wait'}`,
    ...accountingLines(r),
    r.rto
      ? `RTO (client): ${formatDuration(r.rto.ms)}, the longest gap between acknowledged writes (${rel(r.rto.fromMs, t0)} .. ${rel(r.rto.toMs, t0)})`
      : 'RTO (client): no acknowledged write after the injection',
    'phases (polled state changes and the systems’ own logs):',
  ]
  const phases = [...r.polled, ...r.logged].sort((a, b) => a.t - b.t)
  if (phases.length === 0) lines.push('  none recorded')
  for (const p of phases) {
    const when =
      p.source === 'poll' && p.notBefore !== undefined
        ? `${rel(p.t, t0)} (after ${rel(p.notBefore, t0)})`
        : `${rel(p.t, t0)}${p.resolutionMs && p.resolutionMs >= 1000 ? ` (±${p.resolutionMs / 1000}s)` : ''}`
    lines.push(`  ${when}  ${safeText(p.node, 40)}  ${p.system} ${p.source}: ${safeText(p.what, 300)}`)
  }
  lines.push(
    r.errors.length === 0 ? 'errors: none' : `errors:\n${r.errors.map((e) => `  ${safeText(e)}`).join('\n')}`,
  )
  return `${lines.join('\n')}\n`
}
