/**
 * One chaos experiment, end to end, as named phases (run/phases/):
 *
 *   before   clocks → where the logs end, the configuration in force →
 *            the workload prepared → observer and workload started → baseline
 *   inject   ledger written → dead-men armed (leases renewed) → inject →
 *            verify → hold (ended early by a signal or an abort condition)
 *   revert   revert → verify removed → dead-men cancelled → ledger removed
 *   after    settle → observer and workload stopped → workload finished →
 *            Pacemaker's log read on the survivors → result (measure/build.ts)
 *            and the RTO floor
 *
 * The revert phases always run once a ledger exists, whatever happened in
 * between. The ledger is on disk before the first change and is removed only
 * after the revert is verified; the dead-men revert on their own if this
 * process dies at any point in between (crash points, run/crash.ts, let the
 * tests prove it at every boundary).
 */
import {errorMessage} from '../../core/errors.js'
import {buildResult} from '../measure/build.js'
import type {ChaosResult} from '../measure/result.js'
import type {TimelineEvent} from '../timeline.js'
import {newContext, type ExperimentSpec, type RunContext, type RunDeps} from './context.js'
import {baseline, measureClocks, prepareWorkload, readStartState, startWatching} from './phases/before.js'
import {armDeadmen, hold, inject, startRenewal, StoppedRun, verify, writeRunLedger} from './phases/inject.js'
import {cancelDeadmen, revert} from './phases/revert.js'
import {finishWorkload, measureFloor, readLogs, settle, stopWatching} from './phases/after.js'

export type {ExperimentSpec, RunDeps} from './context.js'

export interface ExperimentOutcome {
  result: ChaosResult
  timeline: TimelineEvent[]
}

/** ledger → dead-men → inject → verify → hold; a failure is recorded, never thrown past the revert. */
async function applyFault(ctx: RunContext): Promise<void> {
  try {
    writeRunLedger(ctx)
    await armDeadmen(ctx)
    startRenewal(ctx)
    await inject(ctx)
    await verify(ctx)
    await hold(ctx)
  } catch (err) {
    if (!(err instanceof StoppedRun)) ctx.errors.push(errorMessage(err))
  }
}

/** The result, pure over what the run gathered (plus the floor, read from the CIB). */
async function conclude(ctx: RunContext): Promise<ExperimentOutcome> {
  const {fault, spec} = ctx
  ctx.timeline.sort((a, b) => a.t - b.t)
  const injectedAt = fault.injectedAt
  const result = buildResult(spec, {
    timeline: ctx.timeline,
    startedAt: ctx.startedAt,
    injectedAt,
    errors: ctx.errors,
    notes: ctx.notes,
    aborted: ctx.aborted !== undefined,
    ...(ctx.aborted ? {abort: ctx.aborted} : {}),
    revert: {
      planned: ctx.plan.reverts,
      done: fault.revertDone,
      verified: fault.revertVerified,
      deadmanFired: fault.deadmanFired,
      ledgerRemoved: fault.ledgerRemoved,
    },
    offsets: ctx.offsets,
    ...(ctx.workloadEnd?.account ? {writes: ctx.workloadEnd.account(ctx.timeline)} : {}),
    ...(ctx.config ? {config: ctx.config} : {}),
    ...(ctx.logLines.length && injectedAt !== null
      ? {logLines: ctx.logLines.filter((l) => l.t >= injectedAt - 10_000)}
      : {}),
  })
  if (spec.observe && injectedAt !== null && ctx.plan.expectFenced.length)
    result.floor = await measureFloor(ctx, result.metrics.recoveryMs)
  return {result, timeline: ctx.timeline}
}

export async function runExperiment(spec: ExperimentSpec, deps: RunDeps): Promise<ExperimentOutcome> {
  const ctx = newContext(spec, deps)
  await measureClocks(ctx)
  await readStartState(ctx)
  await prepareWorkload(ctx)
  startWatching(ctx)
  await baseline(ctx)
  await applyFault(ctx)
  await revert(ctx)
  await cancelDeadmen(ctx)
  await settle(ctx)
  await stopWatching(ctx)
  await finishWorkload(ctx)
  await readLogs(ctx)
  return conclude(ctx)
}

/** A run id: sortable by time, unique enough, safe in file names, iptables comments and shell words. */
export function newRunId(d = new Date()): string {
  const stamp = d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase()
  const rand = Math.random().toString(36).slice(2, 6).padEnd(4, '0')
  return `${stamp}-${rand}`
}
