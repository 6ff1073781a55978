import {describe, expect, it} from 'vitest'

import type {ChaosHistoryEntry} from '../../../src/checks/define.js'
import {runCheck, statuses} from '../../support/check-harness.js'

const now = new Date('2026-11-26T00:00:00Z')
const entry = (over: Partial<ChaosHistoryEntry>): ChaosHistoryEntry => ({
  id: 'r1',
  cluster: 'test',
  fault: 'link-pull',
  target: ['n1'],
  startedAt: '2026-11-20T10:00:00Z',
  status: 'pass',
  workload: 'http',
  clientOutageMs: 4200,
  objectives: {rtoMs: 30_000, rpoMs: 0},
  ...over,
})
const nodes = [{name: 'n1'}, {name: 'n2'}]

describe('failover.tested (item 6)', () => {
  it('fails, saying how to run one, when this cluster has never been failover-tested', () => {
    const r = runCheck('failover.tested', nodes, {now, history: []})
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(/no failover test under load on record/)
    expect(r[0]?.remediation).toMatch(/hacheck chaos link-pull/)
  })
  it('skips only when no history could be had at all (a capture taken without one)', () => {
    const r = runCheck('failover.tested', nodes, {now})
    expect(statuses(r)).toEqual(['skip'])
    expect(r[0]?.message).toMatch(/capture carries no chaos history/)
  })
  it('passes on a recent passing run under load, quoting its outage', () => {
    const r = runCheck('failover.tested', nodes, {now, history: [entry({})]})
    expect(statuses(r)).toEqual(['pass'])
    expect(r[0]?.message).toMatch(/client outage 4.20s/)
  })
  it('fails when the last test is older than the freshness window', () => {
    expect(
      statuses(
        runCheck('failover.tested', nodes, {now, history: [entry({startedAt: '2026-01-01T00:00:00Z'})]}),
      ),
    ).toEqual(['fail'])
  })
  it('fails when recent tests did not pass', () => {
    expect(statuses(runCheck('failover.tested', nodes, {now, history: [entry({status: 'fail'})]}))).toEqual([
      'fail',
    ])
  })
  it('warns when runs had no load, so no client-side RTO was measured', () => {
    expect(
      statuses(runCheck('failover.tested', nodes, {now, history: [entry({workload: undefined})]})),
    ).toEqual(['warn'])
  })
})

describe('failover.app-reconnect (item 7)', () => {
  it('passes when clients recovered in a run with a workload', () => {
    expect(statuses(runCheck('failover.app-reconnect', nodes, {now, history: [entry({})]}))).toEqual(['pass'])
  })
  it('fails when acknowledged writes were lost although the RPO is zero', () => {
    const r = runCheck('failover.app-reconnect', nodes, {
      now,
      history: [entry({workload: 'pg-write', lostWrites: 3})],
    })
    expect(statuses(r)).toEqual(['fail'])
  })
  it('fails when the clients never recovered', () => {
    expect(
      statuses(
        runCheck('failover.app-reconnect', nodes, {
          now,
          history: [entry({clientOutageMs: undefined, status: 'fail'})],
        }),
      ),
    ).toEqual(['fail'])
  })
})

describe('chaos evidence is matched to the cluster by identity, never by name', () => {
  it('keeps only the runs whose corosync identity is this cluster, and says how many it set aside', async () => {
    const {matchHistory} = await import('../../../src/audit/view-input.js')
    const {corosyncIdentity} = await import('../../../src/view/identity.js')
    const list = (names: string[]) =>
      names.map((name, i) => ({name, addrs: [{link: 0, addr: `198.18.1.1${i}`}]}))
    const pcmk = corosyncIdentity('halab', list(['n1', 'n2', 'n3']))
    const db = corosyncIdentity('halab', list(['db1', 'db2', 'mon1']))
    expect(pcmk?.id).toMatch(/^corosync:[0-9a-f]{16}$/)
    expect(pcmk?.id).not.toBe(db?.id)
    // Both labs are called "lab" in their inventories: the name decides nothing.
    const mine = {...entry({}), cluster: 'lab', identity: pcmk}
    const other = {...entry({id: 'other'}), cluster: 'lab', identity: db}
    const legacy = {...entry({id: 'old'}), cluster: 'lab'}
    const m = matchHistory([mine, other, legacy], pcmk)
    expect(m.mine.map((x) => x.id)).toEqual([mine.id])
    expect(m.unmatched).toBe(2)
    const r = runCheck('failover.tested', nodes, {now, history: m.mine})
    expect(statuses(r)).toEqual(['pass'])
  })
})
