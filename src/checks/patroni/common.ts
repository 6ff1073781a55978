/** Shared by the patroni.* checks. Pure. */
import type {Evidence} from '../../core/results.js'
import {patroni, type Patroni} from '../../facts/patroni.js'
import {ev} from '../evidence.js'

export const PATRONI_ROLES = ['patroni']

export function patroniEvidence(node: string, p: Patroni, observed: Record<string, unknown> = {}): Evidence {
  return ev(node, patroni, {config: p.config, ...observed})
}

/** The DCS settings as one member read them (the first member that could). */
export function dcsOf(
  nodes: readonly {node: {name: string}; facts: {p: Patroni}}[],
): {from: string; dcs: NonNullable<Patroni['dcs']>} | undefined {
  for (const n of nodes) if (n.facts.p.dcs) return {from: n.node.name, dcs: n.facts.p.dcs}
  return undefined
}
