/**
 * The phases after the fault is gone: the settle (clients and cluster
 * recovered, or the settle time is up), the observer and the workload stopped,
 * the workload finished (what the store kept), Pacemaker's own log read on the
 * survivors, and the RTO floor for a run that expected a fence.
 */
import {cibadmin} from '../../../facts/cibadmin.js'
import type {ChaosResult} from '../../measure/result.js'
import {fenceTimingFor, type FenceTiming} from '../../measure/fence-timing.js'
import {judgeRecovery, rtoFloor} from '../../measure/metrics.js'
import {clusterNodes} from '../../observe/cluster.js'
import {
  LOG_PHASE_RE,
  logPhaseEvents,
  parseLogSlice,
  parseReadLog,
  readLogScript,
  readLogSliceScript,
} from '../../observe/pacemaker-log.js'
import {readSentinelLogs} from '../../observe/sentinel-log.js'
import {readKeepalivedLogs, vrrpPair} from '../../observe/vrrp.js'
import {now, type ClusterEvent} from '../../timeline.js'
import {sleep, type RunContext} from '../context.js'
import {observerOrder} from '../order.js'

/** Probes (or writes) OK for this long, and every member online, and the cluster counts as recovered. */
const QUIET_MS = 3000

/** Whether the clients and the cluster have recovered, looking at the timeline up to `t`. */
export function recovered(ctx: RunContext, t: number): boolean {
  const lag = ctx.workload?.settleLagMs ?? 1000
  const recent = ctx.timeline.filter(
    (e) => (e.kind === 'probe' || e.kind === 'write') && e.t >= t - QUIET_MS - lag && e.t <= t - lag,
  )
  const clientsOk =
    !ctx.workload ||
    (recent.length > 0 && recent.every((e) => (e.kind === 'probe' || e.kind === 'write') && e.ok))
  const s = ctx.observer?.last()
  const clusterOk =
    !ctx.observer ||
    vrrpPair(ctx.inv) !== undefined ||
    (s !== undefined && s.nodes.filter((n) => n.type === 'member').every((n) => n.online && !n.unclean))
  return clientsOk && clusterOk
}

/** 8. Settle: wait (at most settleMs) until clients and cluster have recovered; skipped on a signal. */
export async function settle(ctx: RunContext): Promise<void> {
  if (!ctx.fault.injected || ctx.deps.abort?.aborted) return
  ctx.stage('settle', 'start')
  const deadline = now() + ctx.spec.settleMs
  while (now() < deadline && !ctx.deps.abort?.aborted) {
    await sleep(500, ctx.deps.abort)
    if (recovered(ctx, now())) break
  }
  ctx.stage('settle', 'done')
}

export async function stopWatching(ctx: RunContext): Promise<void> {
  await ctx.workload?.stop()
  await ctx.observer?.stop()
}

/** 9. What the workload's store kept (pg-write: the read-back, then its table dropped). */
export async function finishWorkload(ctx: RunContext): Promise<void> {
  const w = ctx.workload
  if (!w?.finish) return
  ctx.stage('read-back', 'start', w.describe())
  const end = await w.finish({
    aborted: ctx.deps.abort?.aborted === true,
    ...(ctx.spec.readBackTimeoutMs !== undefined ? {readBackTimeoutMs: ctx.spec.readBackTimeoutMs} : {}),
  })
  ctx.workloadEnd = end
  ctx.errors.push(...end.errors)
  ctx.notes.push(...end.notes)
  ctx.stage('read-back', end.ok ? 'done' : 'failed', end.detail)
}

/** One survivor's log: the run's own slice (for the excerpts) and its phase events. */
async function readNodeLog(
  ctx: RunContext,
  name: string,
  fromT: number,
  toT: number,
): Promise<ClusterEvent[]> {
  const n = ctx.inv.nodes.find((x) => x.name === name)
  if (!n) return []
  const off = ctx.offsets.get(name)
  const from = ctx.logStart.get(name)
  try {
    // The run's own slice of the log when its start is known (all lines, for the excerpts around each
    // phase), else the phase lines of the log's tail.
    const script = from === undefined ? readLogScript() : readLogSliceScript(from)
    const r = await ctx.deps.runner.run(n, {script, sudo: true, timeoutMs: 20_000})
    if (r.exitCode !== 0) return []
    const parsed = parseReadLog(r.stdout)
    const {year, tzOffsetMin} = parsed
    let text = parsed.text
    if (from !== undefined) {
      ctx.logLines.push(...parseLogSlice(text, {node: name, year, tzOffsetMin, offsetMs: off?.offsetMs ?? 0}))
      text = text
        .split('\n')
        .filter((l) => LOG_PHASE_RE.test(l))
        .join('\n')
    }
    const services = ctx.observer?.services()
    return logPhaseEvents(text, {
      node: name,
      year,
      tzOffsetMin,
      offsetMs: off?.offsetMs ?? 0,
      fromT,
      toT,
      serviceResources: services && services.size ? services : undefined,
    })
  } catch {
    return [] // unreachable: its log is not read
  }
}

/** 10. Pacemaker's own log on the survivors: the phases timestamped from it (earliest per fact). */
export async function readLogs(ctx: RunContext): Promise<void> {
  const injectedAt = ctx.fault.injectedAt
  if (!ctx.spec.readLogs || injectedAt === null) return
  ctx.stage('logs', 'start')
  const fromT = injectedAt - 5000
  const toT = now() + 5000
  // Survivors only: a victim logs the others as lost, which is its view, not the cluster's.
  const away = new Set([...ctx.plan.targets, ...ctx.plan.leavesMembership])
  const survivors = clusterNodes(ctx.inv).filter((n) => !away.has(n.name))
  const events = (await Promise.all(survivors.map((n) => readNodeLog(ctx, n.name, fromT, toT)))).flat()
  // The same fact is logged on every node: keep the earliest per (phase, node, resource).
  const best = new Map<string, ClusterEvent>()
  for (const e of events) {
    const k = `${e.phase}|${e.node ?? ''}|${e.resource ?? ''}`
    const prev = best.get(k)
    if (!prev || e.t < prev.t) best.set(k, e)
  }
  for (const e of [...best.values()].sort((a, b) => a.t - b.t)) ctx.timeline.push(e)
  // keepalived's transitions on the LB pair (every LB: the target's own FAULT is its own to log).
  const lbPair = vrrpPair(ctx.inv)
  const vrrp = lbPair ? await readKeepalivedLogs(ctx.deps.runner, lbPair, ctx.offsets, fromT, toT) : []
  // Redis Sentinel's failover of the session store (nodes with role session).
  const sessionNodes = ctx.inv.nodes.filter((n) => n.roles.includes('session'))
  const store = sessionNodes.length
    ? await readSentinelLogs(ctx.deps.runner, sessionNodes, ctx.offsets, fromT, toT)
    : []
  ctx.timeline.push(...vrrp, ...store)
  ctx.stage('logs', 'done', `${best.size + vrrp.length + store.length} phase lines`)
}

/** 11. The RTO floor (token + consensus + fencing) and the recovery judged against it. */
export async function measureFloor(ctx: RunContext, recovery: number | null): Promise<ChaosResult['floor']> {
  const victim = ctx.plan.expectFenced[0] as string
  let fence: FenceTiming = {}
  for (const name of observerOrder(ctx.inv, ctx.plan)) {
    const node = ctx.inv.nodes.find((n) => n.name === name)
    if (!node) continue
    try {
      // The audit's own CIB gatherer: passwords are blanked on the node before the CIB leaves it.
      const r = await ctx.deps.runner.run(node, {script: cibadmin.script, sudo: true, timeoutMs: 10_000})
      if (r.exitCode === 0) {
        fence = fenceTimingFor(cibadmin.parse(r), victim)
        break
      }
    } catch {
      // try the next node
    }
  }
  const floor = rtoFloor({
    tokenMs: ctx.spec.totem?.tokenMs,
    consensusMs: ctx.spec.totem?.consensusMs,
    fenceDelayMs: fence.delayBaseMs,
    fenceActionMs: fence.actionMs,
  })
  return {...floor, ...judgeRecovery(recovery, floor, {failoverExpected: true})}
}
