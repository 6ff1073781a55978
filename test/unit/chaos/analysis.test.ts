import {describe, expect, it} from 'vitest'

import {estimateOffset} from '../../../src/chaos/observe/clock.js'
import {
  evaluateExpectation,
  parseExpectation,
  type EvalContext,
} from '../../../src/chaos/measure/expectations.js'
import {
  failoverMetrics,
  judgeRecovery,
  phaseAgreement,
  recoveryMs,
  rtoFloor,
} from '../../../src/chaos/measure/metrics.js'
import {classify, logPhaseEvents} from '../../../src/chaos/observe/pacemaker-log.js'
import {parseLogLine, parseReadLog, parseTzOffset} from '../../../src/facts/pacemaker-log.js'
import type {ClusterEvent, ProbeEvent, TimelineEvent} from '../../../src/chaos/timeline.js'
import {InputError} from '../../../src/core/errors.js'

const T0 = 1_764_151_872_000 // 2025-11-26T10:11:12Z

/** A heartbeat pull of n1 as the lab measured it: probes every 50 ms, failures from +7.6 s to +12.9 s. */
function labRun(): TimelineEvent[] {
  const tl: TimelineEvent[] = []
  for (let t = -3000; t <= 30_000; t += 50) {
    const ok = !(t >= 7600 && t < 12_900)
    const p: ProbeEvent = {kind: 'probe', t: T0 + t, probe: 'http', ok, latencyMs: ok ? 2 : 800}
    if (!ok) p.error = 'timeout'
    tl.push(p)
  }
  tl.push({kind: 'fault', t: T0, fault: 'link-pull', phase: 'injected', target: ['n1']})
  tl.push({kind: 'fault', t: T0 + 30_100, fault: 'link-pull', phase: 'reverted', target: ['n1']})
  const c = (t: number, phase: ClusterEvent['phase'], source: string, node?: string): ClusterEvent => ({
    kind: 'cluster',
    t: T0 + t,
    phase,
    source,
    ...(node ? {node} : {}),
  })
  tl.push(c(7430, 'node-lost', 'pacemaker-log', 'n1'), c(7700, 'node-lost', 'crm_mon@n2', 'n1'))
  tl.push(c(7510, 'fence-requested', 'pacemaker-log', 'n1'), c(7800, 'fence-requested', 'crm_mon@n2', 'n1'))
  tl.push(
    c(12_330, 'fence-confirmed', 'pacemaker-log', 'n1'),
    c(12_500, 'fence-confirmed', 'crm_mon@n2', 'n1'),
  )
  tl.push(c(12_600, 'resource-started', 'pacemaker-log', 'n2'))
  for (let t = 0; t < 30_000; t += 500)
    tl.push({
      kind: 'cluster',
      t: T0 + t,
      phase: 'vip-holders',
      source: 'ip-addr',
      holders: t < 7600 ? ['n1'] : t < 12_600 ? [] : ['n2'],
    })
  return tl.sort((a, b) => a.t - b.t)
}

function ctx(tl: TimelineEvent[], expectFenced = ['n1']): EvalContext {
  const metrics = failoverMetrics(tl)
  return {metrics, recoveryMs: recoveryMs(metrics), timeline: tl, expectFenced, observed: true}
}

describe('expectations', () => {
  it('parse the documented forms', () => {
    expect(parseExpectation('rto <= 30s')).toMatchObject({
      kind: 'compare',
      metric: 'clientOutageMs',
      op: '<=',
      value: 30_000,
    })
    expect(parseExpectation('failed-probes == 0')).toMatchObject({
      metric: 'failedProbes',
      value: 0,
      unit: 'count',
    })
    expect(parseExpectation('node-lost < 10s')).toMatchObject({metric: 'phase:node-lost', op: '<'})
    expect(parseExpectation('fenced: n1, n2')).toEqual({
      kind: 'fenced',
      text: 'fenced: n1, n2',
      nodes: ['n1', 'n2'],
    })
    expect(parseExpectation('fenced')).toMatchObject({nodes: 'expected'})
    expect(parseExpectation('no-split-brain').kind).toBe('no-split-brain')
  })

  it('may name every phase the metrics record, keepalived and Sentinel ones too, and is judged on it', () => {
    const tl = labRun()
    tl.push({kind: 'cluster', t: T0 + 2500, phase: 'vrrp-master', source: 'keepalived-log', node: 'lb1'})
    const c = ctx(tl)
    for (const phase of ['vrrp-master', 'store-switched', 'client-recovered', 'fault-reverted'])
      expect(parseExpectation(`${phase} <= 5s`)).toMatchObject({metric: `phase:${phase}`})
    expect(evaluateExpectation(parseExpectation('vrrp-master <= 5s'), c).status).toBe('pass')
    expect(evaluateExpectation(parseExpectation('vrrp-master <= 2s'), c).status).toBe('fail')
    expect(() => parseExpectation('fault-injected <= 5s')).toThrow(/unknown metric fault-injected/)
  })

  it('about fencing, in a run that did not observe the cluster, is an error and never a pass', () => {
    const c = {...ctx(labRun()), observed: false}
    for (const t of ['fenced: n1', 'not-fenced: n2']) {
      expect(evaluateExpectation(parseExpectation(t), c)).toEqual({
        text: t,
        status: 'error',
        observed: 'cluster not observed',
        message: `${t}: the cluster was not observed`,
      })
    }
  })

  it('a bad expectation is an input error that shows the grammar', () => {
    expect(() => parseExpectation('rto is short')).toThrow(InputError)
    expect(() => parseExpectation('rto <= soon')).toThrow(/expected a duration/)
    expect(() => parseExpectation('speed <= 3s')).toThrow(/unknown metric speed/)
  })

  it('pass and fail against a lab-like failover', () => {
    const c = ctx(labRun())
    const ev = (t: string): string => evaluateExpectation(parseExpectation(t), c).status
    expect(ev('rto <= 30s')).toBe('pass')
    expect(ev('rto <= 5s')).toBe('fail')
    expect(ev('fenced: n1')).toBe('pass')
    expect(ev('fenced')).toBe('pass')
    expect(ev('fenced: n2')).toBe('fail')
    expect(ev('not-fenced: n3')).toBe('pass')
    expect(ev('no-split-brain')).toBe('pass')
    expect(ev('recovered')).toBe('pass')
    expect(ev('node-lost <= 8s')).toBe('pass')
    expect(ev('failed-probes == 0')).toBe('fail')
    expect(ev('quorum-lost <= 1s')).toBe('error')
  })

  it('two VIP holders in one sample is split-brain', () => {
    const tl = labRun()
    tl.push({kind: 'cluster', t: T0 + 9000, phase: 'vip-holders', source: 'ip-addr', holders: ['n1', 'n2']})
    expect(evaluateExpectation(parseExpectation('no-split-brain'), ctx(tl))).toMatchObject({
      status: 'fail',
      observed: expect.stringMatching(/at most 2/),
    })
  })

  it('without an observer, fence expectations are errors, not passes', () => {
    const c = {...ctx(labRun()), observed: false}
    expect(evaluateExpectation(parseExpectation('fenced: n1'), c).status).toBe('error')
  })
})

describe('recovery, floor and phase agreement', () => {
  it('recovery is injection → client recovered; the outage is what clients saw', () => {
    const m = failoverMetrics(labRun())
    expect(m.clientOutageMs).toBe(12_900 - 7550)
    expect(recoveryMs(m)).toBe(12_900)
  })

  it('the floor is token + consensus + fencing, and recovery is judged against it', () => {
    const f = rtoFloor({tokenMs: 3650, consensusMs: 4380, fenceActionMs: 2000})
    expect(f.floorMs).toBe(10_030)
    expect(f.assumed).toEqual([])
    expect(judgeRecovery(12_900, f, {failoverExpected: true}).verdict).toBe('ok')
    expect(judgeRecovery(6000, f, {failoverExpected: true}).verdict).toBe('below-floor')
    expect(judgeRecovery(45_000, f, {failoverExpected: true}).verdict).toBe('far-above-floor')
    expect(judgeRecovery(0, f, {failoverExpected: true}).verdict).toBe('not-applicable')
    expect(rtoFloor({}).assumed).toEqual([
      'token 3000 ms (Corosync default)',
      'consensus 1.2 × token (Corosync default)',
      'fence action 0 ms (unknown)',
    ])
  })

  it('compares what was polled with what Pacemaker logged', () => {
    const rows = phaseAgreement(labRun())
    expect(rows.find((r) => r.name === 'node-lost')).toEqual({
      name: 'node-lost',
      observedMs: 7700,
      logMs: 7430,
      deltaMs: 270,
    })
    expect(rows.find((r) => r.name === 'resource-started')).toEqual({name: 'resource-started', logMs: 12_600})
  })

  it('gives the window a polled change must lie in, when the poll knows it', () => {
    const tl = labRun().map((e) =>
      e.kind === 'cluster' && e.phase === 'fence-requested' && e.source !== 'pacemaker-log'
        ? {...e, earliest: T0 + 7300, latest: T0 + 8300}
        : e,
    )
    expect(phaseAgreement(tl).find((r) => r.name === 'fence-requested')).toEqual({
      name: 'fence-requested',
      observedMs: 7800,
      logMs: 7510,
      deltaMs: 290,
      observedWindowMs: [7300, 8300],
    })
  })

  it('clock offset: the sample with the smallest round trip wins', () => {
    expect(
      estimateOffset([
        {sentT: 1000, receivedT: 1100, nodeT: 1200},
        {sentT: 2000, receivedT: 2010, nodeT: 2105},
      ]),
    ).toEqual({offsetMs: 100, rttMs: 10, samples: 2})
    expect(estimateOffset([])).toBeUndefined()
  })
})

describe("Pacemaker's log", () => {
  it('parses the 2.1 line format in the node’s time zone', () => {
    const l = parseLogLine(
      'Nov 26 11:11:19.430 n2 pacemaker-controld  [1234] (peer_update_callback) info: Node n1 is now lost',
      2025,
      60,
    )
    expect(l).toEqual({
      t: T0 + 7430,
      host: 'n2',
      daemon: 'pacemaker-controld',
      level: 'info',
      message: 'Node n1 is now lost',
    })
    expect(parseTzOffset('+0100')).toBe(60)
    expect(parseTzOffset('-0530')).toBe(-330)
    expect(parseLogLine('garbage', 2025, 0)).toBeUndefined()
  })

  it('classifies the lines that mark each phase', () => {
    expect(
      classify('Node n1 state is now lost | nodeid=1 previous=member source=crm_reap_unseen_nodes'),
    ).toEqual({phase: 'node-lost', node: 'n1'})
    expect(classify('Requesting fencing (reboot) of node n1 | action=3 timeout=60000')).toMatchObject({
      phase: 'fence-requested',
      node: 'n1',
    })
    expect(
      classify('Client pacemaker-controld.1234 wants to fence (reboot) n1 using any device'),
    ).toMatchObject({phase: 'fence-requested', node: 'n1'})
    expect(
      classify("Operation 'reboot' targeting n1 by n3 for pacemaker-controld.1234@n2: OK (complete)"),
    ).toMatchObject({phase: 'fence-confirmed', node: 'n1'})
    expect(
      classify(
        "Operation 'reboot' targeting n1 by n3 for pacemaker-controld.1234@n2: Timed Out (some detail)",
      ),
    ).toMatchObject({phase: 'fence-failed', node: 'n1'})
    expect(
      classify('Peer n1 was terminated (reboot) by n3 on behalf of pacemaker-controld.1234@n2: OK | event=1'),
    ).toMatchObject({phase: 'fence-confirmed', node: 'n1'})
    expect(
      classify(
        'Result of start operation for p-vip on n2: ok | graph action confirmed; call=30 key=p-vip_start_0',
      ),
    ).toEqual({phase: 'resource-started', resource: 'p-vip', node: 'n2'})
    expect(classify('Result of start operation for fence-n1 on n2: ok', new Set(['p-vip']))).toBeUndefined()
    expect(classify('Node n1 state is now member | nodeid=1 previous=lost')).toEqual({
      phase: 'node-rejoined',
      node: 'n1',
    })
    expect(classify('Quorum lost')).toEqual({phase: 'quorum-lost'})
  })

  it('turns a log into timeline events in the controller’s clock, first line per fact', () => {
    const text = parseReadLog(
      [
        '2025',
        '+0000',
        'Nov 26 10:11:19.430 n2 pacemaker-controld  [11] (peer_update_callback) notice: Node n1 state is now lost | nodeid=1',
        'Nov 26 10:11:19.431 n2 pacemaker-attrd  [12] (crm_update_peer_state_iter) notice: Node n1 state is now lost | nodeid=1',
        'Nov 26 10:11:19.510 n2 pacemaker-controld  [11] (te_fence_node) notice: Requesting fencing (reboot) of node n1 | action=3',
        'Nov 26 10:10:00.000 n2 pacemaker-controld  [11] (x) notice: Node n3 state is now lost',
      ].join('\n'),
    )
    const ev = logPhaseEvents(text.text, {
      node: 'n2',
      year: text.year,
      tzOffsetMin: text.tzOffsetMin,
      offsetMs: 30,
      fromT: T0 - 5000,
      toT: T0 + 60_000,
    })
    expect(ev.map((e) => [e.phase, e.node, e.t - T0, e.source])).toEqual([
      ['node-lost', 'n1', 7400, 'pacemaker-log'],
      ['fence-requested', 'n1', 7480, 'pacemaker-log'],
    ])
  })
})
