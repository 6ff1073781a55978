/**
 * Plain-text rendering of chaos results: the console summary after a run, and
 * the one-line timeline entries printed live while it runs. Pure.
 */
import {formatDuration} from '../../core/duration.js'
import {safeText} from '../../reporters/common.js'
import type {ChaosResult} from '../measure/result.js'
import type {TimelineEvent} from '../timeline.js'
import {abortLine, configRows, isKeyPhase, splitBrainLines} from './sections.js'

const LABEL: Record<ChaosResult['status'], string> = {
  pass: 'PASSED',
  fail: 'FAILED',
  error: 'ERROR',
  aborted: 'ABORTED',
}

function rel(ms: number): string {
  const s = ms / 1000
  return `${s >= 0 ? '+' : '-'}${Math.abs(s).toFixed(2)}s`
}

/** When a live line happened: UTC wall-clock time, and the offset from the injection once there is one. */
export function liveStamp(t: number, origin: number | null): string {
  const clock = `${new Date(t).toISOString().slice(11, 23)}Z`
  return origin === null ? clock : `${clock} ${rel(t - origin).padStart(8)}`
}

/** One line for the live timeline; undefined for events too frequent to print (probes, VIP samples). */
export function liveLine(e: TimelineEvent, origin: number | null): string | undefined {
  const at = liveStamp(e.t, origin)
  switch (e.kind) {
    case 'fault':
      return `${at}  fault    ${e.phase}${e.detail ? `  ${e.detail}` : ''}`
    case 'cluster':
      if (e.phase === 'vip-holders') return undefined
      return `${at}  cluster  ${e.phase}${e.node ? ` ${e.node}` : ''}${e.resource ? ` ${e.resource}` : ''}  (${e.source})`
    case 'note':
      return `${at}  note     ${e.text}`
    default:
      return undefined
  }
}

/** Probe (or write) outcome transitions (up → down, down → up), for the live view. */
export class ProbeTransitions {
  private up: boolean | undefined
  next(e: TimelineEvent, origin: number | null): string | undefined {
    if (e.kind !== 'probe' && e.kind !== 'write') return undefined
    if (this.up === e.ok) return undefined
    const first = this.up === undefined
    this.up = e.ok
    if (first && e.ok) return undefined
    const at = liveStamp(e.t, origin)
    if (e.kind === 'write')
      return `${at}  client   ${e.ok ? `writes acknowledged again (seq ${e.seq})` : `write ${e.outcome ?? 'failed'} (seq ${e.seq}: ${e.error ?? 'error'})`}`
    return `${at}  client   ${e.ok ? 'probe OK again' : `probe FAILED (${e.error ?? 'error'})`}`
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

/** The write accounting of a pg-write run, for the console and JUnit system-out. */
export function writeLines(r: ChaosResult): string[] {
  const m = r.metrics
  const w = m.writes
  if (!w) return []
  const out: string[] = []
  out.push(
    `  writes          ${w.attempted} sent: ${w.acked} acknowledged, ${w.failed} failed, ${w.unknown} unknown outcome`,
  )
  if (m.lostWrites === null || m.lostWrites === undefined) {
    out.push('  lost writes     NOT MEASURED: the writes could not be read back')
  } else {
    const range =
      m.lostWrites > 0
        ? ` (seq ${m.firstLostSeq ?? '?'}…${m.lastLostSeq ?? '?'}, RPO ${formatDuration(m.rpoMs ?? 0)})`
        : ''
    out.push(`  lost writes     ${m.lostWrites} of ${w.acked} acknowledged${range}`)
    out.push(
      `  read back       ${w.present ?? 0} rows from ${w.readFrom ?? '?'}${w.presentUnacked ? `, ${w.presentUnacked} committed without an acknowledgement` : ''}${w.dropped ? '; table dropped' : ''}`,
    )
    if (w.unexpected) out.push(`  unexpected      ${w.unexpected} rows this run never wrote`)
    if (w.failedPresent)
      out.push(`  CONTRADICTION   ${w.failedPresent} writes reported failed were read back`)
  }
  if (w.primaries.length) out.push(`  primaries       ${w.primaries.join(' → ')}`)
  if (m.splitBrainWrites)
    out.push(
      `  SPLIT-BRAIN     ${m.splitBrainWrites} writes acknowledged while another primary also acknowledged`,
    )
  return out
}

export function renderResultText(r: ChaosResult): string {
  const lines: string[] = []
  lines.push(
    `hacheck chaos ${r.fault}${r.name ? ` (${r.name})` : ''} — cluster ${r.cluster} — run ${r.runId}`,
  )
  lines.push(`  ${r.summary}`)
  const aborted = abortLine(r)
  if (aborted) lines.push(`  ${safeText(aborted)}`)
  lines.push(
    `  started ${r.startedAt} (UTC)${r.injectedAt !== null ? `, injected at ${new Date(r.injectedAt).toISOString()}` : ''}`,
  )
  if (r.workload) lines.push(`  workload: ${r.workload}`)
  for (const l of splitBrainLines(r)) lines.push(`  ${l}`)
  lines.push('')
  const clock = (ms: number): string =>
    r.injectedAt === null ? '' : `${new Date(r.injectedAt + ms).toISOString().slice(11, 23)}Z`
  if (r.phases.length) {
    lines.push('PHASES (after the injection; UTC)')
    for (const p of r.phases) {
      const who = [p.node, p.resource].filter(Boolean).join(' ')
      lines.push(
        `  ${pad(rel(p.atMs), 9)} ${pad(clock(p.atMs), 13)} ${pad(`${p.name}${who ? ` ${who}` : ''}`, 34)} ${p.source ?? ''}`.trimEnd(),
      )
    }
    lines.push('')
  }
  const agreeing = r.phaseAgreement.filter((p) => p.deltaMs !== undefined)
  if (agreeing.length) {
    lines.push('OBSERVED vs PACEMAKER LOG')
    for (const p of agreeing) {
      lines.push(
        `  ${pad(p.name, 18)} observed ${rel(p.observedMs ?? 0)}  log ${rel(p.logMs ?? 0)}  Δ ${((p.deltaMs ?? 0) / 1000).toFixed(2)}s`,
      )
    }
    lines.push('')
  }
  lines.push('METRICS')
  const m = r.metrics
  if (m.probes > 0) {
    const outage =
      m.clientOutageMs === null
        ? 'never recovered'
        : `${formatDuration(m.clientOutageMs)} (at least ${formatDuration(m.clientOutageMinMs)})`
    lines.push(`  client outage   ${outage}`)
    lines.push(`  failed probes   ${m.failedProbes} of ${m.probes}`)
    if (m.latency)
      lines.push(
        `  latency         p50 ${formatDuration(m.latency.p50)} · p95 ${formatDuration(m.latency.p95)} · p99 ${formatDuration(m.latency.p99)} · max ${formatDuration(m.latency.max)}`,
      )
    if (m.recoveryMs !== null)
      lines.push(`  recovery        ${formatDuration(m.recoveryMs)} after the injection`)
  } else {
    lines.push('  no workload ran (give --load URL to measure the client view)')
  }
  for (const l of writeLines(r)) lines.push(l)
  if (r.floor) lines.push(`  floor           ${formatDuration(r.floor.floorMs)}: ${r.floor.message}`)
  if (m.vipSamples > 0) lines.push(`  VIP holders     at most ${m.maxVipHolders} in ${m.vipSamples} samples`)
  lines.push('')
  if (r.expectations.length) {
    lines.push('EXPECTATIONS')
    for (const e of r.expectations)
      lines.push(`  ${pad(e.status.toUpperCase(), 5)} ${pad(e.text, 24)} ${e.observed}`)
    lines.push('')
  }
  configAndLog(r, lines, clock)
  for (const n of r.notes) lines.push(`note: ${n}`)
  for (const e of r.errors) lines.push(`error: ${e}`)
  const rv = r.revert
  const revert = !rv.planned
    ? 'no revert (declared by the fault)'
    : rv.verified
      ? `revert verified${rv.ledgerRemoved ? ', ledger removed' : ''}${rv.deadmanFired ? ', the dead-man fired' : ''}`
      : 'REVERT NOT VERIFIED: run `hacheck chaos revert`'
  lines.push(`RESULT  ${LABEL[r.status]}  (${revert})`)
  if (r.runDir) lines.push(`saved   ${r.runDir}`)
  return lines.join('\n') + '\n'
}

/** The configuration in force and the cluster's log lines around the failover phases. */
function configAndLog(r: ChaosResult, lines: string[], clock: (ms: number) => string): void {
  const config = configRows(r)
  if (config.length) {
    lines.push('CONFIGURATION IN FORCE')
    for (const [k, v] of config) lines.push(`  ${pad(k, 26)} ${v}`)
    lines.push('')
  }
  const excerpts = (r.logExcerpts ?? []).filter((x) => isKeyPhase(x.phase) && x.lines.length)
  if (excerpts.length) {
    lines.push('CLUSTER LOG AROUND THE PHASES (Pacemaker, most severe lines; all in --format html/markdown)')
    for (const x of excerpts) {
      lines.push(`  ${x.phase} ${rel(x.atMs)}`)
      for (const l of x.lines.filter((y) => y.level !== 'info').slice(0, 4))
        lines.push(`    ${clock(l.atMs)} ${l.node} ${l.daemon} ${l.level}: ${safeText(l.message, 200)}`)
    }
    lines.push('')
  }
}
