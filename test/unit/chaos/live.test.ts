import {describe, expect, it} from 'vitest'

import {createLiveView, PlainView, TimeOrder} from '../../../src/chaos/report/live.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'

const T0 = Date.parse('2026-11-26T10:11:12Z')

describe('the live view', () => {
  it('releases held items in time order once nothing earlier can arrive', () => {
    const o = new TimeOrder<string>(1000)
    o.push(T0 + 500, 'b')
    o.push(T0 + 100, 'a')
    o.push(T0 + 1500, 'c')
    expect(o.release(T0 + 1200)).toEqual(['a'])
    expect(o.release(T0 + 1600)).toEqual(['b'])
    o.push(T0 + 1400, 'late but earlier than c')
    expect(o.drain()).toEqual(['late but earlier than c', 'c'])
  })

  it('prints probe transitions and cluster events in time order with UTC and the offset from the injection, even when they arrive out of order', async () => {
    const out: string[] = []
    const view = new PlainView((s) => out.push(s))
    const ev = (e: TimelineEvent): void => view.onProgress({type: 'event', event: e})
    ev({kind: 'probe', t: T0 - 1000, probe: 'http', ok: true, latencyMs: 2})
    ev({kind: 'fault', t: T0, fault: 'link-pull', phase: 'injected', target: ['n1']})
    // A probe sent at +7.2 s times out: it lands after the node-lost seen at +7.43 s.
    ev({kind: 'cluster', t: T0 + 7430, phase: 'node-lost', node: 'n1', source: 'crm_mon@n2'})
    ev({kind: 'probe', t: T0 + 7200, probe: 'http', ok: false, latencyMs: 800, error: 'timeout'})
    ev({kind: 'probe', t: T0 + 12_900, probe: 'http', ok: true, latencyMs: 3})
    await view.close()
    expect(out.join('')).toBe(
      [
        '  10:11:12.000Z   +0.00s  fault    injected',
        '  10:11:19.200Z   +7.20s  client   probe FAILED (timeout)',
        '  10:11:19.430Z   +7.43s  cluster  node-lost n1  (crm_mon@n2)',
        '  10:11:24.900Z  +12.90s  client   probe OK again',
        '',
      ].join('\n'),
    )
  })

  it('shows what a node printed with its control characters made visible, never raw, in notes, stages and events', async () => {
    const out: string[] = []
    const view = createLiveView('plain', (s) => out.push(s))
    const evil = '\u001b[2J\u0000\ufffe\u202e'
    view.note(`discovery: ${evil}`)
    view.onProgress({type: 'stage', stage: 'baseline', state: 'start', detail: evil})
    view.onProgress({
      type: 'event',
      event: {kind: 'cluster', t: T0, phase: 'node-lost', node: `n1${evil}`, source: evil},
    })
    view.onProgress({
      type: 'event',
      event: {kind: 'probe', t: T0 + 100, probe: 'http', ok: false, latencyMs: 1, error: evil},
    })
    await view.close()
    const text = out.join('')
    expect(text).toContain('␛[2J␀')
    for (const ch of ['\u001b', '\u0000', '\ufffe', '\u202e']) expect(text.includes(ch)).toBe(false)
  })
})
