/**
 * Which node speaks for the cluster's replicated state (CIB, fencer, Pacemaker's
 * status): the quorate partition's speaker from the cluster view, never simply
 * the first node that answered — on a split, that may be the minority. Pure.
 */
import type {Evidence} from '../core/results.js'
import type {NodeSpec} from '../core/types.js'
import {primaryPartition, speakerOf} from '../view/build.js'
import type {AuditContext} from './define.js'

export function authority<T extends {node: NodeSpec}>(nodes: readonly T[], ctx: AuditContext): T | undefined {
  const view = ctx.view
  if (view) {
    const speaker = speakerOf(view)
    const primary = primaryPartition(view)
    const pick =
      nodes.find((n) => n.node.name === speaker) ?? nodes.find((n) => primary?.members.includes(n.node.name))
    if (pick) return pick
  }
  return nodes[0]
}

/** Evidence line saying whose view a cluster-wide result was read from, and why that node. */
export function authorityNote(node: string, ctx: AuditContext): Evidence | undefined {
  const view = ctx.view
  if (!view?.partitions.length) return undefined
  const primary = primaryPartition(view)
  const note = primary?.members.includes(node)
    ? `read from ${node}${primary.dc === node ? ', the DC' : ''} of the quorate partition ${primary.name}`
    : `read from ${node}, which is not in a quorate partition`
  return {
    node,
    source: 'cluster view',
    observed: {partition: view.nodes.find((n) => n.name === node)?.partition ?? null},
    note,
  }
}
