/**
 * What an audit leaves behind besides its report: the history record, the
 * Prometheus metrics (a textfile-collector file and/or a Pushgateway push).
 * Shared by `audit -i` and `audit --fleet`.
 */
import {writeOutputFile} from '../cli/files.js'
import {errorMessage, IncompleteError} from '../core/errors.js'
import type {AuditRun} from '../core/results.js'
import {lastComplete, lastSuccessByCheck} from '../history/posture.js'
import {readPostures, saveAudit} from '../history/store.js'
import type {PromAudit} from '../reporters/prometheus.js'

/**
 * Writes through a temp file in the same directory and a rename, so a reader
 * (node_exporter's textfile collector) never sees half a file.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  writeOutputFile(file, text, {createDir: true})
}

/** Per cluster, from the history: when each check last passed and when the last complete audit was. */
export function historyTimes(
  clusters: readonly string[],
  historyDir?: string,
): Map<string, Omit<PromAudit, 'run'>> {
  const out = new Map<string, Omit<PromAudit, 'run'>>()
  if (!historyDir) return out
  const {postures} = readPostures(historyDir, {clusters})
  for (const cluster of clusters) {
    const mine = postures.filter((p) => p.cluster === cluster)
    const lc = lastComplete(mine)
    out.set(cluster, {
      checkLastSuccess: lastSuccessByCheck(mine),
      ...(lc !== undefined ? {lastComplete: lc} : {}),
    })
  }
  return out
}

/** The Prometheus view of audit runs; with a history, last-success times come from it. */
export function promAudits(runs: readonly AuditRun[], historyDir?: string): PromAudit[] {
  const times = historyTimes(
    runs.map((r) => r.cluster.name),
    historyDir,
  )
  return runs.map((run) => ({run, ...times.get(run.cluster.name)}))
}

/** Saves runs to the history; returns the files written. A directory it cannot write → IncompleteError. */
export function saveHistory(runs: readonly AuditRun[], dir: string): string[] {
  try {
    return runs.map((r) => saveAudit(r, dir))
  } catch (err) {
    throw new IncompleteError(`cannot save the run to the history ${dir}: ${errorMessage(err)}`, {
      code: 'history-unwritable',
      actions: [
        'Make the directory writable by this user, or give another one with --history (or $HACHECK_HISTORY).',
      ],
    })
  }
}
