import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {
  AbortGuard,
  parseAbortCondition,
  resolveAbortConditions,
  type AbortCondition,
} from '../../../src/chaos/safety/abort.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'
import {parseGameDay} from '../../../src/chaos/gameday/file.js'
import {renderChaosHtml} from '../../../src/chaos/report/html.js'
import {renderChaosJUnit} from '../../../src/chaos/report/junit.js'
import {renderChaosMarkdown} from '../../../src/chaos/report/markdown.js'
import {renderResultText} from '../../../src/chaos/report/text.js'
import {linkPullResult} from './fixtures.js'

const scope = {targets: ['n1'], expectFenced: ['n1'], leavesMembership: []}
const probe = (t: number, ok: boolean, latencyMs = 5): TimelineEvent => ({
  kind: 'probe',
  t,
  probe: 'http',
  ok,
  latencyMs,
})

function guard(texts: string[], objectives: {rtoMs?: number} = {}): AbortGuard {
  return new AbortGuard(resolveAbortConditions(texts, objectives), scope)
}

describe('abort conditions', () => {
  it('parse each documented form', () => {
    expect(parseAbortCondition('client-outage > 45s')).toMatchObject({kind: 'client-outage', limitMs: 45_000})
    expect(parseAbortCondition('client-outage > 2x rto')).toMatchObject({kind: 'client-outage', rtoFactor: 2})
    expect(parseAbortCondition(' quorum-lost ')).toEqual({kind: 'quorum-lost', text: 'quorum-lost'})
    expect(parseAbortCondition('fenced-other').kind).toBe('fenced-other')
    expect(parseAbortCondition('vip-holders > 1')).toMatchObject({kind: 'vip-holders', max: 1})
  })

  it('refuse an unknown condition with the grammar, as invalid input (exit 2)', () => {
    const err = (() => {
      try {
        parseAbortCondition('cpu > 90%')
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toMatch(/invalid abort condition "cpu > 90%".*"client-outage > 45s"/)
    expect(() => parseAbortCondition('client-outage > soon')).toThrow(/expected a duration such as 45s/)
  })

  it('resolve Nx rto against the inventory objective, and say what is missing without one', () => {
    const [c] = resolveAbortConditions(['client-outage > 2x rto'], {rtoMs: 30_000}) as [AbortCondition]
    expect(c).toMatchObject({kind: 'client-outage', limitMs: 60_000})
    expect(() => resolveAbortConditions(['client-outage > 2x rto'], {})).toThrow(/objectives\.rto/)
  })
})

describe('the steady-state guard', () => {
  it('never trips before it is armed (the baseline), and trips once, on the first breaking event', () => {
    const g = guard(['client-outage > 1s'])
    expect(g.observe(probe(0, true))).toBeUndefined()
    expect(g.observe(probe(5000, false))).toBeUndefined() // not armed yet
    g.arm()
    expect(g.observe(probe(5100, true))).toBeUndefined()
    expect(g.observe(probe(5600, false))).toBeUndefined() // 0.5 s without an answer
    const trip = g.observe(probe(6200, false, 800))
    expect(trip).toMatchObject({condition: 'client-outage > 1s', t: 6200})
    expect(trip?.reason).toBe('client outage 1.90s > 1.00s')
    expect(g.observe(probe(9000, false))).toBeUndefined() // reported once
  })

  it('names the RTO basis of an outage limit', () => {
    const g = guard(['client-outage > 2x rto'], {rtoMs: 500})
    g.arm()
    g.observe(probe(0, true))
    expect(g.observe(probe(1500, false))?.reason).toMatch(/\(2×RTO\)$/)
  })

  it('trips on quorum lost only on the surviving side', () => {
    const g = guard(['quorum-lost'])
    g.arm()
    const lost = (source: string): TimelineEvent => ({kind: 'cluster', t: 10, phase: 'quorum-lost', source})
    expect(g.observe(lost('crm_mon@n1'))).toBeUndefined() // the target's own view
    expect(g.observe(lost('crm_mon@n2'))?.reason).toBe('the surviving side lost quorum (crm_mon@n2)')
  })

  it('trips when a node other than the targets is fenced, not when the target is', () => {
    const g = guard(['fenced-other'])
    g.arm()
    const fence = (node: string): TimelineEvent => ({
      kind: 'cluster',
      t: 10,
      phase: 'fence-requested',
      source: 'crm_mon@n2',
      node,
    })
    expect(g.observe(fence('n1'))).toBeUndefined()
    expect(g.observe(fence('n3'))?.reason).toBe('n3 was being fenced, and it is not a target of the fault')
  })

  it('trips when more nodes than allowed hold the VIP in one sample', () => {
    const g = guard(['vip-holders > 1'])
    g.arm()
    const sample = (holders: string[]): TimelineEvent => ({
      kind: 'cluster',
      t: 10,
      phase: 'vip-holders',
      source: 'ip-addr',
      holders,
    })
    expect(g.observe(sample(['n2']))).toBeUndefined()
    expect(g.observe(sample(['n2', 'n3']))?.reason).toBe('2 nodes held the VIP at once (n2, n3)')
  })

  it('stays quiet once disarmed (the revert)', () => {
    const g = guard(['client-outage > 1s'])
    g.arm()
    g.observe(probe(0, true))
    g.disarm()
    expect(g.observe(probe(5000, false))).toBeUndefined()
  })
})

describe('an aborted run in the reports', () => {
  const aborted = linkPullResult(
    [],
    Date.parse('2026-11-26T10:11:12Z'),
    {},
    {
      aborted: true,
      abort: {
        by: 'condition',
        reason: 'client outage 1.90s > 1.00s',
        condition: 'client-outage > 1s',
        atMs: 2340,
      },
    },
  )

  it('says aborted: why, in the console, Markdown, HTML and JUnit', () => {
    expect(aborted.status).toBe('aborted')
    const line =
      'aborted: client outage 1.90s > 1.00s (abort condition "client-outage > 1s", 2.34s after the injection; the fault was reverted at once)'
    expect(renderResultText(aborted)).toContain(`  ${line}\n`)
    expect(renderChaosMarkdown([aborted])).toContain(`> **${line}**`)
    expect(renderChaosHtml([{result: aborted, timeline: []}])).toContain(
      '<p class="aborted"><strong>aborted: client outage',
    )
    expect(renderChaosJUnit([aborted])).toMatch(
      /<testcase name="run: not aborted"[^>]*>\s*<error message="aborted: client outage/,
    )
  })
})

describe('abortWhen in a game day', () => {
  it('is checked with the rest, each bad condition at its own line', () => {
    const text = [
      'name: g',
      'steps:',
      '  - name: a',
      '    fault: disk-fill',
      '    target: n2',
      '    with: {path: /tmp}',
      '    abortWhen: ["quorum-lost", "cpu > 90%"]',
      '',
    ].join('\n')
    expect(() => parseGameDay(text, 'g.yaml')).toThrow(
      /g\.yaml:7:\d+: steps\[0\]\.abortWhen\[1\]: invalid abort condition "cpu > 90%"/,
    )
    const ok = parseGameDay(text.replace(', "cpu > 90%"', ''), 'g.yaml')
    expect(ok.steps[0]?.kind !== 'experiment' && ok.steps[0]?.abortWhen).toEqual(['quorum-lost'])
  })
})
