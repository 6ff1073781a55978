/**
 * Replicated systems made of groups with one leader each (VRRP instances, Sentinel-monitored masters) in
 * the cluster view: every node's reading of each group it takes part in, reconciled into one entry per
 * group — who says it leads, whom the watchers name as leader, whose role could not be read — and the
 * anomalies any such system shares: no leader, or several at once (split brain). Systems with a membership
 * of their own (Galera, etcd, Patroni: partitions and quorum) are in systems.ts. Pure.
 */
import type {Anomaly, NodeReadings, SystemGroupView} from './types.js'

const key = (system: string, group: string): string => `${system}\u0000${group}`
const list = (xs: readonly string[]): string => xs.join(', ')

export function systemGroupsOf(
  readings: Record<string, NodeReadings>,
  order: readonly string[],
): SystemGroupView[] {
  const groups = new Map<string, SystemGroupView>()
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
        }
        groups.set(k, g)
        const {system: _s, group: _g, ...rest} = x
        g.members.push({node, ...rest})
        if (x.leader) g.leaders.push(node)
        if (x.names !== undefined) g.named[x.names] = [...(g.named[x.names] ?? []), node]
      }
    }
  }
  // A node whose reading of a system failed is unread in every group of that system.
  for (const u of unread)
    for (const g of groups.values()) if (g.system === u.system) g.unread.push({node: u.node, error: u.error})
  return [...groups.values()]
}

/** The anomalies every system shares: several leaders at once, or none. */
export function systemAnomalies(groups: readonly SystemGroupView[]): Anomaly[] {
  const out: Anomaly[] = []
  for (const g of groups) {
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
  }
  return out
}
