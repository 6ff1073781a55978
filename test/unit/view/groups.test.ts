/**
 * Replicated systems in the cluster view (pure): literal readings, as the other view tests use, for the
 * reconciliation rules every system shares (one leader per group, watchers agreeing, unread nodes). The
 * mapping from real keepalived and Sentinel output to these readings is tested on lab captures
 * (test/unit/facts/keepalived.test.ts, redis-sentinel.test.ts).
 */
import {describe, expect, it} from 'vitest'

import {buildClusterView} from '../../../src/view/build.js'
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
    expect(v.groups).toEqual([
      {
        system: 'vrrp',
        group: 'vrid 51',
        members: [
          {node: 'lb1', role: 'MASTER', leader: true},
          {node: 'lb2', role: 'BACKUP', leader: false},
        ],
        leaders: ['lb1'],
        named: {},
        unread: [],
      },
    ])
    expect(v.anomalies.filter((a) => a.kind.startsWith('system-'))).toEqual([])
  })

  it('names a split brain when two nodes lead the same group', () => {
    const v = buildClusterView(input({lb1: [vrrp('MASTER')], lb2: [vrrp('MASTER')]}))
    expect(v.anomalies).toContainEqual({
      kind: 'system-several-leaders',
      severity: 'critical',
      nodes: ['lb1', 'lb2'],
      message: 'vrrp vrid 51 is led by lb1, lb2 at once: split brain',
    })
  })

  it('says a group has no leader only when every member could be read', () => {
    const none = buildClusterView(input({lb1: [vrrp('FAULT')], lb2: [vrrp('BACKUP')]}))
    expect(none.anomalies.map((a) => a.kind)).toContain('system-no-leader')
    const unread = buildClusterView(
      input({lb1: [{ok: false, system: 'vrrp', error: 'keepalived is not running'}], lb2: [vrrp('BACKUP')]}),
    )
    expect(unread.groups[0]?.unread).toEqual([{node: 'lb1', error: 'keepalived is not running'}])
    expect(unread.anomalies.map((a) => a.kind)).not.toContain('system-no-leader')
  })

  it('leaves out the nodes it could not examine at all', () => {
    const v = buildClusterView(input({lb1: 'down', lb2: [vrrp('MASTER')]}))
    expect(v.groups[0]?.members.map((m) => m.node)).toEqual(['lb2'])
  })

  it('lets watchers name the leader and flags watchers that disagree', () => {
    const agree = buildClusterView(
      input({redis1: [sentinel('198.18.2.61:6379')], redis2: [sentinel('198.18.2.61:6379')]}),
    )
    expect(agree.groups[0]?.named).toEqual({'198.18.2.61:6379': ['redis1', 'redis2']})
    expect(agree.anomalies.filter((a) => a.kind.startsWith('system-'))).toEqual([])
    const split = buildClusterView(
      input({redis1: [sentinel('198.18.2.61:6379')], redis2: [sentinel('198.18.2.62:6379')]}),
    )
    expect(split.anomalies.map((a) => a.message)).toContain(
      'redis-sentinel sessions: its watchers disagree on the leader (198.18.2.61:6379 by redis1; 198.18.2.62:6379 by redis2)',
    )
  })
})
