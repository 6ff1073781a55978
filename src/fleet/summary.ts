/**
 * The fleet run object and its summary (pure): one result per cluster, which
 * clusters fail what, and the fleet's exit code — the worst cluster's, ranked
 * 3 (could not complete) > 2 (invalid input) > 1 (findings failed) > 0.
 */
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import type {AuditRun, Severity, Status} from '../core/results.js'
import {STATUS_WEIGHT} from '../core/results.js'

export type ClusterVerdict = 'passed' | 'failed' | 'incomplete' | 'invalid'

export interface FleetClusterResult {
  /** The inventory's cluster.name (the entry's label when the inventory could not be read). */
  name: string
  source: {kind: 'inventory' | 'capture'; path: string}
  exitCode: ExitCodeValue
  verdict: ClusterVerdict
  /** Why the cluster has no audit run (invalid inventory, internal error). */
  error?: string
  run?: AuditRun
}

/** A check that does not pass somewhere: which clusters, worst status first. */
export interface FleetCheckRow {
  id: string
  title: string
  severity: Severity
  /** cluster → worst status of this check there (fail, error, warn). */
  clusters: Record<string, Status>
  fail: number
  error: number
  warn: number
}

export interface FleetSummary {
  clusters: number
  passed: number
  failed: number
  incomplete: number
  invalid: number
  exitCode: ExitCodeValue
  /** Checks failing, in error or warning on at least one cluster; most failing clusters first. */
  checks: FleetCheckRow[]
}

export interface FleetRun {
  schemaVersion: 1
  kind: 'fleet'
  tool: {name: 'hacheck'; version: string}
  name: string
  /** The fleet file or directory. */
  origin: string
  startedAt: string
  finishedAt: string
  durationMs: number
  /** The global connection budget and the most nodes seen in flight at once. */
  budget: {nodes: number; peakNodes: number}
  clusters: FleetClusterResult[]
  summary: FleetSummary
}

const EXIT_RANK: Record<ExitCodeValue, number> = {0: 0, 1: 1, 2: 2, 3: 3}

export function worstExit(codes: readonly ExitCodeValue[]): ExitCodeValue {
  return codes.reduce<ExitCodeValue>((w, c) => (EXIT_RANK[c] > EXIT_RANK[w] ? c : w), ExitCode.ok)
}

const SEVERITY_RANK: Record<Severity, number> = {critical: 0, warning: 1, info: 2}

export function fleetSummary(results: readonly FleetClusterResult[]): FleetSummary {
  const rows = new Map<string, FleetCheckRow>()
  for (const c of results) {
    for (const r of c.run?.results ?? []) {
      if (r.status !== 'fail' && r.status !== 'error' && r.status !== 'warn') continue
      const row = rows.get(r.id) ?? {
        id: r.id,
        title: r.title,
        severity: r.severity,
        clusters: {},
        fail: 0,
        error: 0,
        warn: 0,
      }
      const prev = row.clusters[c.name]
      if (!prev || STATUS_WEIGHT[r.status] > STATUS_WEIGHT[prev]) row.clusters[c.name] = r.status
      rows.set(r.id, row)
    }
  }
  for (const row of rows.values()) {
    for (const s of Object.values(row.clusters)) if (s === 'fail' || s === 'error' || s === 'warn') row[s]++
  }
  const checks = [...rows.values()].sort(
    (a, b) =>
      b.fail - a.fail ||
      b.error - a.error ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.warn - a.warn ||
      a.id.localeCompare(b.id),
  )
  const count = (v: ClusterVerdict): number => results.filter((r) => r.verdict === v).length
  return {
    clusters: results.length,
    passed: count('passed'),
    failed: count('failed'),
    incomplete: count('incomplete'),
    invalid: count('invalid'),
    exitCode: worstExit(results.map((r) => r.exitCode)),
    checks,
  }
}
