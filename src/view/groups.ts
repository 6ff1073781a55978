/**
 * Replicated systems made of groups with one leader each (VRRP instances, Sentinel-monitored masters) in
 * the cluster view: every node's reading of each group it takes part in, reconciled into one SystemView per
 * group (the shape every replicated system has, systems.ts) — who says it leads, whom the watchers name as
 * leader, whose role could not be read — with the anomalies such a group can have: no leader, or several at
 * once (split brain). Its members are fixed by configuration, so it has no partitions. Pure.
 */
import type {NodeReadings} from './types.js'
import type {SystemAnomaly, SystemView} from './systems.js'

const key = (system: string, group: string): string => `${system}\u0000${group}`
const list = (xs: readonly string[]): string => xs.join(', ')

export function systemGroupsOf(
  readings: Record<string, NodeReadings>,
  order: readonly string[],
): SystemView[] {
  const groups = new Map<string, SystemView>()
  const unread: {system: string; node: string; error: string}[] = []
  for (const node of order) {
    const r = readings[node]
    if (!r?.reach.ok) continue
    for (const o of r.groups ?? []) {
      if (!o.ok) {
        unread.push({system: o.system, node, error: o.error})
        continue
      }
      for (const x of o.readings) {
        const k = key(x.system, x.group)
        const g = groups.get(k) ?? {
          system: x.system,
          group: x.group,
          members: [],
          leaders: [],
          named: {},
          unread: [],
          partitions: [],
          anomalies: [],
        }
        groups.set(k, g)
        const {system: _s, group: _g, ...rest} = x
        g.members.push({node, examined: true, ...rest})
        if (x.leader) g.leaders.push(node)
        if (x.names !== undefined) g.named[x.names] = [...(g.named[x.names] ?? []), node]
      }
    }
  }
  // A node whose reading of a system failed is unread in every group of that system.
  for (const u of unread)
    for (const g of groups.values()) if (g.system === u.system) g.unread.push({node: u.node, error: u.error})
  return [...groups.values()].map((g) => {
    const named = Object.keys(g.named)
    const leader =
      g.leaders.length === 1
        ? g.leaders[0]
        : g.leaders.length === 0 && named.length === 1
          ? named[0]
          : undefined
    return {...g, ...(leader !== undefined ? {leader} : {}), anomalies: groupAnomalies(g)}
  })
}

/** What a leader group can have wrong: several leaders at once, or none. */
function groupAnomalies(g: SystemView): SystemAnomaly[] {
  const out: SystemAnomaly[] = []
  const name = `${g.system} ${g.group}`
  if (g.leaders.length > 1)
    out.push({
      kind: 'system-several-leaders',
      severity: 'critical',
      nodes: g.leaders,
      message: `${name} is led by ${list(g.leaders)} at once: split brain`,
    })
  const named = Object.keys(g.named)
  if (named.length > 1)
    out.push({
      kind: 'system-several-leaders',
      severity: 'critical',
      nodes: Object.values(g.named).flat(),
      message: `${name}: its watchers disagree on the leader (${named.map((n) => `${n} by ${list(g.named[n] ?? [])}`).join('; ')})`,
    })
  const watchersOnly = g.members.every((m) => !m.leader) && named.length > 0
  if (g.leaders.length === 0 && !watchersOnly && g.unread.length === 0)
    out.push({
      kind: 'system-no-leader',
      severity: 'critical',
      nodes: g.members.map((m) => m.node),
      message: `${name} has no leader: ${g.members.map((m) => `${m.node} ${m.role}`).join(', ')}`,
    })
  return out
}
