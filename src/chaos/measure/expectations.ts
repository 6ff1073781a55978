/**
 * Expectations: small statements about a run, checked against its metrics and
 * timeline. Pure. The grammar, one expectation per string:
 *
 *   rto <= 30s              client outage (alias: client-outage, outage)
 *   recovery <= 20s         injection → client recovered
 *   failed-probes == 0      also <, <=, >, >=, ==, !=
 *   p50|p95|p99|max-latency <= 500ms
 *   node-lost <= 10s        any phase name: its offset after the injection
 *   fenced: n1              a fence of n1 was confirmed (fenced: alone = the fault's expected victims)
 *   not-fenced[: n2]        no fence of n2 (of any node) was confirmed
 *   no-split-brain          at no sample did two nodes hold the VIP
 *   recovered               the service answered again (sustained) after the fault
 *   rpo <= 0s               write workload: first lost write sent → last lost write acknowledged
 *   lost-writes == 0        write workload: acknowledged writes missing after recovery
 *   acked-writes > 0        write workload: acknowledged writes
 *   split-brain-writes == 0 write workload: writes acknowledged while another primary also was
 */
import {InputError} from '../../core/errors.js'
import {formatDuration, parseDurationMs} from '../../core/duration.js'
import type {WriteMetrics} from '../workloads/writes.js'
import {PHASE_NAMES, type FailoverMetrics, type Phase} from './metrics.js'
import type {ClusterEvent, TimelineEvent} from '../timeline.js'

export type Op = '<=' | '<' | '>=' | '>' | '==' | '!='

export type Expectation =
  | {kind: 'compare'; text: string; metric: string; op: Op; value: number; unit: 'ms' | 'count'}
  | {kind: 'fenced'; text: string; nodes: string[] | 'expected'}
  | {kind: 'not-fenced'; text: string; nodes: string[] | 'any'}
  | {kind: 'no-split-brain'; text: string}
  | {kind: 'recovered'; text: string}

const DURATION_METRICS: Record<string, string> = {
  rto: 'clientOutageMs',
  'client-outage': 'clientOutageMs',
  outage: 'clientOutageMs',
  recovery: 'recoveryMs',
  p50: 'p50',
  p95: 'p95',
  p99: 'p99',
  'max-latency': 'maxLatency',
  rpo: 'write:rpoMs',
}
const COUNT_METRICS: Record<string, string> = {
  'failed-probes': 'failedProbes',
  probes: 'probes',
  'vip-holders': 'maxVipHolders',
  'lost-writes': 'write:lost',
  'acked-writes': 'write:acked',
  'split-brain-writes': 'write:splitBrain',
  'sessions-lost': 'sessionsLost',
}

function nodesList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** Parses one expectation; throws InputError with the grammar on a bad one. */
export function parseExpectation(text: string): Expectation {
  const t = text.trim()
  if (t === 'no-split-brain') return {kind: 'no-split-brain', text: t}
  if (t === 'recovered') return {kind: 'recovered', text: t}
  let m = /^fenced(?:\s*:\s*(.+))?$/.exec(t)
  if (m) return {kind: 'fenced', text: t, nodes: m[1] ? nodesList(m[1]) : 'expected'}
  m = /^not-fenced(?:\s*:\s*(.+))?$/.exec(t)
  if (m) return {kind: 'not-fenced', text: t, nodes: m[1] ? nodesList(m[1]) : 'any'}
  m = /^([a-z0-9-]+)\s*(<=|>=|==|!=|<|>)\s*(\S+)$/.exec(t)
  if (m) {
    const [, name = '', op = '', raw = ''] = m
    if (name in COUNT_METRICS) {
      if (!/^\d+$/.test(raw)) throw bad(t, `${name} takes a whole number, found ${raw}`)
      return {
        kind: 'compare',
        text: t,
        metric: COUNT_METRICS[name] as string,
        op: op as Op,
        value: Number(raw),
        unit: 'count',
      }
    }
    const metric = DURATION_METRICS[name] ?? (PHASE_NAMES.includes(name) ? `phase:${name}` : undefined)
    if (metric) {
      const ms = parseDurationMs(raw)
      if (ms === undefined) throw bad(t, `expected a duration such as 30s or 500ms, found ${raw}`)
      return {kind: 'compare', text: t, metric, op: op as Op, value: ms, unit: 'ms'}
    }
    throw bad(t, `unknown metric ${name}`)
  }
  throw bad(t)
}

/** Whether an expectation is about the writes of a write workload (rpo, lost-writes, …). */
export function isWriteExpectation(e: Expectation): boolean {
  return e.kind === 'compare' && e.metric.startsWith('write:')
}

/** The message of a write expectation in a run that has no write workload. */
export function needsWriteWorkload(text: string): string {
  return `${text}: needs a write workload (--workload pg-write); no write workload ran`
}

function bad(text: string, why?: string): InputError {
  return new InputError(
    `invalid expectation ${JSON.stringify(text)}${why ? `: ${why}` : ''}. Expected one of: "rto <= 30s", "recovery <= 20s", "failed-probes == 0", "p99 <= 500ms", "node-lost <= 10s", "fenced: n1", "not-fenced", "no-split-brain", "recovered", "rpo <= 0s", "lost-writes == 0"`,
    {code: 'invalid-expectation'},
  )
}

export interface ExpectationResult {
  text: string
  status: 'pass' | 'fail' | 'error'
  /** What was measured, human-readable. */
  observed: string
  message: string
}

export interface EvalContext {
  metrics: FailoverMetrics
  recoveryMs: number | null
  timeline: readonly TimelineEvent[]
  /** The fault's expected fence victims (for a bare `fenced`). */
  expectFenced: string[]
  /** false when the run did not observe the cluster (no observer): fence expectations are errors, not passes. */
  observed: boolean
  /**
   * The write accounting when a write workload (pg-write) ran, or why it is
   * missing (the read-back failed); undefined when no write workload ran.
   */
  writes?: WriteMetrics | {error: string}
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<=':
      return a <= b
    case '<':
      return a < b
    case '>=':
      return a >= b
    case '>':
      return a > b
    case '==':
      return a === b
    case '!=':
      return a !== b
  }
}

function writeValue(name: string, w: WriteMetrics): number {
  switch (name) {
    case 'write:rpoMs':
      return w.rpoMs
    case 'write:lost':
      return w.lost.length
    case 'write:acked':
      return w.acked
    default:
      return w.splitBrain.length
  }
}

function metricValue(name: string, c: EvalContext): number | null | undefined {
  const m = c.metrics
  switch (name) {
    case 'clientOutageMs':
      return m.clientOutageMs
    case 'recoveryMs':
      return c.recoveryMs
    case 'p50':
    case 'p95':
    case 'p99':
      return m.latency ? m.latency[name] : undefined
    case 'maxLatency':
      return m.latency?.max
    case 'failedProbes':
      return m.failedProbes
    case 'probes':
      return m.probes
    case 'maxVipHolders':
      return m.maxVipHolders
    case 'sessionsLost':
      return m.sessionsLost
  }
  if (name.startsWith('phase:')) {
    const p = m.phases.find((x: Phase) => x.name === name.slice(6))
    return p ? p.atMs : undefined
  }
  return undefined
}

function fencedNodes(c: EvalContext): string[] {
  const injected = c.metrics.injectedAt ?? -Infinity
  return [
    ...new Set(
      c.timeline
        .filter(
          (e): e is ClusterEvent => e.kind === 'cluster' && e.phase === 'fence-confirmed' && e.t >= injected,
        )
        .map((e) => e.node ?? '?'),
    ),
  ]
}

/** A fence expectation in a run that did not observe the cluster: an error, never a pass. */
function notObserved(text: string): ExpectationResult {
  return {
    text,
    status: 'error',
    observed: 'cluster not observed',
    message: `${text}: the cluster was not observed`,
  }
}

export function evaluateExpectation(e: Expectation, c: EvalContext): ExpectationResult {
  switch (e.kind) {
    case 'compare': {
      if (e.metric.startsWith('write:')) {
        if (c.writes === undefined)
          return {
            text: e.text,
            status: 'error',
            observed: 'no write workload',
            message: needsWriteWorkload(e.text),
          }
        if ('error' in c.writes)
          return {
            text: e.text,
            status: 'error',
            observed: 'not read back',
            message: `${e.text}: the writes could not be read back: ${c.writes.error}`,
          }
      }
      const v =
        e.metric.startsWith('write:') && c.writes && !('error' in c.writes)
          ? writeValue(e.metric, c.writes)
          : metricValue(e.metric, c)
      const show = (x: number): string => (e.unit === 'ms' ? formatDuration(x) : String(x))
      if (v === undefined) {
        return {
          text: e.text,
          status: 'error',
          observed: 'not measured',
          message: `${e.text}: not measured in this run`,
        }
      }
      if (v === null) {
        // null = the service never recovered within the observation.
        return {
          text: e.text,
          status: 'fail',
          observed: 'never recovered',
          message: `${e.text}: the service did not recover within the observation`,
        }
      }
      const ok = compare(v, e.op, e.value)
      return {
        text: e.text,
        status: ok ? 'pass' : 'fail',
        observed: show(v),
        message: `${e.text}: measured ${show(v)}`,
      }
    }
    case 'fenced': {
      if (!c.observed) return notObserved(e.text)
      const want = e.nodes === 'expected' ? c.expectFenced : e.nodes
      const got = fencedNodes(c)
      if (want.length === 0) {
        return {
          text: e.text,
          status: 'error',
          observed: got.join(', ') || 'none',
          message: `${e.text}: this fault names no node expected to be fenced`,
        }
      }
      const missing = want.filter((n) => !got.includes(n))
      return {
        text: e.text,
        status: missing.length ? 'fail' : 'pass',
        observed: got.length ? `fenced ${got.join(', ')}` : 'no fence confirmed',
        message: missing.length
          ? `${e.text}: no confirmed fence of ${missing.join(', ')}`
          : `${e.text}: fence of ${want.join(', ')} confirmed`,
      }
    }
    case 'not-fenced': {
      if (!c.observed) return notObserved(e.text)
      const got = fencedNodes(c)
      const bad2 = e.nodes === 'any' ? got : got.filter((n) => (e.nodes as string[]).includes(n))
      return {
        text: e.text,
        status: bad2.length ? 'fail' : 'pass',
        observed: got.length ? `fenced ${got.join(', ')}` : 'no fence',
        message: bad2.length ? `${e.text}: ${bad2.join(', ')} was fenced` : `${e.text}: no fence`,
      }
    }
    case 'no-split-brain': {
      const samples = c.timeline.filter((x) => x.kind === 'cluster' && x.phase === 'vip-holders').length
      if (samples === 0) {
        return {
          text: e.text,
          status: 'error',
          observed: 'no VIP sample',
          message: `${e.text}: the VIP holders were not sampled (no cluster.vip in the inventory?)`,
        }
      }
      const max = c.metrics.maxVipHolders
      return {
        text: e.text,
        status: max <= 1 ? 'pass' : 'fail',
        observed: `at most ${max} VIP holder(s) in ${samples} samples`,
        message:
          max <= 1
            ? `${e.text}: never more than one VIP holder`
            : `${e.text}: ${max} nodes held the VIP at the same time`,
      }
    }
    case 'recovered': {
      const probes = c.metrics.probes
      if (probes === 0)
        return {text: e.text, status: 'error', observed: 'no probes', message: `${e.text}: no workload ran`}
      const ok = c.metrics.clientOutageMs !== null
      return {
        text: e.text,
        status: ok ? 'pass' : 'fail',
        observed: ok ? `outage ${formatDuration(c.metrics.clientOutageMs ?? 0)}` : 'never recovered',
        message: ok
          ? `${e.text}: the service answered again`
          : `${e.text}: the service did not recover within the observation`,
      }
    }
  }
}
