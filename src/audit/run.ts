/** Orchestrates one audit: plan → gather (one round trip per node, in parallel) → evaluate → run object. */
import type {AuditRun, CheckResult} from '../core/results.js'
import {summarize} from '../core/results.js'
import type {Inventory} from '../core/types.js'
import type {AuditContext, ChaosHistoryEntry} from '../checks/define.js'
import type {Checklist} from './checklist.js'
import {buildGatherPlan, evaluatePlanned, reachabilityResults, type PlannedCheck} from './engine.js'
import {gatherAll, type FactSource, type GatherOutcome} from './facts.js'
import {clusterViewOf, identityOf, matchHistory} from './view-input.js'
import {summarizeView} from '../view/summary.js'
import {tierSummaries} from './tiers.js'

export interface AuditOptions {
  inventory: Inventory
  checklist: Checklist
  planned: PlannedCheck[]
  source: FactSource
  sourceInfo: AuditRun['source']
  concurrency: number
  version: string
  /** Every saved chaos run; the audit keeps those whose cluster identity is this cluster's. */
  history?: ChaosHistoryEntry[]
  now?: Date
  onNodeDone?: (node: string, ok: boolean) => void
}

export async function runAudit(opts: AuditOptions): Promise<{run: AuditRun; outcome: GatherOutcome}> {
  const started = new Date()
  const t0 = performance.now()
  const ctx: AuditContext = {inventory: opts.inventory, now: opts.now ?? started}
  const plan = buildGatherPlan(opts.planned, ctx)
  const outcome = await gatherAll(opts.inventory, plan, opts.source, {
    concurrency: opts.concurrency,
    onNodeDone: opts.onNodeDone,
    // The results carry what they need; every node's raw output held to the end cost memory at 500 nodes.
    keepRaw: false,
  })
  const view = clusterViewOf(opts.inventory, outcome)
  ctx.view = view
  const identity = identityOf(opts.inventory, outcome, view)
  const {mine, unmatched} = matchHistory(opts.history, identity)
  ctx.identity = identity
  if (opts.history !== undefined) {
    ctx.history = mine
    ctx.historyUnmatched = unmatched
  }
  const results: CheckResult[] = [
    ...reachabilityResults(outcome, opts.inventory.nodes, view),
    ...opts.planned.flatMap((p) => evaluatePlanned(p, outcome, ctx)),
  ]
  const finished = new Date()
  const run: AuditRun = {
    schemaVersion: 1,
    kind: 'audit',
    tool: {name: 'hacheck', version: opts.version},
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    source: opts.sourceInfo,
    cluster: {
      name: opts.inventory.cluster.name,
      stack: opts.inventory.cluster.stack,
      objectives: opts.inventory.cluster.objectives,
      ...(opts.inventory.cluster.vip ? {vip: opts.inventory.cluster.vip} : {}),
      ...(identity ? {identity} : {}),
    },
    checklist: {id: opts.checklist.id, title: opts.checklist.title, version: opts.checklist.version},
    nodes: opts.inventory.nodes.map((n) => {
      const err = outcome.nodeErrors.get(n.name)
      return {
        name: n.name,
        host: n.host,
        roles: n.roles,
        reachable: !err,
        ...(err ? {error: err.message} : {}),
      }
    }),
    view: summarizeView(view),
    tiers: tierSummaries(results, opts.inventory),
    results,
    summary: summarize(results),
  }
  return {run, outcome}
}
