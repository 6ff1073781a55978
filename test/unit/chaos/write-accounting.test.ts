/**
 * Lost-write accounting over literal histories (Jepsen/Elle style): each case is a history of write
 * operations with their outcome plus the final read, and the expected ids in every class.
 */
import {describe, expect, it} from 'vitest'

import {accountWrites, clientOutage} from '../../../src/chaos/workloads/accounting.js'
import type {WriteEvent, WriteOutcome} from '../../../src/chaos/timeline.js'

/** w(seq, node, sent ms, latency ms, outcome) */
const w = (seq: number, node: string, t: number, latencyMs: number, outcome: WriteOutcome): WriteEvent => ({
  kind: 'write',
  seq,
  node,
  t,
  latencyMs,
  ok: outcome === 'acked',
  outcome,
})

describe('accountWrites', () => {
  it('counts nothing lost when every acknowledged write is read back', () => {
    const h = [w(1, 'g1', 0, 5, 'acked'), w(2, 'g2', 100, 5, 'acked'), w(3, 'g3', 200, 5, 'failed')]
    const a = accountWrites(h, [1, 2])
    expect(a).toMatchObject({
      attempted: 3,
      acked: 2,
      failed: 1,
      unknown: 0,
      rows: 2,
      lost: [],
      duplicated: [],
    })
    expect(a.rpoMs).toBe(0)
  })

  it('names the acknowledged writes missing from the read-back and the time span they cover', () => {
    const h = [
      w(1, 'db1', 0, 4, 'acked'),
      w(2, 'db1', 100, 4, 'acked'),
      w(3, 'db1', 200, 4, 'acked'),
      w(4, 'db1', 300, 2000, 'unknown'),
      w(5, 'db2', 2400, 6, 'acked'),
    ]
    const a = accountWrites(h, [1, 5])
    expect(a.lost).toEqual([2, 3])
    expect(a.rpoMs).toBe(204 - 100)
    expect(a.unknownAbsent).toEqual([4])
    expect(a.unknownPresent).toEqual([])
  })

  it('reports a write read back twice as duplicated, and a row nobody wrote as unexpected', () => {
    const a = accountWrites([w(1, 'g1', 0, 3, 'acked'), w(2, 'g2', 50, 3, 'acked')], [1, 2, 2, 9])
    expect(a.duplicated).toEqual([2])
    expect(a.unexpected).toEqual([9])
    expect(a.rows).toBe(4)
  })

  it('separates unanswered writes that committed from those that did not', () => {
    const h = [w(1, 'g1', 0, 5000, 'unknown'), w(2, 'g2', 10, 5000, 'unknown')]
    const a = accountWrites(h, [2])
    expect(a.unknownPresent).toEqual([2])
    expect(a.unknownAbsent).toEqual([1])
    expect(a.lost).toEqual([])
  })

  it('flags a write the store refused with an error yet kept', () => {
    const a = accountWrites([w(1, 'g3', 0, 3, 'failed')], [1])
    expect(a.failedPresent).toEqual([1])
  })

  it('counts a write acknowledged by a minority node inside the partition window as accepted by the minority', () => {
    const win = [{nodes: ['g3'], fromMs: 1000, toMs: 5000}]
    const h = [
      w(1, 'g3', 900, 50, 'acked'), // sent before the cut: a normal write
      w(2, 'g3', 1200, 30, 'acked'), // sent after the cut and acknowledged by g3 alone: split brain
      w(3, 'g3', 1300, 40, 'failed'), // refused, as a quorum-based store must
      w(4, 'g1', 1400, 20, 'acked'), // majority: fine
      w(5, 'g3', 4990, 30, 'acked'), // answered after the cut was removed: not inside the window
    ]
    const a = accountWrites(h, [1, 2, 4, 5], win)
    expect(a.minorityAccepted).toEqual([2])
    expect(a.minorityRefused).toEqual([3])
    expect(a.lost).toEqual([])
  })

  it('still reports a minority-accepted write that the merge later dropped as both accepted and lost', () => {
    const a = accountWrites([w(7, 'g3', 2000, 10, 'acked')], [], [{nodes: ['g3'], fromMs: 1000, toMs: 9000}])
    expect(a.minorityAccepted).toEqual([7])
    expect(a.lost).toEqual([7])
  })

  it('does not double-count a write id that was retried after an unknown outcome and then acknowledged', () => {
    const h = [w(4, 'g1', 0, 2000, 'unknown'), w(4, 'g2', 2100, 5, 'acked')]
    const a = accountWrites(h, [4, 4])
    expect(a.attempted).toBe(1)
    expect(a.acked).toBe(1)
    expect(a.unknownPresent).toEqual([])
    expect(a.duplicated).toEqual([4])
  })
})

describe('clientOutage', () => {
  it('is the longest gap between acknowledgements after the fault, minority endpoints left out', () => {
    const h = [
      w(1, 'g1', 0, 5, 'acked'),
      w(2, 'g3', 900, 5, 'acked'),
      w(3, 'g1', 1000, 5, 'acked'),
      w(4, 'g3', 1100, 5, 'failed'),
      w(5, 'g2', 1200, 6000, 'acked'), // stalled until the view change
      w(6, 'g3', 4000, 5, 'acked'), // minority: does not count as service
      w(7, 'g1', 7300, 5, 'acked'),
    ]
    expect(clientOutage(h, 1000, ['g3'])).toEqual({ms: 7200 - 1005, fromMs: 1005, toMs: 7200})
  })

  it('is undefined when nothing was acknowledged after the fault', () => {
    expect(clientOutage([w(1, 'g1', 0, 5, 'acked')], 100)).toBeUndefined()
  })
})
