/** Which nodes a run looks at first, which a plan touches, and the ledger of a plan (pure). */
import type {Inventory, NodeSpec} from '../../core/types.js'
import {clusterNodes} from '../observe/cluster.js'
import {NODE_STATE_DIR, type Deadman, type FaultPlan, type Step} from '../plan/types.js'
import {newLedger, type LedgerEntry} from '../safety/ledger.js'

/** Survivors first: nodes the fault does not target, in inventory order. */
export function observerOrder(inv: Inventory, plan: FaultPlan): string[] {
  const cluster = clusterNodes(inv).map((n) => n.name)
  const away = new Set([...plan.targets, ...plan.leavesMembership])
  return [...cluster.filter((n) => !away.has(n)), ...cluster.filter((n) => away.has(n))]
}

/** The nodes a plan's steps refer to (for the ledger). */
export function nodesOfPlan(inv: Inventory, plan: FaultPlan): NodeSpec[] {
  const names = new Set<string>()
  const add = (s: Step): void => {
    if (s.kind === 'node') names.add(s.node)
  }
  ;[...plan.inject, ...plan.verify, ...plan.revert, ...plan.verifyReverted].forEach(add)
  for (const d of plan.deadmen) if (d.kind === 'node') names.add(d.node)
  return inv.nodes.filter((n) => names.has(n.name))
}

/**
 * The revert ledger of a plan before anything changes: what `chaos revert` replays (the fault runs and the
 * data runs write the same entry; `deadmen` are those the run arms).
 */
export function ledgerOfPlan(o: {
  runId: string
  inv: Inventory
  plan: FaultPlan
  nodeDir: string
  deadmen: readonly Deadman[]
}): LedgerEntry {
  const {inv, plan} = o
  return newLedger({
    runId: o.runId,
    ...(inv.file !== undefined ? {inventoryFile: inv.file} : {}),
    fault: plan.fault,
    targets: plan.targets,
    summary: plan.summary,
    nodes: nodesOfPlan(inv, plan),
    revert: plan.revert,
    verifyReverted: plan.verifyReverted,
    deadmen: o.deadmen.map((deadman) => ({deadman})),
    ...(o.nodeDir !== NODE_STATE_DIR ? {nodeStateDir: o.nodeDir} : {}),
  })
}
