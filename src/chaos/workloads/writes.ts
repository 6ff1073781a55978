/**
 * Lost-write accounting of a write workload (pg-write; the same for any store
 * written with sequence numbers), pure over the run's one timeline and the set
 * of sequence numbers read back afterwards. Counted independently on both
 * sides: acknowledged on the client's timeline, present in the store; an
 * unknown outcome is neither acknowledged nor lost (docs/chaos.md).
 */
import type {TimelineEvent, WriteEvent} from '../timeline.js'
import {accountWrites} from './accounting.js'

export interface WriteMetrics {
  attempted: number
  acked: number
  /** Not acknowledged: failed or unknown. */
  failed: number
  /** Sent without an answer (timeout, cut connection): may or may not have committed. */
  unknown: number
  /** Acknowledged writes missing after recovery: the measured RPO in writes. */
  lost: number[]
  /** Writes acknowledged by two different primaries for the same sequence (split-brain). */
  doubleAcked: number[]
  /**
   * Acknowledged while another primary was also acknowledging: the seqs one
   * primary acknowledged inside the seq range another primary acknowledged
   * (after a clean failover each primary's acks are one contiguous range).
   * Includes doubleAcked.
   */
  splitBrain: number[]
  /** Time span between the first and last lost write's acknowledgement (RPO in time). */
  rpoMs: number
  /** Rows read back. */
  present: number
  /** Not acknowledged (failed or unknown) but read back: committed without the client knowing. */
  presentUnacked: number[]
  /** Reported failed (definitely not committed) yet read back: must be empty, else the classification is wrong. */
  failedPresent: number[]
  /** Read back but never attempted by this run (another writer?). */
  unexpected: number[]
  /** Primary identities in the order of their first acknowledgement. */
  primaries: string[]
}

/**
 * Lost-write accounting of a single-primary write workload: the one pure accounting of every write
 * workload (accounting.ts: lost, failed yet present, never sent, RPO, by id) over the writes on the
 * timeline and the ids read back, plus what only a workload that records the committing primary can
 * tell (double acknowledgements, split-brain ranges, the primaries in order).
 */
export function writeMetrics(timeline: readonly TimelineEvent[], present: ReadonlySet<number>): WriteMetrics {
  const writes = timeline.filter((e): e is WriteEvent => e.kind === 'write')
  const a = accountWrites(writes, [...present])
  const acked = writes.filter((w) => w.ok)
  const byseq = new Map<number, Set<string>>()
  const primaries: string[] = []
  const range = new Map<string, {min: number; max: number}>()
  for (const w of [...acked].sort((x, y) => x.seq - y.seq || x.t - y.t)) {
    if (!w.primary) continue
    const s = byseq.get(w.seq) ?? new Set<string>()
    s.add(w.primary)
    byseq.set(w.seq, s)
    if (!primaries.includes(w.primary)) primaries.push(w.primary)
    const r = range.get(w.primary)
    if (!r) range.set(w.primary, {min: w.seq, max: w.seq})
    else r.max = Math.max(r.max, w.seq)
  }
  const doubleAcked = [...byseq].filter(([, s]) => s.size > 1).map(([seq]) => seq)
  const split = new Set<number>(doubleAcked)
  for (const w of acked) {
    if (!w.primary) continue
    for (const [p, r] of range) if (p !== w.primary && r.min < w.seq && w.seq < r.max) split.add(w.seq)
  }
  return {
    attempted: writes.length,
    acked: acked.length,
    failed: writes.length - acked.length,
    unknown: writes.filter((w) => !w.ok && w.outcome === 'unknown').length,
    lost: a.lost,
    doubleAcked,
    splitBrain: [...split].sort((x, y) => x - y),
    rpoMs: a.rpoMs,
    present: present.size,
    presentUnacked: [...a.unknownPresent, ...a.failedPresent].sort((x, y) => x - y),
    failedPresent: a.failedPresent,
    unexpected: a.unexpected,
    primaries,
  }
}

/** The full write accounting of a pg-write run (lists capped at MAX_SEQ_LIST, `truncated` says so). */
export interface WritesOut {
  table: string
  attempted: number
  acked: number
  /** Definitely not committed. */
  failed: number
  /** Sent without an answer: may or may not have committed. */
  unknown: number
  /** Rows read back; null when the read-back failed. */
  present: number | null
  /** Not acknowledged (failed/unknown) but read back. */
  presentUnacked: number
  /** Reported failed yet read back (must be 0). */
  failedPresent: number
  /** Read back but never written by this run. */
  unexpected: number
  lostSeqs: number[]
  splitBrainSeqs: number[]
  /** Primary identities (system identifier/timeline/start) in the order of their first acknowledgement. */
  primaries: string[]
  /** The primary the rows were read back from. */
  readFrom?: string
  dropped: boolean
  truncated?: boolean
}

export const MAX_SEQ_LIST = 1000

/** What a write workload adds to a run's result, and what write expectations are judged on. */
export interface WriteAccount {
  fields: {
    ackedWrites: number
    lostWrites: number | null
    rpoMs: number | null
    firstLostSeq: number | null
    lastLostSeq: number | null
    splitBrainWrites: number
    writes: WritesOut
  }
  /** undefined when the writes could not be read back (the expectations then say so). */
  metrics?: WriteMetrics
  /** Why they could not be read back. */
  error?: string
}

/** The write accounting of a run: `present` = seq → primary of every row read back (undefined: not read). */
export function writeAccount(
  timeline: readonly TimelineEvent[],
  rb: {
    table: string
    present?: ReadonlyMap<number, string>
    readFrom?: string
    dropped: boolean
    error?: string
  },
): WriteAccount {
  const present = rb.present
  const m = writeMetrics(timeline, new Set(present?.keys() ?? []))
  const read = present !== undefined
  const cap = (xs: number[]): number[] => xs.slice(0, MAX_SEQ_LIST)
  const out: WritesOut = {
    table: rb.table,
    attempted: m.attempted,
    acked: m.acked,
    failed: m.failed - m.unknown,
    unknown: m.unknown,
    present: read ? m.present : null,
    presentUnacked: read ? m.presentUnacked.length : 0,
    failedPresent: read ? m.failedPresent.length : 0,
    unexpected: read ? m.unexpected.length : 0,
    lostSeqs: read ? cap(m.lost) : [],
    splitBrainSeqs: cap(m.splitBrain),
    primaries: m.primaries,
    ...(rb.readFrom ? {readFrom: rb.readFrom} : {}),
    dropped: rb.dropped,
    ...(m.lost.length > MAX_SEQ_LIST || m.splitBrain.length > MAX_SEQ_LIST ? {truncated: true} : {}),
  }
  return {
    fields: {
      ackedWrites: m.acked,
      lostWrites: read ? m.lost.length : null,
      rpoMs: read ? Math.round(m.rpoMs) : null,
      firstLostSeq: read ? (m.lost[0] ?? null) : null,
      lastLostSeq: read ? (m.lost[m.lost.length - 1] ?? null) : null,
      splitBrainWrites: m.splitBrain.length,
      writes: out,
    },
    ...(read ? {metrics: m} : {error: rb.error ?? 'the writes were not read back'}),
  }
}
