/**
 * Run history: every chaos run is saved under
 * $XDG_STATE_HOME/hacheck/runs/<runId>/ as run.json (the ChaosResult) and
 * timeline.jsonl (every probe, fault event and cluster observation). The
 * audit's items 6-7 ("failover tested under load", "application behaviour
 * after failover") read it through readChaosHistory().
 */
import {readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {ChaosHistoryEntry} from '../core/results.js'
import {stateDir} from '../cli/paths.js'
import type {ChaosResult} from './measure/result.js'
import {fromJsonl, toJsonl, type TimelineEvent} from './timeline.js'
import {makeDirs} from '../cli/files.js'

export function runsDir(base = stateDir()): string {
  return join(base, 'runs')
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, text, {mode: 0o600})
  renameSync(tmp, file)
}

/** Saves a run; returns its directory. */
export function saveRun(result: ChaosResult, timeline: readonly TimelineEvent[], base = stateDir()): string {
  const dir = join(runsDir(base), result.runId)
  makeDirs(dir, 0o700)
  result.runDir = dir
  writeAtomic(join(dir, 'timeline.jsonl'), toJsonl(timeline))
  writeAtomic(join(dir, 'run.json'), JSON.stringify(result, null, 2) + '\n')
  return dir
}

export interface SavedRun {
  dir: string
  result: ChaosResult
}

/** Every saved run (oldest first); unreadable ones are skipped. */
export function listRuns(base = stateDir()): SavedRun[] {
  const root = runsDir(base)
  let names: string[]
  try {
    names = readdirSync(root).sort()
  } catch {
    return []
  }
  const out: SavedRun[] = []
  for (const name of names) {
    const dir = join(root, name)
    try {
      const result = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as ChaosResult
      if (result.schemaVersion === 1 && result.runId) out.push({dir, result})
    } catch {
      // not a run directory
    }
  }
  return out.sort((a, b) => a.result.startedAt.localeCompare(b.result.startedAt))
}

export function loadRun(
  idOrDir: string,
  base = stateDir(),
): {result: ChaosResult; timeline: TimelineEvent[]; dir: string} {
  const dir = idOrDir.includes('/') ? idOrDir : join(runsDir(base), idOrDir)
  const result = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as ChaosResult
  let timeline: TimelineEvent[] = []
  try {
    timeline = fromJsonl(readFileSync(join(dir, 'timeline.jsonl'), 'utf8'))
  } catch {
    timeline = []
  }
  return {result, timeline, dir}
}

export function historyEntry(r: ChaosResult, file?: string): ChaosHistoryEntry {
  const e: ChaosHistoryEntry = {
    id: r.runId,
    cluster: r.cluster,
    ...(r.clusterIdentity ? {identity: r.clusterIdentity} : {}),
    fault: r.fault,
    target: r.target,
    startedAt: r.startedAt,
    status: r.status,
    objectives: r.objectives,
    expectations: r.expectations.map((x) => ({text: x.text, status: x.status})),
  }
  if (r.workload) e.workload = r.workload
  if (r.metrics.clientOutageMs !== null && r.metrics.probes > 0) e.clientOutageMs = r.metrics.clientOutageMs
  if (typeof r.metrics.lostWrites === 'number') e.lostWrites = r.metrics.lostWrites
  if (file) e.file = file
  return e
}

/**
 * hacheck's own chaos run history, newest first (for audit items 6-7). Every run: the audit keeps those whose
 * cluster identity is the audited cluster's (never by the inventory's name alone).
 */
export function readChaosHistory(base = stateDir()): ChaosHistoryEntry[] {
  return listRuns(base)
    .map((s) => historyEntry(s.result, join(s.dir, 'run.json')))
    .reverse()
}
