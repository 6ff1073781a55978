/** The galera-partition plan (pure): which nodes it cuts, what it drops, what it leaves reachable. */
import {describe, expect, it} from 'vitest'

import {planGaleraPartition} from '../../../src/chaos/faults/parts/galera-partition.js'
import type {Inventory} from '../../../src/core/types.js'
import {labFacts, labInventory, planInput} from './fixtures.js'

/** The chaos fixtures' 3-node lab, its nodes in role galera (what the galera lab profile declares). */
const galeraInventory = (): Inventory => {
  const inv = labInventory()
  return {...inv, nodes: inv.nodes.map((n) => ({...n, roles: ['galera']}))}
}

describe('planGaleraPartition', () => {
  it('cuts the chosen node off from the other Galera members, controller SSH exempted, nothing fenced', () => {
    const r = planGaleraPartition(planInput({inventory: galeraInventory()}), 'n3')
    if (!r.ok) throw new Error(r.reason)
    const p = r.plan
    expect(p.fault).toBe('partition')
    expect(p.targets).toEqual(['n3'])
    expect(p.expectFenced).toEqual([])
    expect(p.summary).toBe('Galera: cut n3 off from the other members for 30 s')
    expect(p.inject.map((s) => (s.kind === 'node' ? `${s.node}: ${s.what}` : s.what))).toEqual([
      'n1: drop traffic to/from n3',
      'n2: drop traffic to/from n3',
      'n3: drop traffic to/from n1, n2',
    ])
    const n3 = p.inject.find((s) => s.kind === 'node' && s.node === 'n3')
    expect(n3?.kind === 'node' && n3.script).toContain('198.18.2.1')
    expect(p.revert).toHaveLength(3)
    expect(p.deadmen.map((d) => (d.kind === 'node' ? d.node : ''))).toEqual(['n1', 'n2', 'n3'])
  })

  it('refuses an inventory without Galera nodes, naming why', () => {
    const r = planGaleraPartition(planInput(), 'n3')
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toBe('unknown node n3')
  })

  it('has no minority to cut off from a single Galera node', () => {
    const inv = galeraInventory()
    const one = {...inv, nodes: inv.nodes.slice(0, 1)}
    const r = planGaleraPartition(planInput({inventory: one, facts: new Map([['n1', labFacts(1)]])}))
    expect(!r.ok && r.reason).toBe('a cluster of 1 nodes has no minority to split off')
  })
})
