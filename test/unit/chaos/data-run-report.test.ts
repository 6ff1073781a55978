/** The data-tier experiment report (pure): ids of lost/duplicated/minority writes, RPO, RTO, phases in order. */
import {describe, expect, it} from 'vitest'

import type {DataRunResult} from '../../../src/chaos/run/data-experiment.js'
import {idRanges, renderDataRun} from '../../../src/chaos/report/data-run.js'

const T0 = Date.UTC(2026, 11, 7, 17, 46, 5, 400)

const result = (over: Partial<DataRunResult> = {}): DataRunResult => ({
  runId: 'itx',
  summary: 'partition {p1,p3} | {p2} for 45s',
  workload: 'pg-leader-write to the Patroni leader',
  injectedAt: T0,
  revertedAt: T0 + 45_356,
  recoveredAt: T0 + 47_844,
  history: [],
  polled: [
    {
      t: T0 + 31_000,
      node: 'p2',
      system: 'patroni',
      what: 'master running tl2 → master stopping',
      source: 'poll',
      notBefore: T0 + 30_400,
    },
  ],
  logged: [
    {
      t: T0 + 31_537,
      node: 'p3',
      system: 'patroni',
      what: 'promoted: acquired the leader lock',
      source: 'log',
      resolutionMs: 1,
    },
    {
      t: T0 + 25_799,
      node: 'p2',
      system: 'patroni',
      what: 'demoting self\u001b[2J',
      source: 'log',
      resolutionMs: 1,
    },
  ],
  readBackFrom: 'p3',
  accounting: {
    attempted: 20,
    acked: 15,
    failed: 3,
    unknown: 2,
    rows: 10,
    lost: [5, 6, 7, 9],
    duplicated: [12],
    minorityAccepted: [5, 6, 7],
    minorityRefused: [],
    unknownPresent: [],
    unknownAbsent: [18, 19],
    failedPresent: [],
    unexpected: [],
    rpoMs: 25_856,
  },
  rto: {ms: 31_653, fromMs: T0, toMs: T0 + 31_653},
  errors: [],
  ...over,
})

describe('idRanges', () => {
  it('writes consecutive ids as runs and keeps the others apart, sorted and without repeats', () => {
    expect(idRanges([9, 5, 6, 7, 12, 7, 84, 87])).toBe('5–7, 9, 12, 84, 87')
    expect(idRanges([])).toBe('')
  })
})

describe('renderDataRun', () => {
  it('lists the ids of the lost, duplicated and minority-accepted writes, not only their counts', () => {
    const text = renderDataRun(result())
    expect(text).toContain('  lost (acknowledged, not read back): 4 (ids 5–7, 9)')
    expect(text).toContain('  duplicated (read back more than once): 1 (ids 12)')
    expect(text).toContain('  accepted by the minority while it was cut off (split brain): 3 (ids 5–7)')
    expect(text).toContain('  no answer, not committed: 2 (ids 18–19)')
    expect(text).toContain('  refused yet committed (must be none): none')
    expect(text).toContain('RPO: 25.9s of acknowledged writes lost')
    expect(text).toContain(
      'RTO (client): 31.7s, the longest gap between acknowledged writes (+0.000s .. +31.653s)',
    )
    expect(text).toContain(
      '20 sent, 15 acknowledged, 3 refused or failed, 2 without an answer; 10 rows read back from p3',
    )
  })

  it('orders the phases of every source by time from the injection, and neutralises control characters from node logs', () => {
    const lines = renderDataRun(result()).split('\n')
    const at = (s: string): number => lines.findIndex((l) => l.includes(s))
    expect(at('demoting self')).toBeLessThan(at('master stopping'))
    expect(at('master stopping')).toBeLessThan(at('promoted'))
    expect(lines[at('demoting self')]).toBe('  +25.799s  p2  patroni log: demoting self␛[2J')
    expect(lines[at('master stopping')]).toBe(
      '  +31.000s (after +30.400s)  p2  patroni poll: master running tl2 → master stopping',
    )
  })

  it('says RPO 0 when nothing acknowledged was lost, and names a run that was never injected', () => {
    const a = result().accounting
    if (!a) throw new Error('fixture')
    const text = renderDataRun(result({accounting: {...a, lost: [], rpoMs: 0}}))
    expect(text).toContain('RPO: 0 (no acknowledged write lost)')
    const none = renderDataRun(
      result({injectedAt: undefined, rto: undefined, errors: ['inject failed on p2: x']}),
    )
    expect(none).toContain('the fault was not injected')
    expect(none).toContain('errors:\n  inject failed on p2: x')
  })
})
