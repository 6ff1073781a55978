/**
 * The versioned result of one chaos experiment: what `--format json` prints,
 * what runs/<runId>/run.json stores and what every reporter renders. The first
 * fields are the documented contract (`status, fault, target, metrics, phases,
 * expectations`); phase offsets are ms after the injection.
 */
import type {ClusterIdentity} from '../../core/results.js'
import type {ConfigInForce} from './config.js'
import type {ExpectationResult} from './expectations.js'
import type {FloorVerdict, OutageWindow, PhaseAgreement, RtoFloor} from './metrics.js'
import type {LogExcerpt} from '../observe/pacemaker-log.js'
import type {FaultId} from '../plan/types.js'
import type {WritesOut} from '../workloads/writes.js'

export type ChaosStatus = 'pass' | 'fail' | 'error' | 'aborted'

/** Why a run was stopped before its hold ended (the fault was then reverted at once). */
export interface AbortInfo {
  /** signal: SIGINT or SIGTERM; condition: one of the run's abort conditions tripped. */
  by: 'signal' | 'condition'
  /** In words, e.g. "client outage 61.2 s > 60 s (2×RTO)". */
  reason: string
  /** The condition as declared (--abort-when, a game day's abortWhen). */
  condition?: string
  /** When it tripped, ms after the injection. */
  atMs?: number
}

export interface ChaosMetricsOut {
  /** Client-visible unavailability (sum of outage windows ending after the injection); null = never recovered. */
  clientOutageMs: number | null
  /** Lower bound: first to last failed probe. */
  clientOutageMinMs: number
  /** Injection → first sustained success after the last outage (0 = no outage). */
  recoveryMs: number | null
  probes: number
  failedProbes: number
  latency: {p50: number; p95: number; p99: number; max: number} | null
  /** Most nodes seen holding the VIP in one sample (2+ = split-brain). */
  maxVipHolders: number
  /** Session workload only: users logged out during the run (a 401 on whoami after login). */
  sessionsLost?: number
  lostUsers?: string[]
  vipSamples: number
  /** Each stretch of VIP samples with two or more holders: who, and when (UTC, and ms after the injection). */
  splitBrain?: SplitBrainOut[]
  outages: OutageWindow[]
  /** Write workload (pg-write) only. Acknowledged writes, counted on the client's timeline. */
  ackedWrites?: number
  /** Acknowledged writes missing after recovery; null when they could not be read back. */
  lostWrites?: number | null
  /** First lost write sent → last lost write acknowledged (0 = nothing lost); null when not read back. */
  rpoMs?: number | null
  firstLostSeq?: number | null
  lastLostSeq?: number | null
  /** Writes acknowledged while another primary was also acknowledging (split-brain); null when not read back. */
  splitBrainWrites?: number | null
  writes?: WritesOut
}

export interface SplitBrainOut {
  nodes: string[]
  from: string
  to: string
  fromMs: number | null
  toMs: number | null
  samples: number
}

export interface PhaseOut {
  name: string
  atMs: number
  node?: string
  resource?: string
  source?: string
}

export interface ChaosResult {
  status: ChaosStatus
  fault: FaultId
  target: string[]
  metrics: ChaosMetricsOut
  phases: PhaseOut[]
  expectations: ExpectationResult[]
  schemaVersion: 1
  runId: string
  /** Game-day step name, when run from a game day. */
  name?: string
  summary: string
  cluster: string
  /** What the cluster says it is (corosync cluster name + node list): how the audit matches runs to clusters. */
  clusterIdentity?: ClusterIdentity
  inventory?: string
  startedAt: string
  finishedAt: string
  durationMs: number
  holdMs: number
  /** Controller epoch ms of the injection (timeline origin); null when nothing was injected. */
  injectedAt: number | null
  workload?: string
  objectives: {rtoMs?: number; rpoMs?: number}
  floor?: RtoFloor & {verdict: FloorVerdict; message: string}
  phaseAgreement: PhaseAgreement[]
  clockOffsets: Record<string, {offsetMs: number; rttMs: number}>
  revert: {
    /** false when the fault cannot be reverted (SIGKILL) or --leave-off. */
    planned: boolean
    done: boolean
    verified: boolean
    /** The dead-man fired on its own (lease expired) before hacheck reverted. */
    deadmanFired: boolean
    ledgerRemoved: boolean
  }
  notes: string[]
  errors: string[]
  /** Set when the run was aborted: by a signal, or by an abort condition (the report says "aborted: …"). */
  abort?: AbortInfo
  /** Corosync, fencing and objectives in force during the run (read from a healthy node before the fault). */
  config?: ConfigInForce
  /** The cluster's own log lines (Pacemaker, on the survivors) around each phase. */
  logExcerpts?: LogExcerpt[]
  /** Where the run is saved (runs/<runId>/). */
  runDir?: string
}

/** Status of a set of results: error/aborted beat fail, fail beats pass. */
export function worstStatus(statuses: readonly ChaosStatus[]): ChaosStatus {
  const rank: Record<ChaosStatus, number> = {pass: 0, fail: 1, error: 2, aborted: 3}
  return statuses.reduce<ChaosStatus>((w, s) => (rank[s] > rank[w] ? s : w), 'pass')
}
