/**
 * Results and run objects. Definitions (checks, checklists) are immutable data;
 * a run produces these separate result objects, which reporters render.
 */
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * `waived` is never produced by a check: the waiver module (src/audit/waivers.ts) turns a
 * fail or warn covered by an active waiver into it, after evaluation (docs/waivers.md).
 */
export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'error' | 'waived'
export type Severity = 'critical' | 'warning' | 'info'

export const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'skip', 'error', 'waived']

/** What was looked at: where, with which command, what was seen and what was expected. */
export interface Evidence {
  node?: string
  /** Gatherer id or controller-side probe that produced the observation. */
  source?: string
  command?: string
  observed: unknown
  expected?: unknown
  note?: string
}

export interface CheckResult {
  /** Check id, e.g. `fencing.enabled`. */
  id: string
  /** Item of the deployment checklist ("1".."10", extras use their own refs such as "x.time"). */
  checklistRef: string
  title: string
  area: string
  severity: Severity
  status: Status
  /** Set for node-scoped results. */
  node?: string
  message: string
  evidence: Evidence[]
  /** Markdown: Abstract / Remediation / References. Present for every non-pass. */
  remediation?: string
  durationMs: number
  /** The waiver that covers this result (status `waived`), or that expired (the result counts again). */
  waiver?: AppliedWaiver
}

/** A waiver as applied to one result. */
export interface AppliedWaiver {
  reason: string
  owner: string
  /** As written in the waiver file (a date or a date-time). */
  expires: string
  /** active: the result is `waived`; expired: the result keeps its own status. */
  state: 'active' | 'expired'
  /** The status the check gave. */
  status: Status
  /** Where the waiver was written: FILE#INDEX. */
  from: string
}

export interface RunNode {
  name: string
  host: string
  roles: string[]
  reachable: boolean
  error?: string
}

/**
 * The reconciled cluster view as a report shows it first (src/view builds it): who could not be examined and
 * why, the partitions and which one is quorate, and what an HA engineer would flag.
 */
export interface ViewSummary {
  /** One line: "cluster view: …" when healthy, "DEGRADED: …" otherwise. */
  headline: string
  degraded: boolean
  notices: {severity: Severity; kind: string; nodes: string[]; message: string}[]
  nodes: {name: string; examined: boolean; why?: string; bmc?: string; partition?: string}[]
  partitions: {
    name: string
    members: string[]
    quorate?: boolean
    primary: boolean
    dc?: string
    vipHolders: string[]
  }[]
}

/**
 * Which cluster a run was against, from what the cluster says of itself (src/view/identity.ts): runs are
 * matched by `id`, never by the inventory's name alone.
 */
export interface ClusterIdentity {
  /** corosync: cluster_name + nodelist; inventory: the inventory's name + node hosts (no membership read). */
  source: 'corosync' | 'inventory'
  name: string
  members: string[]
  /** `<source>:<16 hex digits>` of the above. */
  id: string
}

/** A summary of one saved chaos run, for audit items 6 and 7. */
export interface ChaosHistoryEntry {
  id: string
  /** Name of the cluster the run was against (inventory cluster.name), for display. */
  cluster?: string
  /** The cluster's identity when the run was made (runs of hacheck < 0.2 have none). */
  identity?: ClusterIdentity
  fault: string
  target: string[]
  startedAt: string
  status: 'pass' | 'fail' | 'error' | 'aborted'
  workload?: string
  clientOutageMs?: number
  lostWrites?: number
  objectives?: {rtoMs?: number; rpoMs?: number}
  expectations?: {text: string; status: string}[]
  file?: string
}

/** One layer of the deployment (LB, app, session store, database, cluster, platform) in an audit report. */
export interface TierSummary {
  tier: 'lb' | 'app' | 'session' | 'database' | 'cluster' | 'platform'
  title: string
  /** Inventory nodes of the tier's roles. */
  nodes: string[]
  /** Worst status of its results (skip when it has none). */
  status: Status
  counts: Record<Status, number>
  /** The tier is a single point of failure: one node only, or a failed redundancy check. */
  spof: boolean
  spofWhy?: string[]
}

export interface AuditRun {
  schemaVersion: 1
  kind: 'audit'
  tool: {name: 'hacheck'; version: string}
  startedAt: string
  finishedAt: string
  durationMs: number
  source: {mode: 'live' | 'capture'; inventory?: string; capture?: string}
  cluster: {
    name: string
    stack: string
    objectives: {rtoMs?: number; rpoMs?: number}
    vip?: string
    /** What the cluster says it is (absent when it could not be read). */
    identity?: ClusterIdentity
  }
  checklist: {id: string; title: string; version: string}
  nodes: RunNode[]
  /** The cluster view (absent in runs saved by hacheck before 0.2). */
  view?: ViewSummary
  /** Results by tier, and which tier is a single point of failure (absent in runs of hacheck before 0.3). */
  tiers?: TierSummary[]
  results: CheckResult[]
  summary: Summary
  /** The waiver file applied, with what each waiver did. */
  waivers?: {file: string; entries: WaiverUse[]}
}

export type Summary = Record<Status, number> & {total: number}

export interface WaiverUse {
  check: string
  cluster?: string
  nodes?: string[]
  reason: string
  owner: string
  expires: string
  /** active: still valid; expired: past its date (a warning, the results count again). */
  state: 'active' | 'expired'
  /** Results it waived (active) or would have waived (expired). */
  matched: number
}

/** Higher weight wins when statuses are aggregated (error = could not tell, never collapsed into pass). */
export const STATUS_WEIGHT: Record<Status, number> = {pass: 0, skip: 1, waived: 1, warn: 2, fail: 3, error: 4}

export function aggregateStatus(statuses: readonly Status[]): Status {
  let worst: Status = 'pass'
  let any = false
  for (const s of statuses) {
    any = true
    if (STATUS_WEIGHT[s] > STATUS_WEIGHT[worst]) worst = s
  }
  return any ? worst : 'skip'
}

export function summarize(results: readonly {status: Status}[]): Summary {
  const s = {pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0, total: results.length}
  for (const r of results) s[r.status]++
  return s
}

/**
 * The exit code of a run: 3 when anything could not be told (error) — the
 * audit is incomplete, so a clean bill of health cannot be given —, else 1
 * when anything failed, else 0. warn, skip and waived never fail a run.
 */
export function exitCodeFor(results: readonly {status: Status}[]): ExitCodeValue {
  if (results.some((r) => r.status === 'error')) return ExitCode.incomplete
  if (results.some((r) => r.status === 'fail')) return ExitCode.findingsFailed
  return ExitCode.ok
}
