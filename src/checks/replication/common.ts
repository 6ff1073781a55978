/**
 * Shared by the item-5 checks: which replication engines the db nodes run
 * (PostgreSQL, MySQL/MariaDB, Redis, DRBD), read from optional facts so that a
 * node running one engine is not an error for the others, and the RPO.
 */
import type {Evidence} from '../../core/results.js'
import type {Inventory} from '../../core/types.js'
import {drbd, type Drbd} from '../../facts/drbd.js'
import type {Fact} from '../../facts/gatherer.js'
import {mysqlReplica, type MysqlReplica} from '../../facts/mysql-replica.js'
import {pgReplication, type PgReplication} from '../../facts/pg-replication.js'
import {redisReplication, type RedisReplication} from '../../facts/redis-replication.js'

export type Engine = 'postgresql' | 'mysql' | 'redis' | 'drbd'

export const ENGINE_LABEL: Record<Engine, string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL/MariaDB',
  redis: 'Redis',
  drbd: 'DRBD',
}

/** The db facts every item-5 check reads as optional facts. */
export const DB_FACTS = {pg: pgReplication, my: mysqlReplica, redis: redisReplication, drbd}

export interface DbOptional {
  pg: Fact<PgReplication>
  my: Fact<MysqlReplica>
  redis: Fact<RedisReplication>
  drbd: Fact<Drbd>
}

export type EngineState<T> =
  {state: 'present'; value: T} | {state: 'absent'} | {state: 'unknown'; error: string}

/**
 * What a fact says about an engine on a node: present, absent (not installed,
 * nothing configured, no DRBD resource), or unknown (could not tell).
 */
export function engineState<T>(f: Fact<T>, isEmpty: (v: T) => boolean = () => false): EngineState<T> {
  if (f.ok) return isEmpty(f.value) ? {state: 'absent'} : {state: 'present', value: f.value}
  if (f.error.code === 'not-applicable' || f.error.code === 'not-installed') return {state: 'absent'}
  return {state: 'unknown', error: f.error.message}
}

export interface NodeEngines {
  pg: EngineState<PgReplication>
  my: EngineState<MysqlReplica>
  redis: EngineState<RedisReplication>
  drbd: EngineState<Drbd>
}

export function nodeEngines(o: DbOptional): NodeEngines {
  return {
    pg: engineState(o.pg),
    my: engineState(o.my),
    redis: engineState(o.redis, (v) => v.instances.every((i) => i.mode === 'sentinel')),
    drbd: engineState(o.drbd, (v) => v.resources.length === 0),
  }
}

export const ENGINE_OF_KEY: Record<keyof NodeEngines, Engine> = {
  pg: 'postgresql',
  my: 'mysql',
  redis: 'redis',
  drbd: 'drbd',
}

/** Engines present on any of the nodes. */
export function enginesPresent(all: readonly NodeEngines[]): Engine[] {
  const out = new Set<Engine>()
  for (const e of all)
    for (const k of Object.keys(ENGINE_OF_KEY) as (keyof NodeEngines)[])
      if (e[k].state === 'present') out.add(ENGINE_OF_KEY[k])
  return [...out]
}

/** The engine a lag metric belongs to (undefined for a generic name such as `replication_lag`). */
export function metricEngine(metric: string): Engine | undefined {
  if (/^(pg_|ccp_)/.test(metric)) return 'postgresql'
  if (/^mysql_/.test(metric)) return 'mysql'
  if (/^redis_/.test(metric)) return 'redis'
  if (/drbd/.test(metric)) return 'drbd'
  return undefined
}

/** The declared RPO in ms, or undefined when the inventory does not declare one. */
export function rpoMs(inv: Inventory): number | undefined {
  return inv.cluster.objectives.rpoMs
}

export const fmtS = (s: number): string => `${Number.isInteger(s) ? s : Number(s.toFixed(3))} s`

export const NO_RPO =
  'the inventory declares no RPO (cluster.objectives.rpo): replication cannot be judged against it'

export const rpoEvidence = (rpo: number | undefined): Evidence => ({
  source: 'inventory',
  observed: {rpoMs: rpo ?? null},
  note: 'cluster.objectives.rpo',
})
