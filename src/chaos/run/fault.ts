/**
 * The service behind every `hacheck chaos <fault>` command (and each step of a
 * game day): prepare (run/prepare.ts: the cluster now, target, controller guard,
 * discovery, plan, preflight) → --dry-run, or the preflight's refusal →
 * confirmation → the experiment under the signal guard → the run saved.
 */
import {createInterface} from 'node:readline/promises'

import {InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory} from '../../core/types.js'
import {DEFAULT_LEASE, type LeaseSettings} from '../faults/parts/common.js'
import {saveRun} from '../history.js'
import {parseExpectation} from '../measure/expectations.js'
import type {ChaosResult} from '../measure/result.js'
import type {FaultPlan} from '../plan/types.js'
import type {PreflightResult} from '../safety/preflight.js'
import type {LocalRun} from '../safety/steps.js'
import {workloadOf} from '../workloads/index.js'
import type {WorkloadSpec} from '../workloads/types.js'
import {runExperiment, type ExperimentOutcome} from './experiment.js'
import {prepareFault, preflightLines, refuseUnhealthy, type FaultSelection} from './prepare.js'
import type {RunProgress} from './progress.js'
import {guardSignals} from './signals.js'
import {resolveAbortConditions} from '../safety/abort.js'
import {vrrpPair} from '../observe/vrrp.js'
import {acquireLease} from '../../lease/file-store.js'
import {leaseTtlMs} from '../../lease/policy.js'

export interface RunOptions {
  inventory: Inventory
  runner: CommandRunner
  local: LocalRun
  runId: string
  holdMs: number
  lease?: LeaseSettings
  workload?: WorkloadSpec
  expectations?: string[]
  /** Abort conditions while the fault is in place, as written (safety/abort.ts); checked before anything. */
  abortWhen?: string[]
  baselineMs: number
  settleMs: number
  observe: boolean
  readLogs: boolean
  dryRun: boolean
  yes: boolean
  allowQuorumLoss: boolean
  /** Skip the health/quorum preflight (game-day steps that expect a degraded cluster). */
  skipPreflight?: boolean
  name?: string
  live: RunProgress
  /** Where to save the run (default: the state dir). */
  stateDir?: string
  interactive?: boolean
}

export type FaultOutcome =
  | {kind: 'dry-run'; runId: string; head: string[]; plan: FaultPlan; preflight?: PreflightResult}
  | ({kind: 'ran'} & ExperimentOutcome)

/** Validates expectation strings up front (bad input → exit 2 before anything happens). */
export function checkExpectations(list: readonly string[] | undefined): void {
  for (const e of list ?? []) parseExpectation(e)
}

async function confirm(summary: string, cluster: string): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const a = await rl.question(
      `hacheck chaos: about to ${summary} on cluster ${cluster}.\nType "yes" to go on: `,
    )
    return a.trim().toLowerCase() === 'yes'
  } finally {
    rl.close()
  }
}

/** --yes, else a "yes" typed on the terminal; without a terminal, a refusal (exit 2). */
export async function requireConfirmation(
  summary: string,
  cluster: string,
  o: {yes: boolean; interactive?: boolean},
): Promise<void> {
  if (o.yes) return
  const tty = o.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true)
  if (!tty)
    throw new InputError(
      `refusing to ${summary} without confirmation: there is no terminal to ask on; pass --yes to confirm`,
      {code: 'confirmation-required'},
    )
  if (!(await confirm(summary, cluster)))
    throw new InputError('not confirmed: nothing was changed', {code: 'not-confirmed'})
}

function confirmed(o: RunOptions, plan: FaultPlan): Promise<void> {
  return requireConfirmation(plan.summary, o.inventory.cluster.name, {
    yes: o.yes,
    ...(o.interactive !== undefined ? {interactive: o.interactive} : {}),
  })
}

export async function runFault(sel: FaultSelection, o: RunOptions): Promise<FaultOutcome> {
  checkExpectations(o.expectations)
  const abortWhen = resolveAbortConditions(o.abortWhen ?? [], o.inventory.cluster.objectives)
  const prepared = await prepareFault(sel, {...o, note: (t) => o.live.note(t)})
  const {plan} = prepared
  if (o.dryRun) {
    const head = preflightLines(prepared, o.inventory)
    const note = o.workload
      ? workloadOf(o.workload)
          .create(o.workload, {runId: o.runId, env: process.env, record: () => {}})
          .dryRunNote?.()
      : undefined
    if (note) head.push(`# workload: ${note}`)
    return {
      kind: 'dry-run',
      runId: o.runId,
      head,
      plan,
      ...(prepared.preflight ? {preflight: prepared.preflight} : {}),
    }
  }
  if (!o.skipPreflight) {
    refuseUnhealthy(prepared, o.inventory)
    if (vrrpPair(o.inventory))
      o.live.note(`preflight ok: the VIP is on ${prepared.snapshot.vipHolders[0] ?? ''} (VRRP MASTER)`)
    else if (prepared.preflight) o.live.note(`preflight ok: ${prepared.preflight.quorum.explanation}`)
  }
  await confirmed(o, plan)
  const signals = guardSignals()
  // One controller injects into a cluster at a time (src/lease; lost lease → revert now).
  const lease = acquireLease({
    cluster: o.inventory.cluster.name,
    ...(prepared.identity ? {key: prepared.identity.id} : {}),
    runId: o.runId,
    ttlMs: leaseTtlMs((o.lease ?? DEFAULT_LEASE).timeoutS),
    onLost: () => {
      o.live.note('chaos lease lost to another controller: reverting now')
      signals.abort()
    },
  })
  let outcome: ExperimentOutcome
  try {
    outcome = await runExperiment(
      {
        runId: o.runId,
        inventory: o.inventory,
        plan,
        workload: o.workload,
        expectations: o.expectations,
        ...(abortWhen.length ? {abortWhen} : {}),
        baselineMs: o.baselineMs,
        settleMs: o.settleMs,
        observe: o.observe,
        readLogs: o.readLogs && o.observe,
        totem: prepared.totem,
        ...(prepared.identity ? {identity: prepared.identity} : {}),
        name: o.name,
      },
      {
        runner: o.runner,
        local: o.local,
        abort: signals.signal,
        progress: (p) => o.live.onProgress(p),
        onLedger: signals.onLedger,
        stateDir: o.stateDir,
      },
    )
  } finally {
    signals.release()
    lease.release()
  }
  saveRun(outcome.result, outcome.timeline, o.stateDir)
  return {kind: 'ran', ...outcome}
}

export function statusExit(r: ChaosResult): 0 | 1 | 3 {
  return r.status === 'pass' ? 0 : r.status === 'fail' ? 1 : 3
}
