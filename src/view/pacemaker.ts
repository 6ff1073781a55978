/**
 * Pacemaker's state reduced to what the cluster view and the chaos observer
 * reconcile, read from the one crm_mon parser (src/facts/crm-mon.ts). Pure.
 */
import type {CrmMon} from '../facts/crm-mon.js'
import type {PacemakerState} from './types.js'

export function pacemakerStateOf(mon: CrmMon): PacemakerState {
  const nodes = mon.nodes.map((n) => ({
    name: n.name,
    online: n.online ?? false,
    unclean: n.unclean ?? false,
    standby: n.standby ?? false,
    maintenance: n.maintenance ?? false,
    pending: n.pending ?? false,
    isDc: n.isDc ?? false,
    type: n.type ?? 'member',
  }))
  const dc = mon.summary.dc
  const dcName = dc?.present ? (dc.name ?? nodes.find((n) => n.isDc)?.name) : undefined
  const o = mon.summary.options
  return {
    ...(dcName !== undefined ? {dc: dcName} : {}),
    quorate: dc?.present ? (mon.summary.quorate ?? false) : false,
    ...(o.stonithEnabled !== undefined ? {stonithEnabled: o.stonithEnabled} : {}),
    ...(o.maintenanceMode !== undefined ? {maintenanceMode: o.maintenanceMode} : {}),
    ...(o.noQuorumPolicy !== undefined ? {noQuorumPolicy: o.noQuorumPolicy} : {}),
    nodes,
    resources: mon.resources.map((r) => ({
      id: r.id,
      agent: r.agent ?? '',
      isStonith: r.isStonith,
      role: r.role ?? '',
      active: r.active ?? false,
      failed: r.failed ?? false,
      blocked: r.blocked ?? false,
      managed: r.managed ?? true,
      ...(r.pending ? {pending: r.pending} : {}),
      nodes: r.nodes,
    })),
    ...(mon.fenceHistory !== undefined ? {fences: mon.fenceHistory} : {}),
    failedActions: mon.failures.length,
  }
}

/**
 * Roles of a resource that is up. crm_mon shows a start in flight as role
 * Starting; a `pending` start/stop/migration means not up yet either, but a
 * pending Monitoring (the first monitor right after a start) does not.
 */
const RUNNING_ROLES = new Set(['Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'])
const IN_FLIGHT = /^(Start|Stop|Migrat|Promot|Demot)/

/**
 * Where each resource is: id → node names. `running` counts only finished
 * starts (crm_mon lists a pending start as role Starting, already on its new
 * node); without it, any active instance counts (a Stopping one included).
 */
export function resourceLocations(s: PacemakerState, opts: {running?: boolean} = {}): Map<string, string[]> {
  const m = new Map<string, string[]>()
  for (const r of s.resources) {
    if (!r.active) continue
    if (opts.running && (!RUNNING_ROLES.has(r.role) || (r.pending && IN_FLIGHT.test(r.pending)))) continue
    m.set(r.id, [...(m.get(r.id) ?? []), ...r.nodes])
  }
  return m
}

/** Fence devices are resources too, but their moves are not the service failing over. */
export function serviceResourceIds(s: PacemakerState): Set<string> {
  return new Set(s.resources.filter((r) => !r.isStonith).map((r) => r.id))
}

/** Reasons the cluster is not healthy enough to break on purpose; empty when it is. */
export function healthProblems(s: PacemakerState): string[] {
  const out: string[] = []
  if (!s.dc) out.push('no designated controller (DC)')
  if (!s.quorate) out.push('the cluster is not quorate')
  if (s.stonithEnabled !== true) out.push('fencing is disabled (stonith-enabled=false)')
  if (s.maintenanceMode) out.push('the cluster is in maintenance mode')
  for (const n of s.nodes.filter((x) => x.type === 'member')) {
    if (!n.online) out.push(`node ${n.name} is offline`)
    if (n.unclean) out.push(`node ${n.name} is unclean`)
    if (n.standby) out.push(`node ${n.name} is in standby`)
    if (n.maintenance) out.push(`node ${n.name} is in maintenance`)
    if (n.pending) out.push(`node ${n.name} is pending`)
  }
  for (const r of s.resources) {
    if (r.failed) out.push(`resource ${r.id} has failed`)
    if (r.blocked) out.push(`resource ${r.id} is blocked`)
  }
  for (const f of (s.fences ?? []).filter((x) => x.status === 'pending'))
    out.push(`a fence action (${f.action ?? '?'}) against ${f.target ?? '?'} is pending`)
  return out
}
