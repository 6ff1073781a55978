import {describe, expect, it} from 'vitest'

import {failoverMetrics, outageWindows, percentile} from '../../../src/chaos/measure/metrics.js'
import {writeMetrics} from '../../../src/chaos/workloads/writes.js'
import type {ProbeEvent, TimelineEvent} from '../../../src/chaos/timeline.js'

const T0 = 1_700_000_000_000
/** Probes every 50 ms from `from` to `to` (ms after T0); failing inside the given ranges. */
function probes(from: number, to: number, failing: [number, number][], step = 50): ProbeEvent[] {
  const out: ProbeEvent[] = []
  for (let t = from; t <= to; t += step) {
    const ok = !failing.some(([a, b]) => t >= a && t < b)
    out.push({
      kind: 'probe',
      t: T0 + t,
      probe: 'http',
      ok,
      latencyMs: ok ? 2 : 800,
      ...(ok ? {} : {error: 'timeout'}),
    })
  }
  return out
}

describe('outage windows', () => {
  it('measure from the last success before the failures to the first sustained success after', () => {
    const w = outageWindows(probes(0, 10_000, [[2000, 5000]]))
    expect(w).toHaveLength(1)
    expect(w[0]).toMatchObject({startT: T0 + 1950, endT: T0 + 5000, ms: 3050, minMs: 2950, failed: 60})
  })

  it('merge failures separated by a success that is not sustained', () => {
    const w = outageWindows(
      probes(0, 10_000, [
        [2000, 3000],
        [3050, 4000],
      ]),
    )
    expect(w).toHaveLength(1)
    expect(w[0]?.ms).toBe(4000 - 1950)
  })

  it('keep outages apart when the service was sustained in between', () => {
    const w = outageWindows(
      probes(0, 10_000, [
        [2000, 3000],
        [6000, 6500],
      ]),
    )
    expect(w.map((x) => x.ms)).toEqual([1050, 550])
  })

  it('report an unfinished outage when the service never recovered', () => {
    const w = outageWindows(probes(0, 5000, [[2000, 99_999]]))
    expect(w[0]).toMatchObject({endT: null, ms: null})
  })
})

describe('failover metrics', () => {
  const timeline: TimelineEvent[] = [
    ...probes(0, 30_000, [[7600, 12_400]]),
    {kind: 'fault', t: T0 + 2000, fault: 'link-pull', phase: 'injected', target: ['n1']},
    {kind: 'cluster', t: T0 + 9400, phase: 'node-lost', node: 'n1', source: 'crm_mon'},
    {kind: 'cluster', t: T0 + 9500, phase: 'fence-requested', node: 'n1', source: 'fence-history'},
    {kind: 'cluster', t: T0 + 14_300, phase: 'fence-confirmed', node: 'n1', source: 'fence-history'},
    {
      kind: 'cluster',
      t: T0 + 14_600,
      phase: 'resource-started',
      node: 'n2',
      resource: 'web',
      source: 'crm_mon',
    },
    {kind: 'cluster', t: T0 + 3000, phase: 'vip-holders', holders: ['n1'], source: 'ip addr'},
    {kind: 'cluster', t: T0 + 15_000, phase: 'vip-holders', holders: ['n2'], source: 'ip addr'},
    {kind: 'fault', t: T0 + 32_000, fault: 'link-pull', phase: 'reverted', target: ['n1']},
  ]
  const m = failoverMetrics(timeline)

  it('measure the client outage of a failover', () => {
    expect(m.clientOutageMs).toBe(12_400 - 7550)
    expect(m.failedProbes).toBe(96)
    expect(m.probes).toBe(601)
  })

  it('give every phase as an offset from the injection, in order', () => {
    expect(m.phases.map((p) => [p.name, p.atMs])).toEqual([
      ['fault-injected', 0],
      ['node-lost', 7400],
      ['fence-requested', 7500],
      ['client-recovered', 10_400],
      ['fence-confirmed', 12_300],
      ['resource-started', 12_600],
      ['fault-reverted', 30_000],
    ])
  })

  it('count the most nodes seen holding the VIP at once', () => {
    expect(m.maxVipHolders).toBe(1)
  })

  it('compute latency percentiles over successful probes', () => {
    expect(m.latency).toEqual({p50: 2, p95: 2, p99: 2, max: 2})
  })

  it('ignore outages that ended before the fault was injected', () => {
    const t: TimelineEvent[] = [
      ...probes(0, 10_000, [[500, 700]]),
      {kind: 'fault', t: T0 + 2000, fault: 'kill-process', phase: 'injected', target: ['n1']},
    ]
    expect(failoverMetrics(t).clientOutageMs).toBe(0)
  })
})

describe('percentile', () => {
  it('uses the nearest-rank method', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10)
    expect(percentile([], 50)).toBe(0)
  })
})

describe('lost-write accounting', () => {
  const w = (seq: number, ok: boolean, t: number, primary = 'A'): TimelineEvent => ({
    kind: 'write',
    seq,
    ok,
    t: T0 + t,
    latencyMs: 1,
    primary,
  })

  it('count acknowledged writes missing after recovery as lost, and failed ones as not lost', () => {
    const tl = [w(1, true, 0), w(2, true, 10), w(3, true, 20), w(4, false, 30), w(5, true, 40)]
    const m = writeMetrics(tl, new Set([1, 2, 5]))
    expect(m).toMatchObject({attempted: 5, acked: 4, failed: 1, lost: [3], doubleAcked: []})
    expect(m.rpoMs).toBe(1)
  })

  it('flag a sequence acknowledged by two different primaries as split-brain', () => {
    const tl = [w(1, true, 0, 'A'), w(2, true, 10, 'A'), w(2, true, 20, 'B')]
    expect(writeMetrics(tl, new Set([1, 2])).doubleAcked).toEqual([2])
  })

  it('report zero RPO when nothing acknowledged was lost', () => {
    expect(writeMetrics([w(1, true, 0)], new Set([1]))).toMatchObject({lost: [], rpoMs: 0})
  })
})
