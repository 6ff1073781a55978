/**
 * The `audit --fleet` path of the audit command: load the fleet, audit every
 * cluster through one shared SSH pool, save history, render, write per-cluster
 * reports, push metrics. The command keeps only the branch that calls this.
 */
import {join} from 'node:path'

import {readChaosHistory} from '../chaos/history.js'
import {InputError} from '../core/errors.js'
import {createProgress, progressMode} from '../cli/progress.js'
import {renderPrometheus} from '../reporters/prometheus.js'
import {loadFleet} from './load.js'
import {clusterFolder} from '../history/store.js'
import {historyTimes, promAudits, saveHistory, writeFileAtomic} from './outputs.js'
import {renderFleetConsole, renderFleetMarkdown} from './render.js'
import {runFleet} from './run.js'
import type {FleetRun} from './summary.js'
import {sanitizeDeep} from '../core/sanitize.js'

export const FLEET_FORMATS = ['console', 'json', 'markdown', 'prometheus'] as const
export type FleetFormat = (typeof FLEET_FORMATS)[number]

export interface FleetCommandOptions {
  fleet: string
  outputs: {format: string; file?: string}[]
  budget: number
  connectTimeoutMs: number
  gatherTimeoutMs: number
  acceptNewHostKeys: boolean
  checklist: string
  only?: string[]
  skip?: string[]
  history?: string
  outputDir?: string
  pushGateway?: string
  quiet: boolean
  color: boolean
  json: boolean
  version: string
}

export function fleetFormat(format: string): FleetFormat {
  if ((FLEET_FORMATS as readonly string[]).includes(format)) return format as FleetFormat
  throw new InputError(
    `--format ${format}: a fleet renders as ${FLEET_FORMATS.join(', ')}; per-cluster reports go to --output-dir (audit JSON, re-render with hacheck report render)`,
  )
}

export function renderFleet(
  format: FleetFormat,
  raw: FleetRun,
  o: {color: boolean; history?: string},
): string {
  // The sanitising boundary (src/core/sanitize.ts): cluster names and messages never reach a report raw.
  const f = format === 'json' ? raw : sanitizeDeep(raw)
  switch (format) {
    case 'console':
      return renderFleetConsole(f, {color: o.color})
    case 'json':
      return JSON.stringify(f, null, 2) + '\n'
    case 'markdown':
      return renderFleetMarkdown(f)
    case 'prometheus': {
      const runs = f.clusters.flatMap((c) => (c.run ? [c.run] : []))
      const missing = f.clusters.filter((c) => !c.run)
      // A cluster that could not be audited tonight still has a last complete audit on record.
      const times = historyTimes(
        missing.map((c) => c.name),
        o.history,
      )
      return renderPrometheus({
        audits: promAudits(runs, o.history),
        missing: missing.map((c) => {
          const lc = times.get(c.name)?.lastComplete
          return {
            cluster: c.name,
            exitCode: c.exitCode,
            at: Date.parse(f.finishedAt) / 1000,
            ...(lc !== undefined ? {lastComplete: lc} : {}),
          }
        }),
        fleet: {
          name: f.name,
          durationSeconds: f.durationMs / 1000,
          budget: f.budget.nodes,
          peakNodes: f.budget.peakNodes,
        },
      })
    }
  }
}

export async function auditFleet(o: FleetCommandOptions): Promise<FleetRun> {
  const outputs = o.outputs.map((x) => ({format: fleetFormat(x.format), file: x.file}))
  const spec = await loadFleet(o.fleet)
  const {createSshPool, runLocal} = await import('../transport/index.js')
  const progress = createProgress(progressMode({quiet: o.quiet || o.json}))
  const fleet: FleetRun = await progress.step(`Auditing ${spec.clusters.length} clusters`, async (update) => {
    const r = await runFleet({
      spec,
      pool: async (nodeSemaphore) =>
        createSshPool({
          concurrency: o.budget,
          nodeSemaphore,
          connectTimeoutMs: o.connectTimeoutMs,
          acceptNewHostKeys: o.acceptNewHostKeys,
        }),
      local: (argv, lo) => runLocal(argv, lo),
      budget: o.budget,
      defaultChecklist: o.checklist,
      only: o.only,
      skip: o.skip,
      gatherTimeoutMs: o.gatherTimeoutMs,
      version: o.version,
      history: () => readChaosHistory(undefined),
      onClusterDone: (c, done, total) =>
        update(`Auditing clusters: ${done}/${total} done (${c.name}: ${c.verdict})`),
    })
    return r.fleet
  })
  // Reports first: a history or push failure (exit 3) must not cost the operator the report.
  for (const out of outputs) {
    const text = renderFleet(out.format, fleet, {color: out.file ? false : o.color, history: o.history})
    if (out.file) await writeFileAtomic(out.file, text)
    else if (!o.json) process.stdout.write(text)
  }
  const runs = fleet.clusters.flatMap((c) => (c.run ? [c.run] : []))
  if (o.outputDir) {
    for (const run of runs)
      await writeFileAtomic(
        join(o.outputDir, `${clusterFolder(run.cluster.name)}.json`),
        JSON.stringify(run, null, 2) + '\n',
      )
  }
  if (o.history) saveHistory(runs, o.history)
  if (o.pushGateway) {
    const {pushMetrics} = await import('../transport/pushgateway.js')
    await pushMetrics(renderFleet('prometheus', fleet, {color: false, history: o.history}), {
      url: o.pushGateway,
      job: 'hacheck',
      grouping: {instance: fleet.name},
    })
  }
  return fleet
}
