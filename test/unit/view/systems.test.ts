/**
 * Data-tier systems in the cluster view (pure): literal per-node readings (members seen, quorate, leader)
 * for the shared partition/quorum rules; the Galera readings from real captures are judged in
 * test/unit/checks/galera.test.ts.
 */
import {describe, expect, it} from 'vitest'

import {buildSystemView, type SystemInput, type SystemReading} from '../../../src/view/systems.js'

const r = (members: string[], quorate?: boolean, leader?: string): {ok: true; value: SystemReading} => ({
  ok: true,
  value: {members, ...(quorate !== undefined ? {quorate} : {}), ...(leader ? {leader} : {})},
})
const input = (nodes: SystemInput['nodes'], hasLeader = false): SystemInput => ({
  system: 'etcd',
  nodes,
  hasLeader,
})

describe('the view of a data-tier system', () => {
  it('is one primary partition with no anomaly when every node sees every node with quorum', () => {
    const all = r(['a', 'b', 'c'], true, 'b')
    const v = buildSystemView(
      input(
        ['a', 'b', 'c'].map((name) => ({name, examined: true, reading: all})),
        true,
      ),
    )
    expect(v.primary).toBe('a+b+c')
    expect(v.leader).toBe('b')
    expect(v.anomalies).toEqual([])
  })

  it('names a minority that sees only itself without quorum, and the majority as primary', () => {
    const maj = r(['a', 'b'], true)
    const v = buildSystemView(
      input([
        {name: 'a', examined: true, reading: maj},
        {name: 'b', examined: true, reading: maj},
        {name: 'c', examined: true, reading: r(['c'], false)},
      ]),
    )
    expect(v.primary).toBe('a+b')
    expect(v.members.map((n) => n.partition)).toEqual(['a+b', 'a+b', 'c'])
    expect(v.anomalies.map((a) => a.kind).sort()).toEqual(['minority', 'split-view', 'unseen-member'])
    expect(v.anomalies.find((a) => a.kind === 'minority')?.message).toBe(
      'etcd: c is in a non-primary component (c, no quorum)',
    )
  })

  it('calls two quorate partitions split brain and names no primary', () => {
    const v = buildSystemView(
      input([
        {name: 'a', examined: true, reading: r(['a'], true)},
        {name: 'b', examined: true, reading: r(['b', 'c'], true)},
        {name: 'c', examined: true, reading: r(['b', 'c'], true)},
      ]),
    )
    expect(v.primary).toBeUndefined()
    expect(v.anomalies.find((a) => a.kind === 'several-quorate-partitions')?.message).toMatch(/split brain/)
  })

  it('never counts a node it could not examine or read as a member, and names it', () => {
    const two = r(['a', 'b'], true)
    const v = buildSystemView(
      input([
        {name: 'a', examined: true, reading: two},
        {name: 'b', examined: true, reading: {ok: false, error: 'mariadb: Connection refused'}},
        {name: 'c', examined: false},
      ]),
    )
    expect(v.primary).toBe('a+b')
    expect(v.anomalies.map((a) => [a.kind, a.nodes.join(',')])).toEqual([
      ['not-read', 'b'],
      ['not-examined', 'c'],
      ['unseen-member', 'c'],
    ])
  })

  it('flags members of the primary partition that name different leaders, or none', () => {
    const v = buildSystemView(
      input(
        [
          {name: 'a', examined: true, reading: r(['a', 'b', 'c'], true, 'a')},
          {name: 'b', examined: true, reading: r(['a', 'b', 'c'], true, 'b')},
          {name: 'c', examined: true, reading: r(['a', 'b', 'c'], true, 'a')},
        ],
        true,
      ),
    )
    expect(v.leader).toBeUndefined()
    expect(v.anomalies.map((a) => a.kind)).toEqual(['leaders-disagree'])
    const none = buildSystemView(input([{name: 'a', examined: true, reading: r(['a'], true)}], true))
    expect(none.anomalies.map((a) => a.kind)).toEqual(['no-leader'])
  })

  it('has no primary when no node reports quorum', () => {
    const v = buildSystemView(input([{name: 'a', examined: true, reading: r(['a', 'b'], false)}]))
    expect(v.primary).toBeUndefined()
    expect(v.anomalies.map((a) => a.kind)).toContain('no-quorate-partition')
  })
})
