/**
 * One timeline per chaos run: load probes, fault events and cluster
 * observations all land here (saved as JSONL), and every metric is a pure
 * function over it. `t` is controller wall-clock time in epoch milliseconds
 * (fractional), so events from different sources can be ordered together.
 */

export interface ProbeEvent {
  kind: 'probe'
  t: number
  /** Probe/workload id: http, tcp, cmd, pg-write. */
  probe: string
  ok: boolean
  latencyMs: number
  /** HTTP status, or the answering backend when the service says who it is. */
  status?: number
  server?: string
  /** Session workload: the logged-in user this request was made for. */
  user?: string
  error?: string
}

/**
 * acked: the database acknowledged the commit; failed: definitely not committed
 * (never sent, or answered with an ERROR); unknown: sent without an answer (it
 * may or may not have committed; never counted as acknowledged).
 */
export type WriteOutcome = 'acked' | 'failed' | 'unknown'

export interface WriteEvent {
  kind: 'write'
  /** When the write was started (its scheduled send time). */
  t: number
  seq: number
  /** Acknowledged by the database (committed), or failed/unknown. */
  ok: boolean
  /** ok = (outcome === 'acked'); absent in timelines that only know ok. */
  outcome?: WriteOutcome
  latencyMs: number
  /** Identity of the primary that acknowledged the write (e.g. its system identifier + timeline). */
  primary?: string
  /** The endpoint the write was sent to (multi-writer stores: Galera node name). */
  node?: string
  error?: string
}

export type FaultPhase =
  'planned' | 'injecting' | 'injected' | 'verified' | 'reverting' | 'reverted' | 'revert-verified' | 'failed'

export interface FaultEvent {
  kind: 'fault'
  t: number
  fault: string
  phase: FaultPhase
  target: string[]
  detail?: string
}

export type ClusterPhase =
  | 'node-lost'
  | 'node-unclean'
  | 'fence-requested'
  | 'fence-confirmed'
  | 'fence-failed'
  | 'resource-stopped'
  | 'resource-started'
  | 'vip-moved'
  | 'node-rejoined'
  | 'quorum-lost'
  | 'quorum-regained'
  | 'vip-holders'
  | 'vrrp-master'
  | 'vrrp-backup'
  | 'vrrp-fault'
  | 'vrrp-stopped'
  | 'store-sdown'
  | 'store-odown'
  | 'store-switched'

export interface ClusterEvent {
  kind: 'cluster'
  t: number
  phase: ClusterPhase
  node?: string
  resource?: string
  /** Where it was seen: crm_mon poll, fence history, or a log line. */
  source: string
  detail?: string
  /** For vip-holders: the nodes holding the VIP at this sample. */
  holders?: string[]
  /**
   * For a change seen by polling: it happened after `earliest` (the previous sample began) and before
   * `latest` (the sample that showed it ended); `t` is the best guess between them.
   */
  earliest?: number
  latest?: number
}

export interface NoteEvent {
  kind: 'note'
  t: number
  text: string
}

export type TimelineEvent = ProbeEvent | WriteEvent | FaultEvent | ClusterEvent | NoteEvent

export function toJsonl(events: readonly TimelineEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '')
}

export function fromJsonl(text: string): TimelineEvent[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as TimelineEvent)
}

/** Wall-clock now with sub-millisecond resolution. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}
