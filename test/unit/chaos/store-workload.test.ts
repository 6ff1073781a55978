/**
 * The data tier's store writers as Workloads (workloads/store.ts): after stop, the run's table read back,
 * dropped unless kept, and the one pure accounting by id; a failed read-back leaves the table alone.
 * The store here is a table in memory behind the StoreWriter interface (what a read-back returned).
 */
import {describe, expect, it} from 'vitest'

import {finishStore, type StoreWriter} from '../../../src/chaos/workloads/store.js'
import type {ReadBack} from '../../../src/chaos/workloads/types.js'
import type {WriteEvent} from '../../../src/chaos/timeline.js'

function store(rb: ReadBack, keepTable = false, dropFails = false): StoreWriter & {dropped: number} {
  return {
    kind: 'mariadb-write',
    table: 'hk_writes_t',
    keepTable,
    dropped: 0,
    readBack: async () => rb,
    async drop() {
      if (dropFails) throw new Error('ERROR 1142: DROP command denied')
      this.dropped++
    },
  }
}

const w = (seq: number, outcome: 'acked' | 'failed' | 'unknown', t = seq * 100): WriteEvent => ({
  kind: 'write',
  t,
  seq,
  node: 'g1',
  ok: outcome === 'acked',
  outcome,
  latencyMs: 10,
  ...(outcome === 'acked' ? {primary: 'g1'} : {}),
})

describe('finishStore', () => {
  it('reads back, drops the table, and accounts lost writes by id', async () => {
    const s = store({ok: true, ids: [1, 3, 4, 4], from: 'g2'})
    const end = await finishStore(s)
    expect(s.dropped).toBe(1)
    expect(end).toMatchObject({ok: true, detail: '4 rows from g2, table dropped', errors: []})
    expect(end.readBack).toEqual({ok: true, ids: [1, 3, 4, 4], from: 'g2'})
    const a = end.account?.([w(1, 'acked'), w(2, 'acked'), w(3, 'unknown'), w(4, 'acked'), w(5, 'failed')])
    expect(a?.fields).toMatchObject({ackedWrites: 3, lostWrites: 1, firstLostSeq: 2, lastLostSeq: 2})
    expect(a?.fields.writes).toMatchObject({
      table: 'hk_writes_t',
      readFrom: 'g2',
      dropped: true,
      lostSeqs: [2],
    })
    expect(a?.metrics?.presentUnacked).toEqual([3])
  })

  it('keeps the table when asked, and says so', async () => {
    const s = store({ok: true, ids: [1], from: 'g1'}, true)
    const end = await finishStore(s)
    expect(s.dropped).toBe(0)
    expect(end.notes).toEqual(['mariadb-write: hk_writes_t kept: drop it when done'])
  })

  it('a failed read-back leaves the table, and its accounting says the writes were not read back', async () => {
    const s = store({ok: false, error: 'no endpoint answered: g1: ECONNREFUSED'})
    const end = await finishStore(s)
    expect(s.dropped).toBe(0)
    expect(end.ok).toBe(false)
    expect(end.errors).toEqual(['mariadb-write: read-back: no endpoint answered: g1: ECONNREFUSED'])
    const a = end.account?.([w(1, 'acked')])
    expect(a?.fields.lostWrites).toBeNull()
    expect(a?.error).toBe('no endpoint answered: g1: ECONNREFUSED')
  })

  it('a table that cannot be dropped is an error, not a lost read-back', async () => {
    const end = await finishStore(store({ok: true, ids: [1], from: 'g1'}, false, true))
    expect(end.ok).toBe(true)
    expect(end.errors).toEqual(['mariadb-write: cleanup: ERROR 1142: DROP command denied'])
    expect(end.detail).toBe('1 rows from g1')
  })
})
