/**
 * The cluster view (pure): literal readings, as metrics tests use literal
 * timelines, for the reconciliation rules; the lab captures in examples/ are
 * judged end to end in test/unit/audit/captures.test.ts.
 */
import {describe, expect, it} from 'vitest'

import {buildClusterView, speakerOf} from '../../../src/view/build.js'
import {summarizeView} from '../../../src/view/summary.js'
import type {MembershipReading, NodeReadings, PacemakerState, ViewInput} from '../../../src/view/types.js'

const VIP = '198.18.2.100'
const node = (name: string, roles = ['cluster']) => ({
  name,
  aliases: [`198.18.2.1${name.slice(1)}`],
  roles,
  hasBmc: true,
})
const member = (members: string[], quorate: boolean): {ok: true; value: MembershipReading} => ({
  ok: true,
  value: {members, quorate, qdevice: false, expectedVotes: 3, totalVotes: members.length},
})
const pcmk = (dc: string | undefined, online: string[]): {ok: true; value: PacemakerState} => ({
  ok: true,
  value: {
    ...(dc ? {dc} : {}),
    quorate: true,
    stonithEnabled: true,
    nodes: ['n1', 'n2', 'n3'].map((n) => ({
      name: n,
      online: online.includes(n),
      unclean: false,
      standby: false,
      maintenance: false,
      pending: false,
      isDc: n === dc,
      type: 'member',
    })),
    resources: [],
    failedActions: 0,
  },
})
const up = (m: ReturnType<typeof member>, extra: Partial<NodeReadings> = {}): NodeReadings => ({
  reach: {ok: true},
  bmc: {ok: true, value: 'on'},
  membership: m,
  addresses: {ok: true, value: []},
  ...extra,
})
const input = (readings: Record<string, NodeReadings>): ViewInput => ({
  stack: 'pacemaker',
  vip: VIP,
  nodes: [node('n1'), node('n2'), node('n3')],
  readings,
})

describe('the cluster view', () => {
  it('is one quorate partition with no anomaly when every node sees every node', () => {
    const all = member(['n1', 'n2', 'n3'], true)
    const v = buildClusterView(
      input({
        n1: up(all, {pacemaker: pcmk('n2', ['n1', 'n2', 'n3']), addresses: {ok: true, value: [VIP]}}),
        n2: up(all, {pacemaker: pcmk('n2', ['n1', 'n2', 'n3'])}),
        n3: up(all),
      }),
    )
    expect(v.partitions.map((p) => [p.name, p.primary, p.dc, p.vipHolders])).toEqual([
      ['n1+n2+n3', true, 'n2', ['n1']],
    ])
    expect(v.anomalies).toEqual([])
    expect(speakerOf(v)).toBe('n2')
    expect(summarizeView(v).headline).toBe(
      'cluster view: 3/3 cluster nodes examined; one partition n1+n2+n3, quorate, DC n2; VIP on n1',
    )
  })

  it('maps corosync names given as addresses to inventory names', () => {
    const byAddr = member(['198.18.2.11', '198.18.2.12', '198.18.2.13'], true)
    const v = buildClusterView(input({n1: up(byAddr), n2: up(byAddr), n3: up(byAddr)}))
    expect(v.partitions[0]?.members).toEqual(['n1', 'n2', 'n3'])
  })

  it('names a dark node and its BMC power, and says who still counts it', () => {
    const all = member(['n1', 'n2', 'n3'], true)
    const v = buildClusterView(
      input({
        n1: up(all),
        n2: up(all),
        n3: {
          reach: {ok: false, reason: 'refused', message: 'connect ECONNREFUSED'},
          bmc: {ok: true, value: 'off'},
        },
      }),
    )
    expect(v.nodes.find((n) => n.name === 'n3')).toMatchObject({examined: false, bmc: 'off'})
    expect(v.anomalies.map((a) => a.kind)).toEqual(['not-examined', 'powered-off-member'])
    expect(v.anomalies[0]?.message).toBe(
      'n3: not examined — SSH refused, BMC reports power off; still a member for n1 and n2',
    )
    expect(summarizeView(v).degraded).toBe(true)
  })

  it('keeps a BMC that could not be read as unknown, never as on or off', () => {
    const v = buildClusterView(
      input({
        n1: up(member(['n1', 'n2'], true)),
        n2: up(member(['n1', 'n2'], true)),
        n3: {
          reach: {ok: false, reason: 'timeout', message: 't'},
          bmc: {ok: false, error: 'LAB_BMC_PASSWORD is not set'},
        },
      }),
    )
    expect(v.nodes[2]).toMatchObject({bmc: 'unknown', bmcError: 'LAB_BMC_PASSWORD is not set'})
    expect(v.anomalies[0]?.message).toMatch(
      /BMC not readable \(LAB_BMC_PASSWORD is not set\); not in the membership of any examined node/,
    )
  })

  it('splits nodes that disagree into partitions, the quorate one primary, the others minorities', () => {
    const v = buildClusterView(
      input({
        n1: up(member(['n1'], false), {addresses: {ok: true, value: [VIP]}}),
        n2: up(member(['n2', 'n3'], true), {pacemaker: pcmk('n2', ['n2', 'n3'])}),
        n3: up(member(['n2', 'n3'], true)),
      }),
    )
    expect(v.partitions.map((p) => [p.name, p.quorate, p.primary])).toEqual([
      ['n2+n3', true, true],
      ['n1', false, false],
    ])
    expect(v.primary).toBe('n2+n3')
    expect(speakerOf(v)).toBe('n2')
    const kinds = v.anomalies.map((a) => a.kind)
    expect(kinds).toEqual(['split-view', 'minority', 'vip-outside-primary'])
    expect(v.anomalies[1]?.message).toMatch(
      /^n1 is in a minority partition \(n1, no quorum\) cut off from the quorate partition n2\+n3; still holds the VIP/,
    )
  })

  it('has no primary when no partition, or more than one, claims quorum', () => {
    const none = buildClusterView(
      input({n1: up(member(['n1'], false)), n2: up(member(['n2'], false)), n3: up(member(['n3'], false))}),
    )
    expect(none.primary).toBeUndefined()
    expect(none.anomalies.map((a) => a.kind)).toContain('no-quorate-partition')
    const two = buildClusterView(
      input({
        n1: up(member(['n1'], true)),
        n2: up(member(['n2', 'n3'], true)),
        n3: up(member(['n2', 'n3'], true)),
      }),
    )
    expect(two.primary).toBeUndefined()
    expect(two.anomalies.map((a) => a.kind)).toContain('several-quorate-partitions')
  })

  it('flags two VIP holders as split brain', () => {
    const all = member(['n1', 'n2', 'n3'], true)
    const v = buildClusterView(
      input({
        n1: up(all, {addresses: {ok: true, value: [VIP]}}),
        n2: up(all, {addresses: {ok: true, value: [VIP]}}),
        n3: up(all),
      }),
    )
    expect(v.anomalies.find((a) => a.kind === 'vip-several-holders')?.message).toBe(
      `the VIP ${VIP} is up on n1 and n2 at once: split brain, clients reach two services`,
    )
  })

  it('says a node that answers without a membership has its cluster stack down', () => {
    const v = buildClusterView(
      input({
        n1: up(member(['n1', 'n2'], true)),
        n2: up(member(['n1', 'n2'], true)),
        n3: {
          reach: {ok: true},
          membership: {
            ok: false,
            error: 'corosync-quorumtool exited 1 on n3: Cannot initialize QUORUM service',
          },
        },
      }),
    )
    expect(v.anomalies.map((a) => a.kind)).toEqual(['stack-down'])
    expect(v.anomalies[0]?.message).toMatch(
      /n3 answers but reports no corosync membership \(.*Cannot initialize QUORUM service\)/,
    )
  })

  it('notices Pacemaker still showing online a node corosync has dropped', () => {
    const v = buildClusterView(
      input({
        n1: up(member(['n1', 'n2'], true), {pacemaker: pcmk('n1', ['n1', 'n2', 'n3'])}),
        n2: up(member(['n1', 'n2'], true)),
        n3: {reach: {ok: false, reason: 'no-route', message: 'EHOSTUNREACH'}},
      }),
    )
    expect(v.anomalies.map((a) => a.kind)).toEqual(['not-examined', 'pacemaker-disagrees'])
  })

  it('judges a stack without corosync only by who could be examined', () => {
    const v = buildClusterView({
      stack: 'generic',
      nodes: [node('lb1', ['lb']), node('lb2', ['lb'])],
      readings: {lb1: {reach: {ok: true}}, lb2: {reach: {ok: false, reason: 'auth', message: 'denied'}}},
    })
    expect(v.partitions).toEqual([])
    expect(v.anomalies.map((a) => [a.kind, a.severity, a.message])).toEqual([
      [
        'not-examined',
        'warning',
        'lb2: not examined — SSH authentication failed, BMC not readable (not read)',
      ],
    ])
  })
})
