/**
 * Which facts feed the cluster view's leader groups (src/view/groups.ts), on which nodes, and how each
 * tool's fact becomes the view's generic GroupReading. One entry per system: another system with one leader
 * per group is one more entry here and one mapper (membership systems: system-input.ts). Pure.
 */
import type {Fact, Gatherer} from '../facts/gatherer.js'
import {keepalivedState, type KeepalivedState} from '../facts/keepalived-state.js'
import {redisSentinel, type RedisSentinel} from '../facts/redis-sentinel.js'
import type {GroupOutcome, GroupReading} from '../view/types.js'

interface SystemSource<T> {
  system: string
  /** Nodes of these roles are asked. */
  roles: string[]
  gatherer: Gatherer<T>
  readings(value: T): GroupReading[]
}

/** A VRRP router is its virtual_router_id (instance names may differ between the peers). */
export function vrrpReadings(s: KeepalivedState): GroupReading[] {
  return s.instances.map((i) => ({
    system: 'vrrp',
    group: i.vrid !== undefined ? `vrid ${i.vrid}` : `instance ${i.name}`,
    role: i.state,
    leader: i.state === 'MASTER',
    detail: {
      instance: i.name,
      ...(i.effectivePriority !== undefined ? {priority: i.effectivePriority} : {}),
      ...(i.interface !== undefined ? {interface: i.interface} : {}),
    },
  }))
}

/** A Sentinel watches a master (by name) and names its current address; it votes once in a failover. */
export function sentinelReadings(s: RedisSentinel): GroupReading[] {
  return s.sentinels.flatMap((sen) =>
    sen.masters.map((m) => ({
      system: 'redis-sentinel',
      group: m.name,
      role: 'sentinel',
      leader: false,
      ...(m.ip !== undefined ? {names: `${m.ip}:${m.port ?? ''}`} : {}),
      votes: 1,
      ...(m.quorum !== undefined ? {quorum: m.quorum} : {}),
      detail: {
        sentinel: sen.address,
        knownSentinels: (m.numOtherSentinels ?? 0) + 1,
        ...(m.status !== undefined ? {status: m.status} : {}),
        ...(m.ckquorumOk !== undefined ? {ckquorum: m.ckquorumOk} : {}),
      },
    })),
  )
}

const source = <T>(s: SystemSource<T>): SystemSource<unknown> => s as unknown as SystemSource<unknown>

export const SYSTEM_SOURCES: readonly SystemSource<unknown>[] = [
  source({system: 'vrrp', roles: ['lb'], gatherer: keepalivedState, readings: vrrpReadings}),
  source({system: 'redis-sentinel', roles: ['session'], gatherer: redisSentinel, readings: sentinelReadings}),
]

export const SYSTEM_GATHERERS = SYSTEM_SOURCES.map((s) => ({roles: s.roles, gatherer: s.gatherer}))

/** A node's systems from its facts: a tool that is not there means the node takes no part (no outcome). */
export function systemOutcomes(facts: ReadonlyMap<string, Fact<unknown>>): GroupOutcome[] {
  const out: GroupOutcome[] = []
  for (const s of SYSTEM_SOURCES) {
    const f = facts.get(s.gatherer.id)
    if (!f) continue
    if (f.ok) out.push({ok: true, system: s.system, readings: s.readings(f.value)})
    else if (f.error.code !== 'not-installed' && f.error.code !== 'not-applicable')
      out.push({ok: false, system: s.system, error: f.error.message})
  }
  return out
}
