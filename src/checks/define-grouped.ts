/**
 * A cluster check judged group by group: a VRRP router's peers, a replicated system's members. `groups` reads
 * the nodes' facts into named groups, or returns one finding when they cannot be read (a skip, "could not
 * tell"); `judge` gives each group's findings, in the groups' order. The rest is a plain cluster check.
 */
import {
  defineClusterCheck,
  type AuditContext,
  type ClusterCheck,
  type Finding,
  type GathererMap,
  type NodeFacts,
  type Params,
} from './define.js'

export interface GroupedCheck<G extends GathererMap, O extends GathererMap, P extends Params, M> extends Omit<
  ClusterCheck<G, O, P>,
  'scope' | 'evaluate'
> {
  groups(nodes: NodeFacts<G, O>[], params: P, ctx: AuditContext): ReadonlyMap<string, M> | Finding
  judge(name: string, group: M, params: P, ctx: AuditContext): Finding | Finding[]
}

export function defineGroupedCheck<
  G extends GathererMap,
  P extends Params,
  M,
  O extends GathererMap = Record<never, never>,
>(c: GroupedCheck<G, O, P, M>): ClusterCheck<G, O, P> {
  const {groups, judge, ...rest} = c
  return defineClusterCheck<G, P, O>({
    ...rest,
    evaluate(nodes, params, ctx) {
      const gs = groups(nodes, params, ctx)
      if (isGroupFinding(gs)) return gs
      return [...gs].flatMap(([name, g]) => judge(name, g, params, ctx))
    },
  })
}

function isGroupFinding<M>(x: ReadonlyMap<string, M> | Finding): x is Finding {
  return !(x instanceof Map)
}
