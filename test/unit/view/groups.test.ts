/**
 * Replicated systems in the cluster view (pure): literal readings, as the other view tests use, for the
 * reconciliation rules every system shares (one leader per group, watchers agreeing, unread nodes). The
 * mapping from real keepalived and Sentinel output to these readings is tested on lab captures
 * (test/unit/facts/keepalived.test.ts, redis-sentinel.test.ts).
 */
import {describe, expect, it} from 'vitest'

import {buildClusterView} from '../../../src/view/build.js'
import {summarizeView} from '../../../src/view/summary.js'
import type {GroupOutcome, ViewInput} from '../../../src/view/types.js'

const vrrp = (role: string): GroupOutcome => ({
  ok: true,
  system: 'vrrp',
  readings: [{system: 'vrrp', group: 'vrid 51', role, leader: role === 'MASTER'}],
})
const sentinel = (names: string, quorum = 2): GroupOutcome => ({
  ok: true,
  system: 'redis-sentinel',
  readings: [
    {system: 'redis-sentinel', group: 'sessions', role: 'sentinel', leader: false, names, votes: 1, quorum},
  ],
})
const input = (systems: Record<string, GroupOutcome[] | 'down'>): ViewInput => ({
  stack: 'generic',
  vip: '198.18.2.100',
  nodes: Object.keys(systems).map((name) => ({
    name,
    aliases: [],
    roles: [name.startsWith('lb') ? 'lb' : 'session'],
    hasBmc: false,
  })),
  readings: Object.fromEntries(
    Object.entries(systems).map(([n, s]) => [
      n,
      s === 'down'
        ? {reach: {ok: false as const, reason: 'timeout' as const, message: 'ssh timeout'}}
        : {reach: {ok: true as const}, groups: s},
    ]),
  ),
})

describe('replicated-system groups in the cluster view', () => {
  it('reconciles a healthy VRRP pair into one group with one leader and no anomaly', () => {
    const v = buildClusterView(input({lb1: [vrrp('MASTER')], lb2: [vrrp('BACKUP')]}))
    expect(v.systems).toEqual([
      {
        system: 'vrrp',
        group: 'vrid 51',
        members: [
          {node: 'lb1', examined: true, role: 'MASTER', leader: true},
          {node: 'lb2', examined: true, role: 'BACKUP', leader: false},
        ],
        leaders: ['lb1'],
        named: {},
        unread: [],
        // Its members are fixed by configuration: no partitions, no quorum of its own.
        partitions: [],
        leader: 'lb1',
        anomalies: [],
      },
    ])
    expect(summarizeView(v).notices).toEqual([])
  })

  it('puts leader groups and membership systems in one list of one shape, leader groups first', () => {
    const v = buildClusterView({
      ...input({lb1: [vrrp('MASTER')], lb2: [vrrp('BACKUP')]}),
      systems: [
        {
          system: 'etcd',
          hasLeader: true,
          nodes: ['lb1', 'lb2'].map((name) => ({
            name,
            examined: true,
            reading: {ok: true, value: {members: ['lb1', 'lb2'], quorate: true, leader: 'lb2', state: 'x'}},
          })),
        },
      ],
    })
    const roles = (i: number) =>
      v.systems[i]?.members.map((m) => `${m.node} ${m.role ?? '?'}${m.leader ? ' leads' : ''}`)
    expect(
      v.systems.map((x) => `${x.system}/${x.group} leader ${x.leader ?? '-'} primary ${x.primary ?? '-'}`),
    ).toEqual(['vrrp/vrid 51 leader lb1 primary -', 'etcd/etcd leader lb2 primary lb1+lb2'])
    expect(roles(0)).toEqual(['lb1 MASTER leads', 'lb2 BACKUP'])
    expect(roles(1)).toEqual(['lb1 x', 'lb2 x leads'])
    expect(v.systems[1]?.named).toEqual({lb2: ['lb1', 'lb2']})
    expect(summarizeView(v).headline).toBe(
      'cluster view: 2/2 nodes examined; etcd: primary component lb1+lb2, leader lb2',
    )
  })

  it('names a split brain when two nodes lead the same group', () => {
    const v = buildClusterView(input({lb1: [vrrp('MASTER')], lb2: [vrrp('MASTER')]}))
    const splitBrain = {
      kind: 'system-several-leaders',
      severity: 'critical',
      nodes: ['lb1', 'lb2'],
      message: 'vrrp vrid 51 is led by lb1, lb2 at once: split brain',
    }
    expect(v.systems[0]?.anomalies).toEqual([splitBrain])
    expect(v.systems[0]?.leader).toBeUndefined()
    // The report names it as it names a data-tier system's anomalies: a critical notice, the view degraded.
    expect(summarizeView(v)).toMatchObject({
      degraded: true,
      headline: 'DEGRADED: vrrp vrid 51 is led by lb1, lb2 at once: split brain',
      notices: [splitBrain],
    })
  })

  it('says a group has no leader only when every member could be read', () => {
    const none = buildClusterView(input({lb1: [vrrp('FAULT')], lb2: [vrrp('BACKUP')]}))
    expect(none.systems[0]?.anomalies.map((a) => a.kind)).toEqual(['system-no-leader'])
    const unread = buildClusterView(
      input({lb1: [{ok: false, system: 'vrrp', error: 'keepalived is not running'}], lb2: [vrrp('BACKUP')]}),
    )
    expect(unread.systems[0]?.unread).toEqual([{node: 'lb1', error: 'keepalived is not running'}])
    expect(unread.systems[0]?.anomalies).toEqual([])
  })

  it('leaves out the nodes it could not examine at all', () => {
    const v = buildClusterView(input({lb1: 'down', lb2: [vrrp('MASTER')]}))
    expect(v.systems[0]?.members.map((m) => m.node)).toEqual(['lb2'])
  })

  it('lets watchers name the leader and flags watchers that disagree', () => {
    const agree = buildClusterView(
      input({redis1: [sentinel('198.18.2.61:6379')], redis2: [sentinel('198.18.2.61:6379')]}),
    )
    expect(agree.systems[0]?.named).toEqual({'198.18.2.61:6379': ['redis1', 'redis2']})
    expect(agree.systems[0]?.leader).toBe('198.18.2.61:6379')
    expect(agree.systems[0]?.anomalies).toEqual([])
    const split = buildClusterView(
      input({redis1: [sentinel('198.18.2.61:6379')], redis2: [sentinel('198.18.2.62:6379')]}),
    )
    expect(split.systems[0]?.anomalies.map((a) => a.message)).toContain(
      'redis-sentinel sessions: its watchers disagree on the leader (198.18.2.61:6379 by redis1; 198.18.2.62:6379 by redis2)',
    )
  })
})
