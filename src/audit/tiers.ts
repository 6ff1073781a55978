/**
 * The layers of an HA deployment, as an audit report shows them: load balancers, app servers, session
 * store, database, cluster (and the platform under them). Every result belongs to one tier; a tier is the
 * single point of failure when it has fewer than two nodes, or when one of its redundancy checks failed.
 * Pure: computed from the results and the inventory's roles.
 */
import {aggregateStatus, type CheckResult, type Status, type TierSummary} from '../core/results.js'
import type {Inventory} from '../core/types.js'

export type TierName = TierSummary['tier']

export const TIER_TITLES: Record<TierName, string> = {
  lb: 'Load balancers',
  app: 'App servers',
  session: 'Session store',
  database: 'Database',
  cluster: 'Cluster (quorum, fencing, heartbeat)',
  platform: 'Platform (power, time, logging, evidence)',
}

/** Roles whose nodes make a tier (a tier with fewer than two of them has no redundancy). */
const TIER_ROLES: Partial<Record<TierName, string[]>> = {
  lb: ['lb'],
  app: ['app'],
  session: ['session'],
  database: ['db', 'galera', 'patroni', 'etcd'],
  cluster: ['cluster'],
}

/** Checks whose failure means the tier itself is not redundant. */
const REDUNDANCY_CHECKS = new Set([
  'lb.redundant',
  'lb.backend-health',
  'vrrp.one-master',
  'vrrp.tracks-lb',
  'lb.sticky-sessions',
  'session.store-redundant',
  'session.sentinel-quorum',
  'replication.current-lag',
  'galera.primary',
  'galera.cluster-size',
  'galera.split-brain',
  'patroni.leader',
  'etcd.members',
  'quorum.votes',
  'fencing.enabled',
  'fencing.coverage',
])

export function tierOf(r: Pick<CheckResult, 'id' | 'area'>): TierName {
  if (r.id === 'lb.sticky-sessions' || r.id === 'tls.not-on-backends' || r.id === 'failover.app-reconnect')
    return 'app'
  if (r.area === 'lb' || r.area === 'vrrp' || r.area === 'tls') return 'lb'
  if (r.area === 'session') return 'session'
  if (['replication', 'storage', 'galera', 'patroni', 'etcd'].includes(r.area)) return 'database'
  if (
    ['quorum', 'fencing', 'heartbeat', 'pacemaker', 'corosync', 'capacity', 'connectivity'].includes(r.area)
  )
    return 'cluster'
  return 'platform'
}

export function tierSummaries(results: readonly CheckResult[], inv: Inventory): TierSummary[] {
  const out: TierSummary[] = []
  for (const tier of Object.keys(TIER_TITLES) as TierName[]) {
    const mine = results.filter((r) => tierOf(r) === tier)
    const roles = TIER_ROLES[tier]
    const nodes = roles
      ? inv.nodes.filter((n) => n.roles.some((x) => roles.includes(x))).map((n) => n.name)
      : []
    if (mine.length === 0 && nodes.length === 0) continue
    const why: string[] = []
    if (roles && nodes.length === 1) why.push(`one node only (${nodes[0] ?? ''})`)
    for (const r of mine)
      if (REDUNDANCY_CHECKS.has(r.id) && r.status === 'fail')
        why.push(`${r.id}${r.node ? ` [${r.node}]` : ''}: ${r.message}`)
    // Skipped checks say nothing about the tier: its status is that of the checks that ran.
    const ran = mine.filter((r) => r.status !== 'skip')
    const status: Status = ran.length ? aggregateStatus(ran.map((r) => r.status)) : 'skip'
    out.push({
      tier,
      title: TIER_TITLES[tier],
      nodes,
      status,
      counts: {
        pass: mine.filter((r) => r.status === 'pass').length,
        fail: mine.filter((r) => r.status === 'fail').length,
        warn: mine.filter((r) => r.status === 'warn').length,
        skip: mine.filter((r) => r.status === 'skip').length,
        error: mine.filter((r) => r.status === 'error').length,
        waived: mine.filter((r) => r.status === 'waived').length,
      },
      spof: why.length > 0,
      ...(why.length ? {spofWhy: [...new Set(why)]} : {}),
    })
  }
  return out
}

/** "single point of failure: the session store (session.sentinel-quorum …)" — or that none was found. */
export function spofSentence(tiers: readonly TierSummary[]): string {
  const spof = tiers.filter((t) => t.spof)
  if (spof.length === 0) return 'no tier is a single point of failure (as far as the checks could tell)'
  return `single point of failure: ${spof.map((t) => `${t.title.toLowerCase()} (${(t.spofWhy ?? [])[0] ?? ''})`).join('; ')}`
}
