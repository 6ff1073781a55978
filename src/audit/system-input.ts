/**
 * The data-tier systems of the cluster view (src/view/systems.ts): which gatherers each needs on which node
 * (by inventory role, gathered whatever checks were selected) and how their facts become system readings.
 * Pure. One entry per system; etcd and Patroni plug in the same way.
 */
import type {Inventory, NodeSpec} from '../core/types.js'
import {etcd, type Etcd} from '../facts/etcd.js'
import {galera, type Galera} from '../facts/galera.js'
import {patroni, type Patroni} from '../facts/patroni.js'
import {etcdReading, patroniReading} from '../view/etcd.js'
import type {FactError, Gatherer} from '../facts/gatherer.js'
import {galeraReading, wsrepServer} from '../view/galera.js'
import type {SystemInput, SystemReading} from '../view/systems.js'
import type {Reading} from '../view/types.js'
import type {FactStore} from './facts.js'

interface SystemDef {
  system: string
  role: string
  gatherer: Gatherer<unknown>
  hasLeader: boolean
  read(value: unknown, self: string, resolve: (n: string) => string): Reading<SystemReading>
}

const SYSTEMS: SystemDef[] = [
  {
    system: 'galera',
    role: 'galera',
    gatherer: galera as Gatherer<unknown>,
    hasLeader: false,
    read(value, self, resolve) {
      const s = wsrepServer((value as Galera).servers)
      if (!s) return {ok: false, error: 'no MariaDB/MySQL server with wsrep on'}
      if (s.error !== undefined && s.clusterStatus === undefined) return {ok: false, error: s.error}
      return {ok: true, value: galeraReading(s, self, resolve)}
    },
  },
  {
    system: 'etcd',
    role: 'etcd',
    gatherer: etcd as Gatherer<unknown>,
    hasLeader: true,
    read: (value, self, resolve) => etcdReading(value as Etcd, self, resolve),
  },
  {
    system: 'patroni',
    role: 'patroni',
    gatherer: patroni as Gatherer<unknown>,
    hasLeader: true,
    read: (value, self, resolve) => patroniReading(value as Patroni, self, resolve),
  },
]

/** Gatherers the data-tier systems read on a node (by its roles). */
export function systemGatherers(node: NodeSpec): Gatherer<unknown>[] {
  return SYSTEMS.filter((s) => node.roles.includes(s.role)).map((s) => s.gatherer)
}

export function systemInputsOf(
  inv: Inventory,
  outcome: {facts: FactStore; nodeErrors: ReadonlyMap<string, FactError>},
  resolve: (nameOrAddress: string) => string,
): SystemInput[] {
  const out: SystemInput[] = []
  for (const def of SYSTEMS) {
    const nodes = inv.nodes.filter((n) => n.roles.includes(def.role))
    if (nodes.length === 0) continue
    out.push({
      system: def.system,
      hasLeader: def.hasLeader,
      nodes: nodes.map((n) => {
        const examined = !outcome.nodeErrors.has(n.name)
        const f = outcome.facts.get(n.name)?.get(def.gatherer.id)
        const reading: Reading<SystemReading> | undefined = !f
          ? undefined
          : f.ok
            ? def.read(f.value, n.name, resolve)
            : {ok: false, error: f.error.message}
        return {name: n.name, examined, ...(reading ? {reading} : {})}
      }),
    })
  }
  return out
}
