/**
 * Failover metrics: pure functions over a timeline (tested on literal
 * timelines). Definitions, so that every number in a report is explainable:
 *
 * - injection: the first `fault injected` event; all phase offsets are relative to it.
 * - outage window: from the last successful probe before a failure to the
 *   first SUSTAINED success after it (a success followed by `sustain - 1` more
 *   successes). Failures separated by fewer successes belong to one window.
 *   This is an upper bound of what a client saw; `minMs` (first failure to
 *   last failure) is the lower bound.
 * - clientOutageMs: the sum of the windows that end after the injection.
 * - phases: the first occurrence of each cluster phase after the injection,
 *   plus `client-recovered` (end of the last outage window).
 * - a write workload's writes are the client's probes here (acknowledged =
 *   up): the outage is the time no write was acknowledged.
 */
import {lostSessions} from '../workloads/sessions.js'
import type {
  ClusterEvent,
  ClusterPhase,
  FaultEvent,
  ProbeEvent,
  TimelineEvent,
  WriteEvent,
} from '../timeline.js'

export interface OutageWindow {
  startT: number
  endT: number | null
  ms: number | null
  minMs: number
  failed: number
}

export interface Phase {
  name: ClusterPhase | 'fault-injected' | 'fault-reverted' | 'client-recovered'
  atMs: number
  node?: string
  resource?: string
  source?: string
}

export interface FailoverMetrics {
  injectedAt: number | null
  probes: number
  failedProbes: number
  /** null when the service never recovered within the observation. */
  clientOutageMs: number | null
  clientOutageMinMs: number
  outages: OutageWindow[]
  latency: {p50: number; p95: number; p99: number; max: number} | null
  phases: Phase[]
  /** Largest number of nodes seen holding the VIP at the same sample (2+ = split-brain). */
  maxVipHolders: number
  /** Session workload: users logged out during the run (a 401 after login); undefined without one. */
  sessionsLost?: number
  lostUsers?: string[]
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx] as number
}

export function outageWindows(probes: readonly ProbeEvent[], sustain = 3): OutageWindow[] {
  const ps = [...probes].sort((a, b) => a.t - b.t)
  const windows: OutageWindow[] = []
  let i = 0
  while (i < ps.length) {
    if ((ps[i] as ProbeEvent).ok) {
      i++
      continue
    }
    // A failure at i: the window starts at the last success before it.
    const firstFail = ps[i] as ProbeEvent
    const before = i > 0 ? (ps[i - 1] as ProbeEvent) : undefined
    let lastFail = firstFail
    let failed = 0
    let j = i
    let end: ProbeEvent | undefined
    while (j < ps.length) {
      const p = ps[j] as ProbeEvent
      if (!p.ok) {
        lastFail = p
        failed++
        j++
        continue
      }
      // Is this success sustained?
      let k = j
      while (k < ps.length && k < j + sustain && (ps[k] as ProbeEvent).ok) k++
      if (k - j >= sustain || k === ps.length) {
        end = p
        break
      }
      j = k
    }
    const startT = before ? before.t : firstFail.t
    windows.push({
      startT,
      endT: end ? end.t : null,
      ms: end ? end.t - startT : null,
      minMs: lastFail.t - firstFail.t,
      failed,
    })
    i = end ? ps.indexOf(end) : ps.length
  }
  return windows
}

/** A phase read afterwards from a daemon's own log (pacemaker-log, keepalived-log), not polled live. */
export const isLogSource = (source: string): boolean => source.endsWith('-log')

const CLUSTER_PHASE_ORDER: ClusterPhase[] = [
  'node-lost',
  'node-unclean',
  'quorum-lost',
  'fence-requested',
  'fence-confirmed',
  'fence-failed',
  'resource-stopped',
  'resource-started',
  'vrrp-stopped',
  'vrrp-fault',
  'vrrp-backup',
  'vrrp-master',
  'vip-moved',
  'store-sdown',
  'store-odown',
  'store-switched',
  'quorum-regained',
  'node-rejoined',
]

/**
 * The phases a run's metrics can hold after the injection (fault-injected is 0 by definition):
 * what an expectation may name (`node-lost <= 10s`, `vrrp-master <= 5s`).
 */
export const PHASE_NAMES: readonly string[] = [...CLUSTER_PHASE_ORDER, 'client-recovered', 'fault-reverted']

export function failoverMetrics(
  timeline: readonly TimelineEvent[],
  opts: {sustain?: number} = {},
): FailoverMetrics {
  const faults = timeline.filter((e): e is FaultEvent => e.kind === 'fault')
  const injected = faults.find((f) => f.phase === 'injected')
  const injectedAt = injected ? injected.t : null
  const probes = clientProbes(timeline)
  const windows = outageWindows(probes, opts.sustain ?? 3)
  const relevant =
    injectedAt === null ? windows : windows.filter((w) => w.endT === null || w.endT >= injectedAt)
  const never = relevant.some((w) => w.ms === null)
  const clientOutageMs = never ? null : relevant.reduce((a, w) => a + (w.ms ?? 0), 0)
  const lat = probes
    .filter((p) => p.ok)
    .map((p) => p.latencyMs)
    .sort((a, b) => a - b)
  const phases: Phase[] = []
  if (injectedAt !== null) {
    phases.push({name: 'fault-injected', atMs: 0})
    const cluster = timeline
      .filter((e): e is ClusterEvent => e.kind === 'cluster' && e.t >= injectedAt)
      .sort((a, b) => a.t - b.t)
    for (const name of CLUSTER_PHASE_ORDER) {
      const e = cluster.find((c) => c.phase === name)
      if (e) phases.push({name, atMs: e.t - injectedAt, node: e.node, resource: e.resource, source: e.source})
    }
    const last = relevant[relevant.length - 1]
    if (last && last.endT !== null) phases.push({name: 'client-recovered', atMs: last.endT - injectedAt})
    const reverted = faults.find((f) => f.phase === 'reverted' && f.t >= injectedAt)
    if (reverted) phases.push({name: 'fault-reverted', atMs: reverted.t - injectedAt})
    phases.sort((a, b) => a.atMs - b.atMs)
  }
  const holders = timeline.filter((e): e is ClusterEvent => e.kind === 'cluster' && e.phase === 'vip-holders')
  return {
    injectedAt,
    probes: probes.length,
    failedProbes: probes.filter((p) => !p.ok).length,
    clientOutageMs,
    clientOutageMinMs: relevant.reduce((a, w) => a + w.minMs, 0),
    outages: relevant,
    latency: lat.length
      ? {
          p50: percentile(lat, 50),
          p95: percentile(lat, 95),
          p99: percentile(lat, 99),
          max: lat[lat.length - 1] as number,
        }
      : null,
    phases,
    maxVipHolders: holders.reduce((m, h) => Math.max(m, h.holders?.length ?? 0), 0),
    ...sessionCounts(timeline),
  }
}

function sessionCounts(timeline: readonly TimelineEvent[]): {sessionsLost?: number; lostUsers?: string[]} {
  if (!timeline.some((e) => e.kind === 'probe' && e.probe === 'session')) return {}
  const lost = lostSessions(timeline)
  return {sessionsLost: lost.length, lostUsers: lost}
}

/** A write as a client probe (for the outage windows): acknowledged = up. */
export function writeAsProbe(w: WriteEvent): ProbeEvent {
  return {
    kind: 'probe',
    t: w.t,
    probe: 'pg-write',
    ok: w.ok,
    latencyMs: w.latencyMs,
    ...(w.error ? {error: w.error} : {}),
  }
}

/** Probe events, plus write events seen as probes: the client view of every workload. */
export function clientProbes(timeline: readonly TimelineEvent[]): ProbeEvent[] {
  const out: ProbeEvent[] = []
  for (const e of timeline) {
    if (e.kind === 'probe') out.push(e)
    else if (e.kind === 'write') out.push(writeAsProbe(e))
  }
  return out
}

/**
 * Recovery time: injection → client recovered (first sustained success after
 * the last outage window). 0 when clients saw no outage after the injection;
 * null when the service never recovered or nothing was injected.
 */
export function recoveryMs(m: FailoverMetrics): number | null {
  if (m.injectedAt === null || m.clientOutageMs === null) return null
  const rec = m.phases.find((p) => p.name === 'client-recovered')
  return rec ? rec.atMs : 0
}

export interface FloorInputs {
  /** Corosync token timeout in effect (runtime.config.totem.token, coefficient included). */
  tokenMs?: number
  /** Corosync consensus (default 1.2 × token). */
  consensusMs?: number
  /** Fixed fencing delay configured on the device (pcmk_delay_base). */
  fenceDelayMs?: number
  /** Time a reboot-style fence needs at least (fence agent power_wait between off and on). */
  fenceActionMs?: number
}

export interface RtoFloor {
  floorMs: number
  parts: {detectMs: number; consensusMs: number; fenceMs: number}
  /** Inputs that were missing and replaced by documented defaults. */
  assumed: string[]
}

/**
 * The shortest time in which the cluster can possibly have failed over after a
 * node silently vanished: Corosync must miss the token (token) and fail to
 * reach consensus (consensus) before the membership changes; then the victim
 * must be fenced (device delay + the fence action itself) before its resources
 * may start elsewhere. A measured recovery below this is impossible (bad
 * clocks, or the service never really failed over); far above it means
 * something slow (fence retries, start timeouts, a DC election).
 */
export function rtoFloor(i: FloorInputs): RtoFloor {
  const assumed: string[] = []
  let token = i.tokenMs
  if (token === undefined) {
    token = 3000
    assumed.push('token 3000 ms (Corosync default)')
  }
  let consensus = i.consensusMs
  if (consensus === undefined) {
    consensus = Math.round(token * 1.2)
    assumed.push('consensus 1.2 × token (Corosync default)')
  }
  const fenceMs = (i.fenceDelayMs ?? 0) + (i.fenceActionMs ?? 0)
  if (i.fenceActionMs === undefined) assumed.push('fence action 0 ms (unknown)')
  return {
    floorMs: token + consensus + fenceMs,
    parts: {detectMs: token, consensusMs: consensus, fenceMs},
    assumed,
  }
}

export type FloorVerdict = 'ok' | 'below-floor' | 'far-above-floor' | 'not-applicable'

export function judgeRecovery(
  recovery: number | null,
  floor: RtoFloor,
  opts: {failoverExpected: boolean; farAboveFactor?: number},
): {verdict: FloorVerdict; message: string} {
  const f = opts.farAboveFactor ?? 3
  if (!opts.failoverExpected)
    return {verdict: 'not-applicable', message: 'the fault is not expected to cause a fenced failover'}
  if (recovery === null)
    return {verdict: 'not-applicable', message: 'the service did not recover within the observation'}
  if (recovery === 0)
    return {
      verdict: 'not-applicable',
      message: 'clients saw no outage (the service was not on the failed node)',
    }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
  if (recovery < floor.floorMs) {
    return {
      verdict: 'below-floor',
      message: `recovery ${s(recovery)} is below the floor of ${s(floor.floorMs)} (token + consensus + fencing): check clocks, or whether the service really failed over`,
    }
  }
  if (recovery > floor.floorMs * f) {
    return {
      verdict: 'far-above-floor',
      message: `recovery ${s(recovery)} is more than ${f}× the floor of ${s(floor.floorMs)}: look for fence retries, start timeouts or a DC election`,
    }
  }
  return {
    verdict: 'ok',
    message: `recovery ${s(recovery)} is ${(recovery / floor.floorMs).toFixed(2)}× the floor of ${s(floor.floorMs)}`,
  }
}

export interface PhaseAgreement {
  name: string
  /** First occurrence seen by polling (crm_mon, ip addr), ms after injection. */
  observedMs?: number
  /** First occurrence in Pacemaker's own log, ms after injection (clock offset applied). */
  logMs?: number
  /** observed − log. */
  deltaMs?: number
  /** When polled: the window the change must lie in (ms after injection), observedMs being a guess inside. */
  observedWindowMs?: [number, number]
}

/** Compares, per phase, what the observer saw with what Pacemaker logged. */
export function phaseAgreement(timeline: readonly TimelineEvent[]): PhaseAgreement[] {
  const injected = timeline.find((e): e is FaultEvent => e.kind === 'fault' && e.phase === 'injected')
  if (!injected) return []
  const cluster = timeline.filter(
    (e): e is ClusterEvent => e.kind === 'cluster' && e.t >= injected.t && e.phase !== 'vip-holders',
  )
  const out: PhaseAgreement[] = []
  for (const name of CLUSTER_PHASE_ORDER) {
    const fromLog = cluster
      .filter((c) => c.phase === name && isLogSource(c.source))
      .sort((a, b) => a.t - b.t)[0]
    const polled = cluster
      .filter((c) => c.phase === name && !isLogSource(c.source))
      .sort((a, b) => a.t - b.t)[0]
    if (!fromLog && !polled) continue
    const row: PhaseAgreement = {name}
    if (polled) row.observedMs = polled.t - injected.t
    if (polled?.earliest !== undefined && polled.latest !== undefined)
      row.observedWindowMs = [polled.earliest - injected.t, polled.latest - injected.t]
    if (fromLog) row.logMs = fromLog.t - injected.t
    if (polled && fromLog) row.deltaMs = polled.t - fromLog.t
    out.push(row)
  }
  return out
}

export interface SplitBrainWindow {
  /** Every node seen holding the VIP during the window. */
  nodes: string[]
  /** First and last sample with two or more holders (controller epoch ms). */
  fromT: number
  toT: number
  samples: number
}

/**
 * Windows of consecutive VIP samples in which two or more nodes held the VIP
 * (pure). A sample with fewer holders ends a window; an unknown node is never
 * counted as a holder, so a window is a lower bound of the split brain.
 */
export function splitBrainWindows(timeline: readonly TimelineEvent[]): SplitBrainWindow[] {
  const samples = timeline
    .filter((e): e is ClusterEvent => e.kind === 'cluster' && e.phase === 'vip-holders')
    .sort((a, b) => a.t - b.t)
  const out: SplitBrainWindow[] = []
  let cur: SplitBrainWindow | undefined
  for (const s of samples) {
    const holders = s.holders ?? []
    if (holders.length >= 2) {
      if (!cur) {
        cur = {nodes: [], fromT: s.t, toT: s.t, samples: 0}
        out.push(cur)
      }
      cur.toT = s.t
      cur.samples++
      for (const h of holders) if (!cur.nodes.includes(h)) cur.nodes.push(h)
    } else cur = undefined
  }
  for (const w of out) w.nodes.sort()
  return out
}
