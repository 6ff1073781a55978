/**
 * `hacheck chaos data`'s pure parts: the arguments → the run's nodes, target, plan and workload; the recovered()
 * predicates on real captured output (the galera and patroni lab captures in test/fixtures/outputs); the exit-code
 * rule of a data-tier result.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {galeraNotWhole, parseGaleraPoll} from '../../../src/chaos/observe/galera.js'
import {
  parsePatroniList,
  patroniNotWhole,
  settledFor,
  type PatroniMember,
} from '../../../src/chaos/observe/patroni.js'
import {chooseData, dataExit, type DataArgs} from '../../../src/chaos/run/data-plan.js'
import type {DataRunResult} from '../../../src/chaos/run/data-experiment.js'
import {InputError} from '../../../src/core/errors.js'
import type {Inventory} from '../../../src/core/types.js'
import {splitParts} from '../../../src/facts/parts.js'
import {fixturesDir} from '../../support/paths.js'
import {labInventory, planInput} from './fixtures.js'

const withRoles = (roles: string[], database?: Record<string, unknown>): Inventory => {
  const inv = labInventory()
  return {
    ...inv,
    cluster: {...inv.cluster, ...(database ? {database} : {})},
    nodes: inv.nodes.map((n) => ({...n, roles})),
  }
}

const args = (over: Partial<DataArgs>): DataArgs => ({
  experiment: 'galera-partition',
  ratePerS: 15,
  writeTimeoutMs: 3000,
  keepTable: false,
  database: 'hacheck',
  user: 'hacheck',
  env: {},
  ...over,
})

const part = (system: string, variant: string, node: string, name: RegExp): string => {
  const text = readFileSync(join(fixturesDir, 'outputs', system, variant, node, `${system}.out`), 'utf8')
  const p = splitParts(text).find((x) => name.test(x.name))
  if (!p) throw new Error(`no part ${String(name)} in ${system}/${variant}/${node}`)
  return p.body
}

describe('chaos data: arguments to the run', () => {
  it('isolates the last galera node by default, writes round-robin to every galera node, and plans a Galera partition', () => {
    const c = chooseData(args({}), withRoles(['galera']), {})
    expect(c.system).toBe('galera')
    expect(c.nodes).toEqual(['n1', 'n2', 'n3'])
    expect(c.target).toBe('n3')
    expect(c.workload).toMatchObject({
      kind: 'mariadb-write',
      database: 'hacheck',
      user: 'hacheck',
      endpoints: [
        {name: 'n1', host: '198.18.2.11', port: 3306},
        {name: 'n2', host: '198.18.2.12', port: 3306},
        {name: 'n3', host: '198.18.2.13', port: 3306},
      ],
    })
    expect(c.workload).not.toHaveProperty('passwordEnv')
    const planned = c.plan(planInput({inventory: withRoles(['galera'])}))
    expect(planned.ok && planned.plan.leavesMembership).toEqual(['n3'])
  })

  it('names MYSQL_PWD as the password variable only when it is set, never its value', () => {
    const c = chooseData(args({env: {MYSQL_PWD: 's3cret'}}), withRoles(['galera']), {})
    expect(c.workload).toMatchObject({passwordEnv: 'MYSQL_PWD'})
    expect(JSON.stringify(c.workload)).not.toContain('s3cret')
  })

  it('kills the current Patroni leader’s postgres by default, writing to the leader on the inventory database port', () => {
    const inv = withRoles(['patroni', 'etcd'], {name: 'app', user: 'appuser', port: 6432})
    const c = chooseData(
      args({experiment: 'patroni-kill-leader', database: undefined, user: undefined}),
      inv,
      {patroniLeader: 'n2'},
    )
    expect(c.target).toBe('n2')
    expect(c.workload).toMatchObject({kind: 'pg-leader-write', database: 'app', user: 'appuser'})
    expect(c.workload.endpoints[1]).toEqual({name: 'n2', host: '198.18.2.12', port: 6432, restPort: 8008})
    expect(c.observeEtcd).toBe(false)
    expect(c.mayStayOut).toBeUndefined()
  })

  it('lets the cut-off leader stay out (diverged) and observes etcd only when an etcd member is stopped', () => {
    const inv = withRoles(['patroni', 'etcd'])
    expect(chooseData(args({experiment: 'patroni-cut-leader'}), inv, {patroniLeader: 'n1'}).mayStayOut).toBe(
      'n1',
    )
    const e = chooseData(args({experiment: 'etcd-stop-member'}), inv, {patroniLeader: 'n1', etcdLeader: 'n3'})
    expect(e.target).toBe('n3')
    expect(e.observeEtcd).toBe(true)
  })

  it('refuses, as input errors: a --node outside the system, no leader to default to, no database, no system nodes', () => {
    const inv = withRoles(['patroni'])
    expect(() => chooseData(args({experiment: 'patroni-kill-leader', node: 'db9'}), inv, {})).toThrow(
      /--node db9: not a patroni node of the inventory \(n1, n2, n3\)/,
    )
    expect(() => chooseData(args({experiment: 'patroni-kill-leader'}), inv, {})).toThrow(/pass --node/)
    expect(() =>
      chooseData(args({experiment: 'patroni-kill-leader', database: undefined}), inv, {patroniLeader: 'n1'}),
    ).toThrow(/pass --database and --db-user .*PGPASSWORD/)
    expect(() => chooseData(args({}), withRoles(['cluster']), {})).toThrow(InputError)
  })
})

describe('chaos data: recovered() predicates on captured output', () => {
  const galera = (variant: string, node: string): {node: string; state: string} => ({
    node,
    state: parseGaleraPoll(part('galera', variant, node, /^status/), 0),
  })

  it('finds a healthy Galera cluster whole', () => {
    expect(galeraNotWhole(['g1', 'g2', 'g3'].map((n) => galera('healthy', n)))).toBeUndefined()
  })

  it('names every node that is not Primary, Synced and in the full component during a minority partition', () => {
    const why = galeraNotWhole(['g1', 'g2', 'g3'].map((n) => galera('minority-g3', n)))
    expect(why).toMatch(/g1: Primary size 2 Synced/)
    expect(why).toMatch(/g3: non-Primary size 1/)
  })

  const members = (variant: string): PatroniMember[] => {
    const ms = parsePatroniList(part('patroni', variant, 'p1', /^list$/))
    if (!ms) throw new Error(`patronictl list of ${variant} not understood`)
    return ms
  }

  it('finds the healthy Patroni cluster whole, and the one with its leader cut off short of a member', () => {
    expect(patroniNotWhole(members('healthy'), {expected: 3})).toBeUndefined()
    expect(patroniNotWhole(members('leader-p3-cut-off'), {expected: 3})).toBe(
      'members: p1 Sync Standby running, p2 Leader running',
    )
  })

  it('accepts a deposed leader in start failed only when it may stay out, and never a cluster without a leader', () => {
    const ms: PatroniMember[] = [
      {Member: 'p1', Role: 'Leader', State: 'running'},
      {Member: 'p2', Role: 'Replica', State: 'streaming'},
      {Member: 'p3', Role: 'Replica', State: 'start failed'},
    ]
    expect(patroniNotWhole(ms, {expected: 3})).toMatch(/p3 Replica start failed/)
    expect(patroniNotWhole(ms, {expected: 3, mayStayOut: 'p3'})).toBeUndefined()
    const noLeader = ms.map((m) => ({...m, Role: 'Replica', State: 'running'}))
    expect(patroniNotWhole(noLeader, {expected: 3})).toBe('no leader')
    expect(parsePatroniList('Error: not a list')).toBeUndefined()
  })

  it('counts a Patroni cluster recovered only once it has been whole for the settle time', () => {
    const settled = settledFor(12_000)
    expect(settled(undefined, 1000)).toBe('settled for 0 ms of 12000')
    expect(settled(undefined, 12_999)).toBe('settled for 11999 ms of 12000')
    expect(settled('no leader', 13_000)).toBe('no leader')
    expect(settled(undefined, 14_000)).toBe('settled for 0 ms of 12000')
    expect(settled(undefined, 26_000)).toBeUndefined()
  })
})

describe('chaos data: the exit code', () => {
  const acct = {
    attempted: 100,
    acked: 90,
    failed: 10,
    unknown: 0,
    rows: 90,
    lost: [] as number[],
    duplicated: [],
    minorityAccepted: [] as number[],
    minorityRefused: [],
    unknownPresent: [],
    unknownAbsent: [],
    failedPresent: [],
    unexpected: [],
    rpoMs: 0,
  }
  const res = (over: Partial<DataRunResult> = {}): DataRunResult => ({
    runId: 'r',
    summary: 's',
    workload: 'w',
    injectedAt: 1,
    revertedAt: 2,
    recoveredAt: 3,
    history: [],
    polled: [],
    logged: [],
    errors: [],
    accounting: acct,
    ...over,
  })

  it('is 0 for a completed run that lost no acknowledged write', () => {
    expect(dataExit(res(), 0)).toBe(0)
  })

  it('is 1 when acknowledged writes were lost beyond the RPO, or with an RPO of 0, or the minority accepted writes', () => {
    const lost = {...acct, lost: [5, 6], rpoMs: 800}
    expect(dataExit(res({accounting: lost}))).toBe(1)
    expect(dataExit(res({accounting: lost}), 0)).toBe(1)
    expect(dataExit(res({accounting: lost}), 500)).toBe(1)
    expect(dataExit(res({accounting: lost}), 10_000)).toBe(0)
    expect(dataExit(res({accounting: {...acct, minorityAccepted: [7]}}), 0)).toBe(1)
    expect(dataExit(res({accounting: lost, errors: ['not recovered within 150 s']}), 0)).toBe(1)
  })

  it('is 3 when the run could not complete: not injected, not recovered, no read-back, or an error', () => {
    expect(dataExit(res({injectedAt: undefined}), 0)).toBe(3)
    expect(dataExit(res({recoveredAt: undefined}), 0)).toBe(3)
    expect(dataExit(res({accounting: undefined}), 0)).toBe(3)
    expect(dataExit(res({errors: ['revert not verified']}), 0)).toBe(3)
  })
})
