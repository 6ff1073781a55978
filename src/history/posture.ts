/**
 * The posture record (pure): what a trend needs from one audit, a few KB
 * instead of the whole run with its evidence.
 */
import type {AuditRun, Severity, Status} from '../core/results.js'
import {exitCodeFor} from '../core/results.js'

export interface PostureResult {
  id: string
  node?: string
  title: string
  severity: Severity
  status: Status
  message: string
}

export interface Posture {
  schemaVersion: 1
  kind: 'posture'
  cluster: string
  startedAt: string
  finishedAt: string
  durationMs: number
  exitCode: 0 | 1 | 3
  checklist: string
  summary: AuditRun['summary']
  results: PostureResult[]
  /** The full run, relative to the history directory (set when read back). */
  file?: string
}

export function postureOf(run: AuditRun, file?: string): Posture {
  return {
    schemaVersion: 1,
    kind: 'posture',
    cluster: run.cluster.name,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    exitCode: exitCodeFor(run.results) as 0 | 1 | 3,
    checklist: run.checklist.id,
    summary: run.summary,
    results: run.results.map((r) => ({
      id: r.id,
      ...(r.node ? {node: r.node} : {}),
      title: r.title,
      severity: r.severity,
      status: r.status,
      message: r.message.slice(0, 300),
    })),
    ...(file ? {file} : {}),
  }
}

/** Epoch seconds of the last posture where each check passed (every node of it), newest first scan. */
export function lastSuccessByCheck(postures: readonly Posture[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of [...postures].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))) {
    const worst = new Map<string, boolean>()
    for (const r of p.results) worst.set(r.id, (worst.get(r.id) ?? true) && r.status === 'pass')
    for (const [id, passed] of worst)
      if (passed && out[id] === undefined) out[id] = Date.parse(p.finishedAt) / 1000
  }
  return out
}

/** Epoch seconds of the newest audit that completed (exit 0 or 1), if any. */
export function lastComplete(postures: readonly Posture[]): number | undefined {
  let best: string | undefined
  for (const p of postures) if (p.exitCode !== 3 && (!best || p.finishedAt > best)) best = p.finishedAt
  return best ? Date.parse(best) / 1000 : undefined
}
