/** Which nodes a run looks at first, and which a plan touches (pure). */
import type {Inventory, NodeSpec} from '../../core/types.js'
import {clusterNodes} from '../observe/cluster.js'
import type {FaultPlan, Step} from '../plan/types.js'

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
