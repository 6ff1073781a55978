/**
 * Which workload a run gets: from the command line (`--load VALUE`, alias
 * --workload; --probe-command; --pg-url alone means pg-write; --no-load) or
 * a game day's `workload:` mapping, else the inventory's service url. Each
 * declaration says which values are its own.
 */
import {InputError} from '../../core/errors.js'
import type {Inventory} from '../../core/types.js'
import {COMMAND_PREFIX} from './command.js'
import {WORKLOADS} from './index.js'
import type {GameDayLoad, LoadChoice, WorkloadSpec} from './types.js'

export interface LoadFlags extends LoadChoice {
  load?: string
  probeCommand?: string
  noLoad: boolean
}

/** The inventory's service as a --load value: its url, else tcp://VIP:PORT. */
function serviceLoad(inv: Inventory): string | undefined {
  const service = inv.cluster.service as {url?: string; port?: number} | undefined
  return (
    service?.url ??
    (service?.port && inv.cluster.vip ? `tcp://${inv.cluster.vip}:${service.port}` : undefined)
  )
}

function claim(value: string, c: LoadChoice, inv: Inventory, env: NodeJS.ProcessEnv): WorkloadSpec {
  for (const w of WORKLOADS) {
    const spec = w.fromLoad(value, c, inv, env)
    if (spec) return spec
  }
  if (/^postgres(ql)?:/.test(value))
    throw new InputError(`--load ${value}: for PostgreSQL writes use --workload pg-write --pg-url ${value}`)
  throw new InputError(
    `--load ${value}: expected a URL such as http://198.18.2.100/ or tcp://198.18.2.100:5432, or ${WORKLOADS.filter(
      (w) => w.writes,
    )
      .map((w) => w.kind)
      .join(', ')}`,
  )
}

export function workloadFromFlags(
  f: LoadFlags,
  inv: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): WorkloadSpec | undefined {
  const keywords = WORKLOADS.flatMap((w) => (w.keyword ? [w.keyword] : []))
  // --pg-url alone is pg-write.
  const load = f.load ?? (f.pgUrl !== undefined && !f.probeCommand ? 'pg-write' : undefined)
  if (load !== undefined && keywords.some((k) => load === k || load.startsWith(`${k}:`))) {
    if (f.noLoad) throw new InputError(`--workload ${load} and --no-load contradict each other`)
    return claim(load, f, inv, env)
  }
  if (f.pgUrl !== undefined)
    throw new InputError('--pg-url is for --workload pg-write (it cannot go with another workload)')
  if (f.probeCommand) return claim(`${COMMAND_PREFIX}${f.probeCommand}`, f, inv, env)
  if (f.noLoad) return undefined
  const value = load ?? serviceLoad(inv)
  return value === undefined ? undefined : claim(value, f, inv, env)
}

/** The workload of a game day: the one its `workload:` mapping names, else the inventory's service url. */
export function workloadFromGameDay(
  raw: Readonly<Record<string, unknown>> | undefined,
  common: Omit<GameDayLoad, 'raw'>,
  inv: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): WorkloadSpec | undefined {
  // pg-write wins over the probes when both are given (it is the one that needs a database).
  const order = [...WORKLOADS].sort((a, b) => Number(b.writes) - Number(a.writes))
  for (const w of order)
    if (raw?.[w.gameDay.key] !== undefined) return w.gameDay.from({raw, ...common}, inv, env)
  const value = serviceLoad(inv)
  if (!value?.startsWith('http')) return undefined
  return {
    ...claim(
      value,
      {...common, probeTimeoutMs: common.timeoutMs, writeTimeoutMs: 0, keepTable: false, dryRun: true},
      inv,
      env,
    ),
    ...(common.insecure ? {insecure: true} : {}),
  }
}
