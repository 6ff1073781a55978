/**
 * The phases before the fault; nothing on any node changes in them. Clocks
 * (every node's offset and round trip), where each Pacemaker log ends and the
 * configuration in force, the workload prepared, then the observer and the
 * workload started and the baseline measured.
 */
import {errorMessage} from '../../../core/errors.js'
import type {CommandRunner, NodeSpec} from '../../../core/types.js'
import {parseCib} from '../../../facts/cibadmin.js'
import {configInForce, type ConfigInForce} from '../../measure/config.js'
import {clusterNodes} from '../../observe/cluster.js'
import {measureOffset} from '../../observe/clock.js'
import {startObserver} from '../../observe/observer.js'
import {vipNodes, vrrpPair} from '../../observe/vrrp.js'
import {logSizeScript} from '../../observe/pacemaker-log.js'
import {now} from '../../timeline.js'
import {workloadOf} from '../../workloads/index.js'
import {observerOrder} from '../order.js'
import {sleep, type RunContext} from '../context.js'

/**
 * Clock offsets (and round trips) of every reachable node: for the log timestamps, and to place the
 * injection at the middle of its round trip.
 */
export async function measureClocks(ctx: RunContext): Promise<void> {
  await Promise.all(
    ctx.inv.nodes.map(async (n) => {
      const o = await measureOffset(ctx.deps.runner, n, 5).catch(() => undefined)
      if (o) ctx.offsets.set(n.name, o)
    }),
  )
}

/**
 * Where each cluster node's Pacemaker log ends now (the run's own lines are read after it), and the
 * configuration in force, from the CIB of a healthy node, before anything changes.
 */
export async function readStartState(ctx: RunContext): Promise<void> {
  const [logStart, config] = await Promise.all([
    ctx.spec.readLogs ? logSizes(ctx.deps.runner, clusterNodes(ctx.inv)) : new Map<string, number>(),
    ctx.spec.observe ? readConfig(ctx) : undefined,
  ])
  ctx.logStart = logStart
  if (config) ctx.config = config
}

/** The workload's own preparation (pg-write: its table on the primary); a failure stops the run here. */
export async function prepareWorkload(ctx: RunContext): Promise<void> {
  const spec = ctx.spec.workload
  if (!spec) return
  const w = workloadOf(spec).create(spec, {runId: ctx.runId, env: ctx.env, record: (e) => ctx.record(e)})
  ctx.workload = w
  if (!w.prepare) return
  ctx.stage('workload', 'start', w.describe())
  try {
    const note = await w.prepare()
    if (note) ctx.record({kind: 'note', t: now(), text: note})
    ctx.stage('workload', 'done')
  } catch (err) {
    ctx.stage('workload', 'failed', errorMessage(err))
    throw err
  }
}

/** The observer on the survivors (crm_mon, the membership stream, VIP holders) and the workload, started. */
export function startWatching(ctx: RunContext): void {
  // An LB pair with a keepalived VIP (no Pacemaker): only the VIP is watched, every 200 ms.
  const lbPair = vrrpPair(ctx.inv)
  if (ctx.spec.observe)
    ctx.observer = startObserver({
      runner: ctx.deps.runner,
      nodes: vipNodes(ctx.inv),
      prefer: observerOrder(ctx.inv, ctx.plan),
      vip: ctx.inv.cluster.vip,
      offsets: new Map([...ctx.offsets].map(([n, o]) => [n, o.offsetMs])),
      crmIntervalMs: ctx.spec.crmIntervalMs ?? 200,
      vipIntervalMs: ctx.spec.vipIntervalMs ?? (lbPair ? 200 : undefined),
      pacemaker: !lbPair,
      record: (e) => ctx.record(e),
    })
  if (ctx.workload) {
    ctx.workload.start()
    ctx.record({kind: 'note', t: now(), text: `workload: ${ctx.workload.describe()}`})
  }
}

/** The steady state before the fault, as the clients and the observer see it. */
export async function baseline(ctx: RunContext): Promise<void> {
  ctx.stage('baseline', 'start', `${ctx.spec.baselineMs} ms`)
  await sleep(ctx.spec.baselineMs, ctx.hold.signal)
  ctx.stage('baseline', 'done')
}

/** Each node's Pacemaker log size (bytes) now; nodes that do not answer are left out. */
async function logSizes(runner: CommandRunner, nodes: readonly NodeSpec[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const r = await runner.run(n, {script: logSizeScript(), sudo: true, timeoutMs: 10_000})
        const size = Number(r.stdout.trim())
        if (r.exitCode === 0 && Number.isInteger(size) && size >= 0) sizes.set(n.name, size)
      } catch {
        // unreachable: its log is read the old way afterwards, if at all
      }
    }),
  )
  return sizes
}

/** The configuration in force, from the CIB of the first healthy node in observer order. */
async function readConfig(ctx: RunContext): Promise<ConfigInForce | undefined> {
  const {inv, spec} = ctx
  for (const name of observerOrder(inv, ctx.plan)) {
    const node = inv.nodes.find((n) => n.name === name)
    if (!node) continue
    try {
      const r = await ctx.deps.runner.run(node, {
        argv: ['cibadmin', '--query'],
        sudo: true,
        timeoutMs: 10_000,
      })
      if (r.exitCode !== 0) continue
      return configInForce(parseCib(r.stdout), spec.totem, inv.cluster.objectives, name)
    } catch {
      // try the next node
    }
  }
  return configInForce(undefined, spec.totem, inv.cluster.objectives)
}
