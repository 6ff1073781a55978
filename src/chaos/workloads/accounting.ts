/**
 * Lost-write accounting over one recorded history (pure, Jepsen/Elle style: operations with their outcome,
 * then the final read), reporting the ids, not only counts:
 *
 * - lost: acknowledged, not read back (the RPO in writes);
 * - duplicated: read back more than once (a write applied twice);
 * - minorityAccepted: acknowledged by an endpoint while it was on the minority side of a partition (sent
 *   after the cut was in place and answered before it was removed): a store that refuses writes without
 *   quorum never has any; one that has them is in split brain, whether or not they survive the merge;
 * - minorityRefused: the same writes the minority refused (the behaviour a quorum-based store must show);
 * - unknownPresent / unknownAbsent: sent without an answer, then found / not found;
 * - failedPresent: answered with an error (definitely not committed) yet read back: must be empty, else the
 *   client's classification or the store is wrong;
 * - unexpected: read back but never written by this run.
 */
import type {WriteEvent} from '../timeline.js'

/** A time window in which some endpoints were cut off from the majority (timeline ms). */
export interface MinorityWindow {
  nodes: string[]
  fromMs: number
  toMs: number
}

export interface WriteAccounting {
  attempted: number
  acked: number
  failed: number
  unknown: number
  /** Rows read back (with duplicates). */
  rows: number
  lost: number[]
  duplicated: number[]
  minorityAccepted: number[]
  minorityRefused: number[]
  unknownPresent: number[]
  unknownAbsent: number[]
  failedPresent: number[]
  unexpected: number[]
  /** From the first lost write's send to the last lost write's acknowledgement (0 when none is lost). */
  rpoMs: number
}

const outcomeOf = (w: WriteEvent): 'acked' | 'failed' | 'unknown' => w.outcome ?? (w.ok ? 'acked' : 'unknown')

const inWindow = (w: WriteEvent, win: MinorityWindow): boolean =>
  w.node !== undefined && win.nodes.includes(w.node) && w.t >= win.fromMs && w.t + w.latencyMs <= win.toMs

export function accountWrites(
  history: readonly WriteEvent[],
  readBack: readonly number[],
  windows: readonly MinorityWindow[] = [],
): WriteAccounting {
  const count = new Map<number, number>()
  for (const id of readBack) count.set(id, (count.get(id) ?? 0) + 1)
  const writes = [...history].sort((a, b) => a.seq - b.seq || a.t - b.t)
  const ids = (pred: (w: WriteEvent) => boolean): number[] => [
    ...new Set(writes.filter(pred).map((w) => w.seq)),
  ]
  const acked = writes.filter((w) => outcomeOf(w) === 'acked')
  const ackedIds = new Set(acked.map((w) => w.seq))
  const attempted = new Set(writes.map((w) => w.seq))
  const lostEvents = acked.filter((w) => !count.has(w.seq))
  const minority = (w: WriteEvent): boolean => windows.some((win) => inWindow(w, win))
  const firstLost = lostEvents.reduce<WriteEvent | undefined>((m, w) => (!m || w.t < m.t ? w : m), undefined)
  const lastAck = lostEvents.reduce((m, w) => Math.max(m, w.t + w.latencyMs), 0)
  return {
    attempted: attempted.size,
    acked: ackedIds.size,
    failed: writes.filter((w) => outcomeOf(w) === 'failed').length,
    unknown: writes.filter((w) => outcomeOf(w) === 'unknown').length,
    rows: readBack.length,
    lost: lostEvents.map((w) => w.seq),
    duplicated: [...count]
      .filter(([, n]) => n > 1)
      .map(([id]) => id)
      .sort((a, b) => a - b),
    minorityAccepted: ids((w) => outcomeOf(w) === 'acked' && minority(w)),
    minorityRefused: ids((w) => outcomeOf(w) === 'failed' && minority(w)),
    unknownPresent: ids((w) => outcomeOf(w) === 'unknown' && !ackedIds.has(w.seq) && count.has(w.seq)),
    unknownAbsent: ids((w) => outcomeOf(w) === 'unknown' && !ackedIds.has(w.seq) && !count.has(w.seq)),
    failedPresent: ids((w) => outcomeOf(w) === 'failed' && !ackedIds.has(w.seq) && count.has(w.seq)),
    unexpected: [...count.keys()].filter((id) => !attempted.has(id)).sort((a, b) => a - b),
    rpoMs: firstLost ? lastAck - firstLost.t : 0,
  }
}

/**
 * The clients' outage (RTO as the client sees it): the longest time, from `fromMs` on, between two
 * consecutive acknowledgements (by answer time), ending at the first acknowledgement after the gap. Writes
 * to endpoints in `exclude` (the minority, which is expected to refuse) do not count as service.
 */
export function clientOutage(
  history: readonly WriteEvent[],
  fromMs: number,
  exclude: readonly string[] = [],
): {ms: number; fromMs: number; toMs: number} | undefined {
  const acks = history
    .filter((w) => outcomeOf(w) === 'acked' && !(w.node !== undefined && exclude.includes(w.node)))
    .map((w) => w.t + w.latencyMs)
    .filter((t) => t >= fromMs)
    .sort((a, b) => a - b)
  if (acks.length === 0) return undefined
  let best = {ms: (acks[0] as number) - fromMs, fromMs, toMs: acks[0] as number}
  for (let i = 1; i < acks.length; i++) {
    const gap = (acks[i] as number) - (acks[i - 1] as number)
    if (gap > best.ms) best = {ms: gap, fromMs: acks[i - 1] as number, toMs: acks[i] as number}
  }
  return best
}
