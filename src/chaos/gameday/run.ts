/**
 * Running a game day: steady state before → each step (a full experiment with
 * its own ledger, dead-man, revert and expectations; the cluster must be
 * healthy again before the next one; an `experiment:` step is a data-tier run,
 * run/data-run.ts, judged by its write accounting) → steady state after →
 * rollbacks, which run whatever happened. A step whose revert could not be verified stops the
 * game day (nothing more is broken on top of an unknown state).
 */
import {errorMessage, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory} from '../../core/types.js'
import {healthProblems} from '../../view/pacemaker.js'
import type {ExitCodeValue} from '../../core/exit-codes.js'
import {dataArgsOf, dataExit, type DataArgs, type DataExperiment} from '../run/data-plan.js'
import type {DataRunResult} from '../run/data-experiment.js'
import {planDataDryRun, runData} from '../run/data-run.js'
import {guardSignals} from '../run/signals.js'
import type {ExperimentStep, FaultStep, GameDay, ProbeSpec} from './file.js'
import {
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_RATE,
  probeCommand,
  probeHttp,
  probeTcp,
} from '../workloads/probes.js'
import {workloadFromGameDay} from '../workloads/select.js'
import type {WorkloadSpec} from '../workloads/types.js'
import type {RunProgress} from '../run/progress.js'
import {faultById} from '../faults/index.js'
import {snapshotCluster} from '../observe/cluster.js'
import type {FaultSelection} from '../run/prepare.js'
import {acquireLease} from '../../lease/file-store.js'
import {leaseTtlMs} from '../../lease/policy.js'
import {DEFAULT_LEASE} from '../faults/parts/common.js'
import {worstStatus, type ChaosResult, type ChaosStatus} from '../measure/result.js'
import {newRunId} from '../run/experiment.js'
import {runFault, type FaultOutcome} from '../run/fault.js'
import type {LocalRun} from '../safety/steps.js'
import type {TimelineEvent} from '../timeline.js'

export interface ProbeOutcome {
  probe: string
  ok: boolean
  detail: string
}

export interface RollbackOutcome {
  node: string
  run: string
  ok: boolean
  detail: string
}

/** One experiment step's run: its result and the exit code `hacheck chaos data` would give it. */
export interface DataStepResult {
  step: string
  experiment: DataExperiment
  status: ChaosStatus
  exitCode: ExitCodeValue
  result: DataRunResult
}

const DATA_STATUS: Record<ExitCodeValue, ChaosStatus> = {0: 'pass', 1: 'fail', 2: 'error', 3: 'error'}

export interface GameDayResult {
  schemaVersion: 1
  kind: 'gameday'
  name: string
  file: string
  status: ChaosStatus
  startedAt: string
  finishedAt: string
  steadyStateBefore: ProbeOutcome[]
  steadyStateAfter: ProbeOutcome[]
  experiments: ChaosResult[]
  /** The data-tier experiment steps (experiment:), in order (absent from results of an older hacheck). */
  dataRuns?: DataStepResult[]
  skipped: string[]
  rollbacks: RollbackOutcome[]
  errors: string[]
}

/** A step's fault as chosen in the file (its options were validated and typed when the file was loaded). */
export function selectionFor(step: FaultStep): FaultSelection {
  const fault = faultById(step.fault)
  if (!fault) throw new InputError(`step ${step.name}: unknown fault ${step.fault}`)
  return {fault, ...(step.target !== undefined ? {target: step.target} : {}), options: step.with}
}

export async function checkProbe(p: ProbeSpec, runner: CommandRunner, inv: Inventory): Promise<ProbeOutcome> {
  switch (p.kind) {
    case 'http': {
      const r = await probeHttp(p.url, 3000, p.expectStatus ? {expectStatus: [p.expectStatus]} : {})
      return {
        probe: `http ${p.url}`,
        ok: r.ok,
        detail: r.ok ? `HTTP ${r.status ?? '?'} in ${Math.round(r.latencyMs)} ms` : (r.error ?? 'failed'),
      }
    }
    case 'tcp': {
      const r = await probeTcp(p.host, p.port, 3000)
      return {
        probe: `tcp ${p.host}:${p.port}`,
        ok: r.ok,
        detail: r.ok ? `connected in ${Math.round(r.latencyMs)} ms` : (r.error ?? 'failed'),
      }
    }
    case 'command': {
      const r = await probeCommand(['bash', '-c', p.command], 30_000)
      return {probe: `command ${p.command}`, ok: r.ok, detail: r.ok ? 'exit 0' : (r.error ?? 'failed')}
    }
    case 'cluster': {
      const snap = await snapshotCluster(runner, inv)
      if (!snap.state)
        return {probe: 'cluster healthy', ok: false, detail: 'crm_mon did not answer on any cluster node'}
      const problems = [
        ...healthProblems(snap.state),
        ...(snap.view?.anomalies ?? []).filter((a) => a.severity !== 'info').map((a) => a.message),
      ]
      return {
        probe: 'cluster healthy',
        ok: problems.length === 0,
        detail: problems.length ? problems.join('; ') : `healthy (seen from ${snap.via ?? '?'})`,
      }
    }
  }
}

/** Polls the steady-state probes until they all pass or `timeoutMs` passes. */
export async function steadyState(
  probes: readonly ProbeSpec[],
  runner: CommandRunner,
  inv: Inventory,
  timeoutMs: number,
): Promise<ProbeOutcome[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const out: ProbeOutcome[] = []
    for (const p of probes) out.push(await checkProbe(p, runner, inv))
    if (out.every((o) => o.ok) || Date.now() >= deadline) return out
    await new Promise((r) => setTimeout(r, 2000))
  }
}

/** The error of a steady-state check with failed probes ("steady state WHEN: probe: detail; …"), else undefined. */
function notSteady(probes: readonly ProbeOutcome[], when: string): string | undefined {
  const failed = probes.filter((p) => !p.ok)
  if (!failed.length) return undefined
  return `steady state ${when}: ${failed.map((p) => `${p.probe}: ${p.detail}`).join('; ')}`
}

export interface GameDayOptions {
  inventory: Inventory
  runner: CommandRunner
  local: LocalRun
  only?: string[]
  yes: boolean
  dryRun: boolean
  workload?: WorkloadSpec
  live: RunProgress
  /** How long to wait for the steady state (before, between steps, after). */
  steadyTimeoutMs?: number
  lease?: {timeoutS: number; ttlMarginS: number}
  stateDir?: string
  interactive?: boolean
}

export interface GameDayOutcome {
  result: GameDayResult
  experiments: {result: ChaosResult; timeline: TimelineEvent[]}[]
  dryRun?: StepDryRun[]
}

/** What one step would do (a game day's --dry-run): a fault's, or an experiment's plan. */
export type StepDryRun = Extract<FaultOutcome, {kind: 'dry-run'}> & {step: string}

export async function runGameDay(g: GameDay, o: GameDayOptions): Promise<GameDayOutcome> {
  const started = new Date()
  const steps = o.only ? g.steps.filter((s) => o.only?.includes(s.name)) : g.steps
  const skipped = g.steps.filter((s) => !steps.includes(s)).map((s) => s.name)
  const dataRuns: DataStepResult[] = []
  const result: GameDayResult = {
    schemaVersion: 1,
    kind: 'gameday',
    name: g.name,
    file: g.file,
    status: 'pass',
    startedAt: started.toISOString(),
    finishedAt: '',
    steadyStateBefore: [],
    steadyStateAfter: [],
    experiments: [],
    dataRuns,
    skipped,
    rollbacks: [],
    errors: [],
  }
  const experiments: GameDayOutcome['experiments'] = []
  const steadyMs = o.steadyTimeoutMs ?? 180_000
  // Without probes of its own, a game day of experiments only has no Pacemaker to ask: each experiment
  // waits for its own system to be whole again (its recovered() probe).
  const probes: ProbeSpec[] = g.steadyState.length
    ? g.steadyState
    : steps.some((s) => s.kind !== 'experiment')
      ? [{kind: 'cluster'}]
      : []
  if (o.dryRun) {
    const dryRuns: StepDryRun[] = []
    for (const s of steps) {
      if (s.kind === 'experiment') {
        const d = await planDataDryRun(dataArgs(s), o.inventory, o.runner, {
          holdMs: s.durationMs,
          runId: newRunId(),
          ...(o.lease ? {lease: o.lease} : {}),
        })
        dryRuns.push({kind: 'dry-run', step: s.name, ...d})
        continue
      }
      const out = await runFault(selectionFor(s), {
        inventory: o.inventory,
        runner: o.runner,
        local: o.local,
        runId: newRunId(),
        holdMs: s.durationMs,
        expectations: s.expect,
        baselineMs: s.baselineMs ?? 3000,
        settleMs: s.settleMs ?? 90_000,
        observe: true,
        readLogs: true,
        dryRun: true,
        yes: true,
        allowQuorumLoss: s.allowQuorumLoss,
        ...(s.abortWhen ? {abortWhen: s.abortWhen} : {}),
        live: o.live,
        ...(o.workload ? {workload: o.workload} : {}),
      })
      if (out.kind === 'dry-run') dryRuns.push({step: s.name, ...out})
    }
    result.finishedAt = new Date().toISOString()
    return {result, experiments, dryRun: dryRuns}
  }
  let stop = false
  // The whole game day holds the cluster's chaos lease (its steps join it).
  const lease = acquireLease({
    cluster: o.inventory.cluster.name,
    runId: newRunId(),
    ttlMs: leaseTtlMs(o.lease?.timeoutS ?? DEFAULT_LEASE.timeoutS),
  })
  try {
    o.live.note(`steady state before: ${probes.length} probe(s)`)
    result.steadyStateBefore = await steadyState(probes, o.runner, o.inventory, steadyMs)
    const before = notSteady(result.steadyStateBefore, 'not met before the first step')
    if (before) {
      result.errors.push(before)
      stop = true
    }
    for (const [i, s] of steps.entries()) {
      if (stop) {
        result.skipped.push(s.name)
        continue
      }
      if (i > 0) {
        o.live.note(`waiting for the steady state before step ${s.name}`)
        const between = notSteady(
          await steadyState(probes, o.runner, o.inventory, steadyMs),
          `not back before step ${s.name}`,
        )
        if (between) {
          result.errors.push(between)
          stop = true
          result.skipped.push(s.name)
          continue
        }
      }
      if (s.kind === 'experiment') {
        o.live.note(`step ${s.name}: experiment ${s.experiment}${s.with.node ? ` ${s.with.node}` : ''}`)
        try {
          const d = await runDataStep(s, o)
          dataRuns.push(d)
          if (d.result.ledgerRemoved !== true || d.result.aborted) {
            stop = true
            result.errors.push(
              `step ${s.name}: ${d.result.aborted ? 'interrupted' : 'the revert was not verified'}; the remaining steps are skipped`,
            )
          }
        } catch (err) {
          result.errors.push(`step ${s.name}: ${errorMessage(err)}`)
          stop = true
        }
        continue
      }
      o.live.note(`step ${s.name}: ${s.fault}${s.target ? ` ${s.target}` : ''}`)
      try {
        const out = await runFault(selectionFor(s), {
          inventory: o.inventory,
          runner: o.runner,
          local: o.local,
          runId: newRunId(),
          holdMs: s.durationMs,
          ...(o.lease ? {lease: o.lease} : {}),
          expectations: s.expect,
          baselineMs: s.baselineMs ?? 3000,
          settleMs: s.settleMs ?? 90_000,
          observe: true,
          readLogs: true,
          dryRun: false,
          yes: o.yes,
          allowQuorumLoss: s.allowQuorumLoss,
          ...(s.abortWhen ? {abortWhen: s.abortWhen} : {}),
          name: s.name,
          live: o.live,
          ...(o.workload ? {workload: o.workload} : {}),
          ...(o.stateDir ? {stateDir: o.stateDir} : {}),
          ...(o.interactive !== undefined ? {interactive: o.interactive} : {}),
        })
        if (out.kind === 'ran') {
          experiments.push({result: out.result, timeline: out.timeline})
          result.experiments.push(out.result)
          if (!out.result.revert.verified || out.result.status === 'aborted') {
            stop = true
            result.errors.push(
              `step ${s.name}: ${out.result.status === 'aborted' ? 'interrupted' : 'the revert was not verified'}; the remaining steps are skipped`,
            )
          }
        }
      } catch (err) {
        result.errors.push(`step ${s.name}: ${errorMessage(err)}`)
        stop = true
      }
    }
    if (!stop || result.experiments.length || dataRuns.length) {
      o.live.note('steady state after')
      result.steadyStateAfter = await steadyState(probes, o.runner, o.inventory, steadyMs)
      const after = notSteady(result.steadyStateAfter, 'not back after the game day')
      if (after) result.errors.push(after)
    }
  } finally {
    result.rollbacks = await rollbacks(g, o)
    for (const r of result.rollbacks)
      if (!r.ok) result.errors.push(`rollback on ${r.node} failed: ${r.detail}`)
    lease.release()
  }
  result.status = worstStatus([
    ...result.experiments.map((e) => e.status),
    ...dataRuns.map((d) => d.status),
    ...(result.errors.length ? (['error'] as const) : []),
  ])
  result.finishedAt = new Date().toISOString()
  return {result, experiments}
}

const dataArgs = (s: ExperimentStep): DataArgs => ({...dataArgsOf(s.experiment, s.with), env: process.env})

/** An experiment step: `hacheck chaos data` with the step's options, under its own signal guard. */
async function runDataStep(s: ExperimentStep, o: GameDayOptions): Promise<DataStepResult> {
  const signals = guardSignals()
  try {
    const r = await runData(dataArgs(s), o.inventory, o.runner, {
      holdMs: s.durationMs,
      baselineMs: s.baselineMs ?? 3000,
      settleMs: s.settleMs ?? 150_000,
      yes: o.yes,
      ...(o.interactive !== undefined ? {interactive: o.interactive} : {}),
      ...(o.lease ? {lease: o.lease} : {}),
      abort: signals.signal,
      safety: {onLedger: signals.onLedger},
    })
    const exitCode = dataExit(r, o.inventory.cluster.objectives.rpoMs)
    return {step: s.name, experiment: s.experiment, status: DATA_STATUS[exitCode], exitCode, result: r}
  } finally {
    signals.release()
  }
}

async function rollbacks(g: GameDay, o: GameDayOptions): Promise<RollbackOutcome[]> {
  const out: RollbackOutcome[] = []
  const cluster = o.inventory.nodes.filter((n) => n.roles.length === 0 || n.roles.includes('cluster'))
  for (const rb of g.rollbacks) {
    const targets =
      rb.node === 'all' || rb.node === 'any' ? cluster : o.inventory.nodes.filter((n) => n.name === rb.node)
    if (targets.length === 0) {
      out.push({node: rb.node, run: rb.run, ok: false, detail: 'no such node in the inventory'})
      continue
    }
    if (rb.node === 'any') {
      let last: RollbackOutcome | undefined
      for (const n of targets) {
        last = await runRollback(o.runner, n, rb.run)
        if (last.ok) break
      }
      if (last) out.push(last)
      continue
    }
    for (const n of targets) out.push(await runRollback(o.runner, n, rb.run))
  }
  return out
}

async function runRollback(
  runner: CommandRunner,
  n: Inventory['nodes'][number],
  run: string,
): Promise<RollbackOutcome> {
  try {
    const r = await runner.run(n, {script: run, sudo: true, timeoutMs: 120_000})
    return {
      node: n.name,
      run,
      ok: r.exitCode === 0,
      detail: r.exitCode === 0 ? 'ok' : `exit ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`,
    }
  } catch (err) {
    return {node: n.name, run, ok: false, detail: errorMessage(err)}
  }
}

/** The workload of a game day: its own, else the inventory's service url (workloads/select.ts). */
export function gameDayWorkload(
  g: GameDay,
  inv: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): WorkloadSpec | undefined {
  const w = g.workload
  return workloadFromGameDay(
    w?.raw,
    {
      rate: w?.rate ?? DEFAULT_RATE,
      timeoutMs: w?.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      insecure: w?.insecure ?? false,
      ...(w?.writeTimeoutMs !== undefined ? {writeTimeoutMs: w.writeTimeoutMs} : {}),
    },
    inv,
    env,
  )
}
