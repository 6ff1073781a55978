/**
 * The result of one experiment, pure over what the runner gathered: metrics
 * over the one timeline, the expectations judged on them (the fault's defaults
 * plus the inventory's objectives when none were given), the status, and the
 * fields of the documented JSON contract (measure/result.ts).
 */
import {errorMessage} from '../../core/errors.js'
import type {ClusterIdentity} from '../../core/results.js'
import type {Inventory} from '../../core/types.js'
import type {ClockOffset} from '../observe/clock.js'
import {logExcerpts, type NodeLogLine} from '../observe/pacemaker-log.js'
import type {FaultPlan} from '../plan/types.js'
import type {TimelineEvent} from '../timeline.js'
import {describeWorkload, workloadOf} from '../workloads/index.js'
import type {WorkloadSpec} from '../workloads/types.js'
import type {WriteAccount} from '../workloads/writes.js'
import type {ConfigInForce} from './config.js'
import {evaluateExpectation, parseExpectation, type ExpectationResult} from './expectations.js'
import {failoverMetrics, phaseAgreement, recoveryMs, splitBrainWindows} from './metrics.js'
import type {AbortInfo, ChaosResult, ChaosStatus} from './result.js'

/** What the result needs to know of the experiment. */
export interface ResultSpec {
  runId: string
  inventory: Inventory
  plan: FaultPlan
  workload?: WorkloadSpec
  /** Expectation strings; the fault's defaults (plus the objectives) when undefined. */
  expectations?: string[]
  /** Whether the cluster was observed (fence expectations need it). */
  observe: boolean
  identity?: ClusterIdentity
  name?: string
}

/** What the runner gathered, for the result. */
export interface BuildInput {
  timeline: TimelineEvent[]
  startedAt: Date
  injectedAt: number | null
  errors: string[]
  notes: string[]
  aborted: boolean
  revert: ChaosResult['revert']
  offsets: ReadonlyMap<string, ClockOffset>
  /** Why the run was aborted (a signal, an abort condition that tripped), when it was. */
  abort?: AbortInfo
  /** A write workload's accounting (what its finish found, over this timeline). */
  writes?: WriteAccount
  config?: ConfigInForce
  /** The survivors' Pacemaker log lines written during the run (for the excerpts around each phase). */
  logLines?: NodeLogLine[]
}

/**
 * The default expectations of a run: the fault's own, plus the inventory's RTO
 * objective, plus its RPO objective when a write workload ran.
 */
export function defaultExpectations(
  plan: FaultPlan,
  inv: Inventory,
  hasWorkload: boolean,
  writes = false,
): string[] {
  const out = [...plan.defaultExpectations]
  if (inv.cluster.objectives.rtoMs !== undefined && hasWorkload)
    out.push(`rto <= ${inv.cluster.objectives.rtoMs}ms`)
  if (writes) {
    out.push('acked-writes > 0', 'split-brain-writes == 0')
    if (inv.cluster.objectives.rpoMs !== undefined) out.push(`rpo <= ${inv.cluster.objectives.rpoMs}ms`)
  }
  return hasWorkload ? out : out.filter((e) => !/^(rto|recovery|failed-probes|p\d\d|recovered)/.test(e))
}

export function buildResult(spec: ResultSpec, b: BuildInput): ChaosResult {
  const {plan, inventory: inv} = spec
  const metrics = failoverMetrics(b.timeline)
  const rec = recoveryMs(metrics)
  const writesRun = spec.workload ? workloadOf(spec.workload).writes : false
  const w = b.writes
  const texts = spec.expectations ?? [
    ...defaultExpectations(plan, inv, spec.workload !== undefined, writesRun),
    // A user logged out by the failover is a failure of the run, like a lost write.
    ...(spec.workload?.kind === 'sessions' ? ['sessions-lost == 0'] : []),
  ]
  const expectations: ExpectationResult[] = texts.map((t) => {
    try {
      return evaluateExpectation(parseExpectation(t), {
        metrics,
        recoveryMs: rec,
        timeline: b.timeline,
        expectFenced: plan.expectFenced,
        observed: spec.observe,
        ...(writesRun ? {writes: w?.metrics ?? {error: w?.error ?? 'the writes were not read back'}} : {}),
      })
    } catch (err) {
      return {text: t, status: 'error', observed: '', message: errorMessage(err)}
    }
  })
  if (b.injectedAt === null) {
    for (const e of expectations) {
      e.status = 'error'
      e.message = `${e.text}: not evaluated (the fault was not injected)`
    }
  }
  let status: ChaosStatus = 'pass'
  if (expectations.some((e) => e.status === 'fail')) status = 'fail'
  if (expectations.some((e) => e.status === 'error') || b.errors.length) status = 'error'
  if (!b.revert.verified || !b.revert.done) status = 'error'
  if (b.aborted) status = 'aborted'
  const vipSamples = b.timeline.filter((e) => e.kind === 'cluster' && e.phase === 'vip-holders').length
  const split = splitBrainWindows(b.timeline).map((w) => ({
    nodes: w.nodes,
    from: new Date(w.fromT).toISOString(),
    to: new Date(w.toT).toISOString(),
    fromMs: b.injectedAt === null ? null : Math.round(w.fromT - b.injectedAt),
    toMs: b.injectedAt === null ? null : Math.round(w.toT - b.injectedAt),
    samples: w.samples,
  }))
  const finished = new Date()
  return {
    status,
    fault: plan.fault,
    target: plan.targets,
    metrics: {
      clientOutageMs: metrics.probes ? metrics.clientOutageMs : null,
      clientOutageMinMs: metrics.clientOutageMinMs,
      recoveryMs: metrics.probes ? rec : null,
      probes: metrics.probes,
      failedProbes: metrics.failedProbes,
      latency: metrics.latency,
      maxVipHolders: metrics.maxVipHolders,
      ...(metrics.sessionsLost !== undefined
        ? {sessionsLost: metrics.sessionsLost, lostUsers: metrics.lostUsers ?? []}
        : {}),
      vipSamples,
      ...(split.length ? {splitBrain: split} : {}),
      outages: metrics.outages,
      ...(w ? w.fields : {}),
    },
    phases: metrics.phases.map((p) => ({
      name: p.name,
      atMs: Math.round(p.atMs),
      ...(p.node ? {node: p.node} : {}),
      ...(p.resource ? {resource: p.resource} : {}),
      ...(p.source ? {source: p.source} : {}),
    })),
    expectations,
    schemaVersion: 1,
    runId: spec.runId,
    ...(spec.name ? {name: spec.name} : {}),
    summary: plan.summary,
    cluster: inv.cluster.name,
    ...(spec.identity ? {clusterIdentity: spec.identity} : {}),
    ...(inv.file ? {inventory: inv.file} : {}),
    startedAt: b.startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - b.startedAt.getTime(),
    holdMs: plan.holdMs,
    injectedAt: b.injectedAt,
    ...(spec.workload ? {workload: describeWorkload(spec.workload)} : {}),
    objectives: {...inv.cluster.objectives},
    phaseAgreement: phaseAgreement(b.timeline).map((p) => ({
      ...p,
      ...(p.observedMs !== undefined ? {observedMs: Math.round(p.observedMs)} : {}),
      ...(p.logMs !== undefined ? {logMs: Math.round(p.logMs)} : {}),
      ...(p.deltaMs !== undefined ? {deltaMs: Math.round(p.deltaMs)} : {}),
      ...(p.observedWindowMs
        ? {observedWindowMs: [Math.round(p.observedWindowMs[0]), Math.round(p.observedWindowMs[1])]}
        : {}),
    })),
    clockOffsets: Object.fromEntries(
      [...b.offsets].map(([n, o]) => [
        n,
        {offsetMs: Math.round(o.offsetMs * 10) / 10, rttMs: Math.round(o.rttMs * 10) / 10},
      ]),
    ),
    revert: b.revert,
    notes: b.notes,
    errors: b.errors,
    ...(b.abort ? {abort: b.abort} : {}),
    ...(b.config ? {config: b.config} : {}),
    ...(b.logLines?.length && b.injectedAt !== null
      ? {logExcerpts: logExcerpts(b.logLines, metrics.phases, b.injectedAt)}
      : {}),
  }
}
