/**
 * One data-tier experiment end to end (the chaos pipeline of issue 11 will absorb it as a fault + workload
 * declaration): discovery → plan → workload prepared and started → baseline → ledger written → dead-men
 * armed → inject → verify → hold (leases renewed, node states polled) → revert → verify removed →
 * dead-men cancelled → ledger removed → recovery awaited → workload stopped → read-back → the system's own log read → pure accounting.
 *
 * The revert ledger is written before anything changes and removed only once the revert is verified and
 * the dead-men are gone (run/data-safety.ts), so `hacheck chaos revert` sees an interrupted run; the revert
 * runs in `finally` once anything may have been injected, and the dead-men revert on their own if this
 * process dies in between (as in run/experiment.ts).
 */
import {IncompleteError, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import {discoverNode, type NodeFacts} from '../observe/discovery.js'
import {pollChanges, type PhaseEvent, type SystemObserver} from '../observe/data.js'
import {DEFAULT_LEASE, type LeaseSettings, type PlanInput} from '../faults/parts/common.js'
import {runStep, untilHolds, type StepEnv} from '../safety/steps.js'
import {now, type WriteEvent} from '../timeline.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {accountWrites, clientOutage, type WriteAccounting} from '../workloads/accounting.js'
import type {Workload, WorkloadContext} from '../workloads/types.js'
import {DataSafety, type DataSafetyOptions} from './data-safety.js'

export interface DataRunSpec {
  runId: string
  inventory: Inventory
  /** The nodes of the system (discovered, polled, their logs read). */
  nodes: string[]
  plan(input: PlanInput): PlanResult
  /** Makes the write workload (mariadb-write, pg-leader-write): its writes go onto the run's history. */
  workload(ctx: WorkloadContext): Workload
  observer: SystemObserver
  /** Other systems observed on the same nodes (e.g. etcd under Patroni): polled and their logs read too. */
  alsoObserve?: SystemObserver[]
  baselineMs: number
  holdMs: number
  /** Runs alongside the hold (e.g. an audit of the degraded cluster); its failure is recorded, never fatal. */
  duringHold?: () => Promise<void>
  /** After the revert: undefined once the system is whole again, else why not (polled every second). */
  recovered(): Promise<string | undefined>
  recoveryTimeoutMs: number
  /** Writes after the recovery before the workload stops (shows the minority serving again). */
  tailMs: number
  pollIntervalMs?: number
  /** The dead-men's lease (default DEFAULT_LEASE: reverts 10 s after hacheck stops renewing it). */
  lease?: LeaseSettings
  /** Ends the hold early (a signal): the fault is reverted at once and the run says so. */
  abort?: AbortSignal
  /** Where the ledger and the node-side dead-man state live; who is told of ledger changes. */
  safety?: DataSafetyOptions
}

export interface DataRunResult {
  runId: string
  summary: string
  workload: string
  /** Epoch ms of the fault's verified injection, its revert, and the recovery. */
  injectedAt?: number
  revertedAt?: number
  recoveredAt?: number
  /** The recorded history, in send order. */
  history: WriteEvent[]
  /** Node states polled during the run: each change, in time order. */
  polled: PhaseEvent[]
  /** Failover phases from the system's own log. */
  logged: PhaseEvent[]
  readBackFrom?: string
  accounting?: WriteAccounting
  /** The clients' outage on the majority endpoints, from the injection on. */
  rto?: {ms: number; fromMs: number; toMs: number}
  /** Why the hold ended early (a signal), when it did. */
  aborted?: string
  /** true once the revert was verified, the dead-men cancelled and the ledger removed. */
  ledgerRemoved?: boolean
  /** What a dead-man that fired on its own (lease expired) left in its log, per node. */
  deadmanFired?: string[]
  errors: string[]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function nodesOf(inv: Inventory, names: readonly string[]): NodeSpec[] {
  return names.map((n) => {
    const spec = inv.nodes.find((x) => x.name === n)
    if (!spec) throw new InputError(`no node ${n} in the inventory`)
    return spec
  })
}

/** Polls every node's state until `stop` is set; returns the states seen (per node). */
function startPolling(
  runner: CommandRunner,
  nodes: NodeSpec[],
  obs: SystemObserver,
  intervalMs: number,
): {stop(): Promise<PhaseEvent[]>} {
  let stopped = false
  const polls = new Map<string, {started: number; ended: number; state: string}[]>()
  const loops = nodes.map(async (n) => {
    const list: {started: number; ended: number; state: string}[] = []
    polls.set(n.name, list)
    while (!stopped) {
      const started = now()
      const r = await runner
        .run(n, {script: obs.pollScript, sudo: true, timeoutMs: 5000})
        .catch(() => undefined)
      list.push({started, ended: now(), state: r ? obs.parsePoll(r.stdout, r.exitCode) : 'unreachable'})
      await sleep(Math.max(0, intervalMs - (now() - started)))
    }
  })
  return {
    async stop() {
      stopped = true
      await Promise.allSettled(loops)
      return nodes
        .flatMap((n) => pollChanges(obs.system, n.name, polls.get(n.name) ?? []))
        .sort((a, b) => a.t - b.t)
    },
  }
}

async function inject(env: StepEnv, plan: FaultPlan): Promise<void> {
  for (const s of plan.inject) {
    const o = await runStep(env, s)
    if (!o.ok)
      throw new IncompleteError(
        `inject failed on ${s.kind === 'node' ? s.node : 'controller'}: ${o.error ?? ''}`,
      )
  }
  for (const s of plan.verify) {
    const o = await untilHolds(env, s, plan.verifyTimeoutMs)
    if (!o.ok) throw new IncompleteError(`the fault did not take hold: ${s.what}: ${o.error ?? ''}`)
  }
}

/**
 * The experiment's fault planned on what the nodes are now (read-only discovery, one round trip per node, in
 * parallel): the same for a run and its --dry-run. A plan the nodes refuse is an InputError saying why.
 */
export async function planOnNodes(
  runner: CommandRunner,
  o: Pick<DataRunSpec, 'runId' | 'inventory' | 'plan' | 'holdMs' | 'lease'>,
  nodes: readonly NodeSpec[],
): Promise<FaultPlan> {
  const facts = new Map<string, NodeFacts>(
    await Promise.all(nodes.map(async (n) => [n.name, await discoverNode(runner, n)] as const)),
  )
  const planned = o.plan({
    runId: o.runId,
    inventory: o.inventory,
    facts,
    holdMs: o.holdMs,
    lease: o.lease ?? DEFAULT_LEASE,
  })
  if (!planned.ok)
    throw new InputError(`cannot plan the fault: ${planned.reason}`, {actions: planned.actions ?? []})
  return planned.plan
}

/** Sleeps ms, or less when the signal fires. */
function holdFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}

export async function runDataExperiment(spec: DataRunSpec, runner: CommandRunner): Promise<DataRunResult> {
  const inv = spec.inventory
  const nodes = nodesOf(inv, spec.nodes)
  const env: StepEnv = {
    runner,
    local: () => Promise.reject(new Error('no controller steps in data-tier faults')),
    nodes: new Map(inv.nodes.map((n) => [n.name, n])),
  }
  const plan = await planOnNodes(runner, spec, nodes)
  const out: DataRunResult = {
    runId: spec.runId,
    summary: plan.summary,
    workload: '',
    history: [],
    polled: [],
    logged: [],
    errors: [],
  }
  const startS = Math.floor(now() / 1000) - 1
  const workload = spec.workload({
    runId: spec.runId,
    env: process.env,
    record: (e) => {
      if (e.kind === 'write') out.history.push(e)
    },
  })
  out.workload = workload.describe()
  await workload.prepare?.()
  workload.start()
  const observers = [spec.observer, ...(spec.alsoObserve ?? [])]
  const polls = observers.map((o) => startPolling(runner, nodes, o, spec.pollIntervalMs ?? 500))
  const safety = new DataSafety(env, spec.runId, inv, plan, spec.safety)
  let ledgered = false
  let injected = false
  try {
    await sleep(spec.baselineMs)
    if (spec.abort?.aborted) throw new IncompleteError('interrupted before the fault: nothing was injected')
    // The ledger on disk before anything changes; the dead-men next (their PIDs into the ledger).
    safety.save('armed')
    ledgered = true
    await safety.arm()
    safety.save('injecting')
    injected = true
    await inject(env, plan)
    out.injectedAt = now()
    safety.save('injected')
    const during = spec
      .duringHold?.()
      .catch((err: Error) => out.errors.push(`during the hold: ${err.message}`))
    await holdFor(Math.max(0, out.injectedAt + spec.holdMs - now()), spec.abort)
    if (spec.abort?.aborted)
      out.aborted =
        typeof spec.abort.reason === 'string'
          ? `${spec.abort.reason}: reverted at once`
          : 'interrupted (SIGINT or SIGTERM): reverted at once'
    await during
  } catch (err) {
    out.errors.push((err as Error).message)
  } finally {
    if (ledgered) {
      const verified = await safety.revert(injected, out.errors)
      if (injected) out.revertedAt = now()
      const fired: string[] = []
      out.ledgerRemoved = await safety.finish(verified, out.errors, fired)
      if (fired.length) out.deadmanFired = fired
    }
  }
  if (out.aborted) out.errors.push(out.aborted)
  const deadline = now() + spec.recoveryTimeoutMs
  let why = await spec.recovered()
  while (why !== undefined && now() < deadline) {
    await sleep(1000)
    why = await spec.recovered()
  }
  if (why === undefined) out.recoveredAt = now()
  else out.errors.push(`not recovered within ${spec.recoveryTimeoutMs / 1000} s: ${why}`)
  await sleep(spec.tailMs)
  await workload.stop()
  out.polled = (await Promise.all(polls.map((p) => p.stop()))).flat().sort((a, b) => a.t - b.t)
  out.history.sort((a, b) => a.seq - b.seq)
  for (const o of observers)
    for (const n of nodes) {
      const r = await runner.run(n, {script: o.logScript(startS), sudo: true, timeoutMs: 20_000})
      if (r.exitCode === 0) out.logged.push(...o.parseLog(n.name, r.stdout))
      else out.errors.push(`${n.name}: reading the ${o.system} log failed: ${r.stderr.trim().slice(0, 200)}`)
    }
  out.logged.sort((a, b) => a.t - b.t)
  const end = await workload.finish?.({aborted: false})
  const rb = end?.readBack ?? {ok: false, error: 'the workload reads nothing back'}
  if (rb.ok) {
    out.readBackFrom = rb.from
    // Only a fault that takes nodes out of the membership (a partition) has a minority: a killed process
    // restarted on the leader is not split brain.
    const windows =
      out.injectedAt !== undefined && out.revertedAt !== undefined && plan.leavesMembership.length > 0
        ? [{nodes: plan.leavesMembership, fromMs: out.injectedAt, toMs: out.revertedAt}]
        : []
    out.accounting = accountWrites(out.history, rb.ids, windows)
  }
  out.errors.push(...(end?.errors ?? [`read-back: ${rb.ok ? '' : rb.error}`]))
  if (out.injectedAt !== undefined) {
    const rto = clientOutage(out.history, out.injectedAt, plan.leavesMembership)
    if (rto) out.rto = rto
  }
  return out
}
