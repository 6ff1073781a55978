/**
 * What the phases of one experiment share: the spec, the ways to act (steps,
 * the runner), and what the run has gathered so far. Every phase reads and
 * fills this; the timeline is the one record of what happened.
 */
import {stateDir} from '../../cli/paths.js'
import type {CommandRunner, Inventory} from '../../core/types.js'
import type {TotemTimings} from '../../facts/corosync-cmapctl.js'
import type {ResultSpec} from '../measure/build.js'
import type {ConfigInForce} from '../measure/config.js'
import type {AbortInfo} from '../measure/result.js'
import type {ClockOffset} from '../observe/clock.js'
import type {RunningObserver} from '../observe/observer.js'
import type {NodeLogLine} from '../observe/pacemaker-log.js'
import {NODE_STATE_DIR, type FaultPlan} from '../plan/types.js'
import {AbortGuard, type AbortCondition} from '../safety/abort.js'
import type {DeadmanPaths} from '../safety/deadman.js'
import type {LedgerEntry} from '../safety/ledger.js'
import type {LocalRun, StepEnv, StepOutcome} from '../safety/steps.js'
import {now, type FaultPhase, type TimelineEvent} from '../timeline.js'
import type {Workload, WorkloadEnd} from '../workloads/types.js'
import type {ProgressEvent, StageState} from './progress.js'

export interface ExperimentSpec extends ResultSpec {
  baselineMs: number
  /** After the revert: wait at most this long for clients and cluster to recover. */
  settleMs: number
  /** Read Pacemaker's log on the survivors afterwards. */
  readLogs: boolean
  /** Corosync timings from discovery, for the RTO floor. */
  totem?: TotemTimings
  /** What must not happen while the fault is in place (resolved: safety/abort.ts). */
  abortWhen?: AbortCondition[]
  crmIntervalMs?: number
  vipIntervalMs?: number
  /** A write workload: how long the read-back after the run may wait for a primary (default 60 s). */
  readBackTimeoutMs?: number
}

export interface RunDeps {
  runner: CommandRunner
  local: LocalRun
  progress?: (p: ProgressEvent) => void
  /** Fires on SIGINT/SIGTERM: stop waiting, revert now. */
  abort?: AbortSignal
  /** Told every time the ledger changes (the command prints its manual commands on a second Ctrl-C). */
  onLedger?: (entry: LedgerEntry | undefined) => void
  env?: NodeJS.ProcessEnv
  /** Node-side state dir (default /run/hacheck). */
  nodeStateDir?: string
  /** Controller state dir (default $XDG_STATE_HOME/hacheck). */
  stateDir?: string
  ledgerDir?: string
  /** Lease renewal interval (default 2000 ms). */
  renewMs?: number
}

/** The fault's own state, from the ledger to its removal. */
export interface FaultState {
  ledger?: LedgerEntry
  armedLocal: {pid: number; paths: DeadmanPaths; index: number}[]
  renewTimer?: NodeJS.Timeout
  /** Nodes whose dead-man was found gone during the hold (fired, or the node rebooted). */
  deadmanGone: Set<string>
  deadmanFired: boolean
  injected: boolean
  injectedAt: number | null
  revertDone: boolean
  revertVerified: boolean
  ledgerRemoved: boolean
}

export interface RunContext {
  spec: ExperimentSpec
  deps: RunDeps
  plan: FaultPlan
  inv: Inventory
  runId: string
  startedAt: Date
  timeline: TimelineEvent[]
  notes: string[]
  errors: string[]
  stepEnv: StepEnv
  nodeDir: string
  ctlState: string
  env: NodeJS.ProcessEnv
  /** Ends the hold early: a signal (deps.abort) or a tripped abort condition. */
  hold: AbortController
  guard: AbortGuard
  /** Why the run was aborted, once it was. */
  aborted?: AbortInfo
  offsets: Map<string, ClockOffset>
  logStart: Map<string, number>
  config?: ConfigInForce
  observer?: RunningObserver
  workload?: Workload
  workloadEnd?: WorkloadEnd
  fault: FaultState
  logLines: NodeLogLine[]
  record(e: TimelineEvent): void
  stage(name: string, state: StageState, detail?: string): void
  faultEvent(phase: FaultPhase, detail?: string, t?: number): void
  /** Marks a step failure on its stage and says what failed, in one line. */
  failed(stage: string, o: StepOutcome): string
}

export function newContext(spec: ExperimentSpec, deps: RunDeps): RunContext {
  const {plan, inventory: inv} = spec
  const progress = deps.progress ?? (() => {})
  const env = deps.env ?? process.env
  const hold = new AbortController()
  const ctx: RunContext = {
    spec,
    deps,
    plan,
    inv,
    runId: spec.runId,
    startedAt: new Date(),
    timeline: [],
    notes: [...plan.notes],
    errors: [],
    stepEnv: {runner: deps.runner, local: deps.local, nodes: new Map(inv.nodes.map((n) => [n.name, n])), env},
    nodeDir: deps.nodeStateDir ?? NODE_STATE_DIR,
    ctlState: deps.stateDir ?? stateDir(),
    env,
    hold,
    guard: new AbortGuard(spec.abortWhen ?? [], plan),
    offsets: new Map(),
    logStart: new Map(),
    fault: {
      armedLocal: [],
      deadmanGone: new Set(),
      deadmanFired: false,
      injected: false,
      injectedAt: null,
      revertDone: !plan.reverts,
      revertVerified: !plan.reverts,
      ledgerRemoved: false,
    },
    logLines: [],
    record(e) {
      ctx.timeline.push(e)
      progress({type: 'event', event: e})
      const trip = ctx.guard.observe(e)
      if (trip && !ctx.aborted) {
        const at = ctx.fault.injectedAt
        ctx.aborted = {
          by: 'condition',
          reason: trip.reason,
          condition: trip.condition,
          ...(at !== null ? {atMs: Math.round(trip.t - at)} : {}),
        }
        ctx.timeline.push({
          kind: 'note',
          t: now(),
          text: `abort condition "${trip.condition}": ${trip.reason}`,
        })
        hold.abort()
      }
    },
    stage: (name, state, detail) => progress({type: 'stage', stage: name, state, detail}),
    faultEvent(phase, detail, t = now()) {
      ctx.record({
        kind: 'fault',
        t,
        fault: plan.fault,
        phase,
        target: plan.targets,
        ...(detail ? {detail} : {}),
      })
    },
    failed(stage, o) {
      const msg = `${o.step.what}${o.step.kind === 'node' ? ` on ${o.step.node}` : ''}: ${o.error ?? 'failed'}`
      ctx.stage(stage, 'failed', msg)
      return msg
    },
  }
  // A signal ends the hold the same way (and is recorded as the reason).
  deps.abort?.addEventListener(
    'abort',
    () => {
      ctx.aborted ??= {by: 'signal', reason: 'interrupted (SIGINT or SIGTERM)'}
      hold.abort()
    },
    {once: true},
  )
  if (deps.abort?.aborted) {
    ctx.aborted = {by: 'signal', reason: 'interrupted (SIGINT or SIGTERM)'}
    hold.abort()
  }
  return ctx
}

/** Resolves after `ms`, or at once when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}

/** Whether the run is being stopped (a signal, or a tripped abort condition). */
export function stopping(ctx: RunContext): boolean {
  return ctx.hold.signal.aborted
}
