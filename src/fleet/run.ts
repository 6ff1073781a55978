/**
 * `hacheck audit --fleet`: every cluster of a fleet audited concurrently, each
 * with its own inventory, checklist and objectives. Every cluster has its own
 * SSH pool (closed, connections and all, as soon as the cluster is done) and
 * all the pools share ONE node semaphore, the global connection budget: a
 * cluster of 50 nodes and 40 clusters of 2 share the same N slots, first come
 * first served. A cluster
 * whose inventory is invalid, whose nodes are unreachable or whose audit throws
 * is recorded with its own exit code; the others go on.
 */
import {itemTitles, loadChecklist, planFromChecklist} from '../audit/checklist.js'
import {runAudit} from '../audit/run.js'
import {CaptureFactSource, LiveFactSource, type LocalRun} from '../audit/sources.js'
import type {ChaosHistoryEntry} from '../checks/define.js'
import {catalog} from '../checks/index.js'
import {errorMessage, HacheckError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {exitCodeFor, type AuditRun} from '../core/results.js'
import type {CommandRunner, Inventory} from '../core/types.js'
import {loadInventory} from '../inventory/load.js'
import {Semaphore} from '../transport/semaphore.js'
import type {FleetClusterSpec, FleetSpec} from './spec.js'
import {fleetSummary, type FleetClusterResult, type FleetRun} from './summary.js'

export interface FleetOptions {
  spec: FleetSpec
  /** A new SSH pool for one cluster on the shared node semaphore (a fleet of captures never loads ssh2). */
  pool: (nodeSemaphore: Semaphore) => Promise<CommandRunner>
  local: LocalRun
  /** Nodes worked on at once across the whole fleet (the pool's concurrency). */
  budget: number
  defaultChecklist: string
  /** --only/--skip from the command line, applied to every cluster on top of its own. */
  only?: string[]
  skip?: string[]
  gatherTimeoutMs: number
  version: string
  /**
   * hacheck's own chaos runs (items 6-7), read once for the whole fleet: each audit keeps those whose
   * cluster identity is its cluster's. A capture carries its own.
   */
  history?: () => ChaosHistoryEntry[] | undefined
  onClusterDone?: (r: FleetClusterResult, done: number, total: number) => void
  now?: () => Date
}

/**
 * The global budget: one node semaphore shared by every cluster's SSH pool,
 * which also records the most nodes it ever let through at once.
 */
export class BudgetSemaphore extends Semaphore {
  peak = 0

  override acquire(signal?: AbortSignal): Promise<() => void> {
    return super.acquire(signal).then((release) => {
      this.peak = Math.max(this.peak, this.inUse)
      return release
    })
  }
}

/** The fleet entry's name and objectives win over the inventory's. */
function withOverrides(inv: Inventory, c: FleetClusterSpec): Inventory {
  if (!c.objectives && !c.name) return inv
  return {
    ...inv,
    cluster: {
      ...inv.cluster,
      ...(c.name ? {name: c.name} : {}),
      objectives: {...inv.cluster.objectives, ...c.objectives},
    },
  }
}

function failed(
  c: FleetClusterSpec,
  exitCode: FleetClusterResult['exitCode'],
  err: unknown,
  name?: string,
): FleetClusterResult {
  return {
    name: name ?? c.label,
    source: {kind: c.source.kind, path: c.source.path},
    exitCode,
    verdict: exitCode === ExitCode.invalidInput ? 'invalid' : 'incomplete',
    error: errorMessage(err),
  }
}

async function auditCluster(
  c: FleetClusterSpec,
  o: FleetOptions,
  budget: BudgetSemaphore,
): Promise<FleetClusterResult & {titles?: Record<string, string>}> {
  const checks = catalog()
  let inventory: Inventory
  let checklist: Awaited<ReturnType<typeof loadChecklist>>
  let planned: ReturnType<typeof planFromChecklist>
  let capture: CaptureFactSource | undefined
  try {
    if (c.source.kind === 'capture') {
      capture = await CaptureFactSource.open(c.source.path)
      inventory = withOverrides(capture.inventory(), c)
    } else {
      inventory = withOverrides(await loadInventory(c.source.path), c)
    }
    checklist = await loadChecklist(c.checklist ?? o.defaultChecklist, checks)
    planned = planFromChecklist(checklist, checks, {
      only: [...(c.only ?? []), ...(o.only ?? [])],
      skip: [...(c.skip ?? []), ...(o.skip ?? [])],
    })
  } catch (err) {
    const code = err instanceof HacheckError ? err.exit : ExitCode.incomplete
    return failed(c, code === ExitCode.ok ? ExitCode.incomplete : code, err)
  }
  // The cluster's own pool on the shared budget, closed with the source when the cluster is done.
  const source =
    capture ??
    new LiveFactSource(await o.pool(budget), o.local, inventory, {
      gatherTimeoutMs: o.gatherTimeoutMs,
      perGathererTimeoutS: Math.max(5, Math.floor(o.gatherTimeoutMs / 1000 / 3)),
    })
  try {
    const history = capture ? await capture.history() : o.history?.()
    const {run} = await runAudit({
      inventory,
      checklist,
      planned,
      source,
      sourceInfo:
        c.source.kind === 'capture'
          ? {mode: 'capture', capture: c.source.path}
          : {mode: 'live', inventory: inventory.file},
      concurrency: o.budget,
      version: o.version,
      // As audit -i/--from: undefined = none could be read (a capture without one), [] = none on record.
      history,
      now: o.now?.(),
    })
    const exitCode = exitCodeFor(run.results)
    return {
      name: run.cluster.name,
      source: {kind: c.source.kind, path: c.source.path},
      exitCode,
      verdict: exitCode === 0 ? 'passed' : exitCode === 1 ? 'failed' : 'incomplete',
      run,
      titles: itemTitles(checklist),
    }
  } catch (err) {
    return failed(c, ExitCode.incomplete, err, inventory.cluster.name)
  } finally {
    await source.close()
  }
}

/** Cluster names must be unique in a fleet: they key results, history and metrics. */
function disambiguate(results: FleetClusterResult[]): void {
  const seen = new Map<string, number>()
  for (const r of results) seen.set(r.name, (seen.get(r.name) ?? 0) + 1)
  for (const r of results) {
    if ((seen.get(r.name) ?? 0) < 2) continue
    const others = results.filter((x) => x.name === r.name).map((x) => x.source.path)
    r.exitCode = ExitCode.invalidInput
    r.verdict = 'invalid'
    r.error = `cluster name "${r.name}" is used by more than one cluster of the fleet (${others.join(', ')}); give each cluster a unique cluster.name`
    delete r.run
  }
}

export async function runFleet(
  opts: FleetOptions,
): Promise<{fleet: FleetRun; titles: Record<string, Record<string, string>>}> {
  let chaosRuns: ChaosHistoryEntry[] | undefined
  let read = false
  const o: FleetOptions = {
    ...opts,
    history: () => {
      if (!read) chaosRuns = opts.history?.()
      read = true
      return chaosRuns
    },
  }
  const started = o.now?.() ?? new Date()
  const t0 = performance.now()
  const budget = new BudgetSemaphore(Math.max(1, o.budget))
  // Clusters in flight: no more than the budget (each needs at least one node slot to progress).
  const clusterSem = new Semaphore(Math.max(1, o.budget))
  let done = 0
  const total = o.spec.clusters.length
  const titles: Record<string, Record<string, string>> = {}
  const results = await Promise.all(
    o.spec.clusters.map(async (c) => {
      const release = await clusterSem.acquire()
      try {
        const r = await auditCluster(c, o, budget)
        if (r.titles) titles[r.name] = r.titles
        delete r.titles
        done++
        o.onClusterDone?.(r, done, total)
        return r as FleetClusterResult
      } finally {
        release()
      }
    }),
  )
  disambiguate(results)
  const finished = o.now?.() ?? new Date()
  const fleet: FleetRun = {
    schemaVersion: 1,
    kind: 'fleet',
    tool: {name: 'hacheck', version: o.version},
    name: o.spec.name,
    origin: o.spec.origin,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    budget: {nodes: o.budget, peakNodes: budget.peak},
    clusters: results,
    summary: fleetSummary(results),
  }
  return {fleet, titles}
}

export type {AuditRun}
