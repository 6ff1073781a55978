/**
 * Results and run objects. Definitions (checks, checklists) are immutable data;
 * a run produces these separate result objects, which reporters render.
 */
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'error'
export type Severity = 'critical' | 'warning' | 'info'

export const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'skip', 'error']

/** What was looked at: where, with which command, what was seen and what was expected. */
export interface Evidence {
  node?: string
  /** Gatherer id or controller-side probe that produced the observation. */
  source?: string
  command?: string
  observed: unknown
  expected?: unknown
  note?: string
}

export interface CheckResult {
  /** Check id, e.g. `fencing.enabled`. */
  id: string
  /** Item of the deployment checklist ("1".."10", extras use their own refs such as "x.time"). */
  checklistRef: string
  title: string
  area: string
  severity: Severity
  status: Status
  /** Set for node-scoped results. */
  node?: string
  message: string
  evidence: Evidence[]
  /** Markdown: Abstract / Remediation / References. Present for every non-pass. */
  remediation?: string
  durationMs: number
}

export interface RunNode {
  name: string
  host: string
  roles: string[]
  reachable: boolean
  error?: string
}

export interface AuditRun {
  schemaVersion: 1
  kind: 'audit'
  tool: {name: 'hacheck'; version: string}
  startedAt: string
  finishedAt: string
  durationMs: number
  source: {mode: 'live' | 'capture'; inventory?: string; capture?: string}
  cluster: {name: string; stack: string; objectives: {rtoMs?: number; rpoMs?: number}; vip?: string}
  checklist: {id: string; title: string; version: string}
  nodes: RunNode[]
  results: CheckResult[]
  summary: Record<Status, number> & {total: number}
}

/** Higher weight wins when statuses are aggregated (error = could not tell, never collapsed into pass). */
export const STATUS_WEIGHT: Record<Status, number> = {pass: 0, skip: 1, warn: 2, fail: 3, error: 4}

export function aggregateStatus(statuses: readonly Status[]): Status {
  let worst: Status = 'pass'
  let any = false
  for (const s of statuses) {
    any = true
    if (STATUS_WEIGHT[s] > STATUS_WEIGHT[worst]) worst = s
  }
  return any ? worst : 'skip'
}

export function summarize(results: readonly {status: Status}[]): Record<Status, number> & {total: number} {
  const s = {pass: 0, fail: 0, warn: 0, skip: 0, error: 0, total: results.length}
  for (const r of results) s[r.status]++
  return s
}

/**
 * The exit code of a run: 3 when anything could not be told (error) — the
 * audit is incomplete, so a clean bill of health cannot be given —, else 1
 * when anything failed, else 0. warn and skip never fail a run.
 */
export function exitCodeFor(results: readonly {status: Status}[]): ExitCodeValue {
  if (results.some((r) => r.status === 'error')) return ExitCode.incomplete
  if (results.some((r) => r.status === 'fail')) return ExitCode.findingsFailed
  return ExitCode.ok
}
