/**
 * Posture over time (pure): per cluster and per check, what changed between
 * the latest audit and the one before it, and between the latest and the
 * posture as it stood at a date. Regressions come first.
 *
 * Badness used to tell a regression from an improvement: pass = skip = waived (accepted) 0 <
 * warn 1 < error 2 (could not tell) < fail 3 (a known problem).
 */
import {parseDurationMs} from '../core/duration.js'
import {InputError} from '../core/errors.js'
import type {Severity, Status} from '../core/results.js'
import type {Posture, PostureResult} from './posture.js'

export type ChangeKind = 'regression' | 'improvement' | 'new' | 'gone'

export interface Change {
  kind: ChangeKind
  check: string
  node?: string
  title: string
  severity: Severity
  from: Status | null
  to: Status | null
  /** The latest message (or the last one seen, for a check that is gone). */
  message: string
}

export interface Comparison {
  /** startedAt of the audit compared against. */
  from: string
  to: string
  changes: Change[]
  regressions: number
}

export interface SeriesPoint {
  startedAt: string
  exitCode: 0 | 1 | 3
  pass: number
  warn: number
  fail: number
  error: number
  skip: number
}

export interface ClusterTrend {
  cluster: string
  runs: number
  latest: SeriesPoint
  sinceLast?: Comparison
  sinceDate?: Comparison & {date: string; note?: string}
  series: SeriesPoint[]
}

export interface TrendReport {
  schemaVersion: 1
  kind: 'trend'
  generatedAt: string
  since?: string
  clusters: ClusterTrend[]
  /** Regressions since the last run (or since the date when one was given), over all clusters. */
  regressions: number
}

export const BADNESS: Record<Status, number> = {pass: 0, skip: 0, waived: 0, warn: 1, error: 2, fail: 3}
const SEVERITY_RANK: Record<Severity, number> = {critical: 0, warning: 1, info: 2}
const KIND_RANK: Record<ChangeKind, number> = {regression: 0, new: 1, gone: 2, improvement: 3}

const keyOf = (r: PostureResult): string => `${r.id}\u0000${r.node ?? ''}`

export function compare(before: Posture, after: Posture): Comparison {
  const a = new Map(before.results.map((r) => [keyOf(r), r]))
  const b = new Map(after.results.map((r) => [keyOf(r), r]))
  const changes: Change[] = []
  for (const [k, now] of b) {
    const was = a.get(k)
    const base = {
      check: now.id,
      ...(now.node ? {node: now.node} : {}),
      title: now.title,
      severity: now.severity,
    }
    if (!was) {
      // A new check that passes is not news.
      if (BADNESS[now.status] > 0)
        changes.push({...base, kind: 'new', from: null, to: now.status, message: now.message})
      continue
    }
    const d = BADNESS[now.status] - BADNESS[was.status]
    if (d === 0) continue
    changes.push({
      ...base,
      kind: d > 0 ? 'regression' : 'improvement',
      from: was.status,
      to: now.status,
      message: now.message,
    })
  }
  for (const [k, was] of a) {
    if (b.has(k) || BADNESS[was.status] === 0) continue
    changes.push({
      kind: 'gone',
      check: was.id,
      ...(was.node ? {node: was.node} : {}),
      title: was.title,
      severity: was.severity,
      from: was.status,
      to: null,
      message: was.message,
    })
  }
  changes.sort(
    (x, y) =>
      KIND_RANK[x.kind] - KIND_RANK[y.kind] ||
      SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] ||
      BADNESS[y.to ?? 'pass'] - BADNESS[x.to ?? 'pass'] ||
      x.check.localeCompare(y.check) ||
      (x.node ?? '').localeCompare(y.node ?? ''),
  )
  return {
    from: before.startedAt,
    to: after.startedAt,
    changes,
    regressions: changes.filter(
      (c) => c.kind === 'regression' || (c.kind === 'new' && BADNESS[c.to ?? 'pass'] >= 2),
    ).length,
  }
}

function point(p: Posture): SeriesPoint {
  const s = p.summary
  return {
    startedAt: p.startedAt,
    exitCode: p.exitCode,
    pass: s.pass,
    warn: s.warn,
    fail: s.fail,
    error: s.error,
    skip: s.skip,
  }
}

/**
 * The trend of every cluster in `postures` (any order). `since` (ISO time)
 * compares the latest audit with the last one at or before it (the posture as
 * it stood then), or with the first one after it when none is older.
 */
export function trendReport(postures: readonly Posture[], opts: {since?: string; now: Date}): TrendReport {
  const by = new Map<string, Posture[]>()
  for (const p of postures) by.set(p.cluster, [...(by.get(p.cluster) ?? []), p])
  const clusters: ClusterTrend[] = []
  for (const [cluster, list] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const runs = [...list].sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    const latest = runs[runs.length - 1] as Posture
    const t: ClusterTrend = {cluster, runs: runs.length, latest: point(latest), series: runs.map(point)}
    const prev = runs[runs.length - 2]
    if (prev) t.sinceLast = compare(prev, latest)
    if (opts.since) {
      const atOrBefore = runs.filter((r) => r.startedAt <= opts.since! && r !== latest)
      const base =
        atOrBefore[atOrBefore.length - 1] ?? runs.find((r) => r.startedAt > opts.since! && r !== latest)
      if (base)
        t.sinceDate = {
          ...compare(base, latest),
          date: opts.since,
          ...(base.startedAt > opts.since
            ? {note: `no audit on record before ${opts.since}: compared with the first one after it`}
            : {}),
        }
    }
    clusters.push(t)
  }
  // Clusters with regressions first, then by name.
  const regs = (c: ClusterTrend): number =>
    (opts.since ? c.sinceDate?.regressions : c.sinceLast?.regressions) ?? 0
  clusters.sort((a, b) => regs(b) - regs(a) || a.cluster.localeCompare(b.cluster))
  return {
    schemaVersion: 1,
    kind: 'trend',
    generatedAt: opts.now.toISOString(),
    ...(opts.since ? {since: opts.since} : {}),
    clusters,
    regressions: clusters.reduce((n, c) => n + regs(c), 0),
  }
}

/** `2026-12-01`, an ISO time, or a duration back from now (`7d`, `48h`). */
export function sinceToIso(text: string, now: Date): string {
  const ms = parseDurationMs(text)
  if (ms !== undefined && !/^\d{4}-/.test(text)) return new Date(now.getTime() - ms).toISOString()
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (!Number.isFinite(t))
    throw new InputError(
      `--since ${text}: expected a date (2026-12-01), a time (2026-12-01T06:00:00Z) or a duration back from now (7d, 48h)`,
    )
  return new Date(t).toISOString()
}
