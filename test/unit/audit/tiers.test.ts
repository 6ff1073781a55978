/** Results by tier and the single point of failure (pure). */
import {describe, expect, it} from 'vitest'

import {spofSentence, tierOf, tierSummaries} from '../../../src/audit/tiers.js'
import type {CheckResult, Status} from '../../../src/core/results.js'
import type {Inventory} from '../../../src/core/types.js'

const r = (id: string, area: string, status: Status, node?: string): CheckResult => ({
  id,
  checklistRef: 'x',
  title: id,
  area,
  severity: 'critical',
  status,
  message: `${id} ${status}`,
  evidence: [],
  durationMs: 0,
  ...(node ? {node} : {}),
})
const inv = (roles: Record<string, string[]>): Inventory => ({
  cluster: {name: 'web', stack: 'generic', objectives: {}},
  networks: {},
  nodes: Object.entries(roles).map(([name, rs]) => ({name, host: name, roles: rs, ssh: {}})),
})

describe('audit tiers', () => {
  it('puts each check in the layer it is about', () => {
    expect(tierOf(r('vrrp.one-master', 'vrrp', 'pass'))).toBe('lb')
    expect(tierOf(r('tls.lb-certificates', 'tls', 'pass'))).toBe('lb')
    expect(tierOf(r('lb.sticky-sessions', 'lb', 'pass'))).toBe('app')
    expect(tierOf(r('session.sentinel-quorum', 'session', 'pass'))).toBe('session')
    expect(tierOf(r('replication.current-lag', 'replication', 'pass'))).toBe('database')
    expect(tierOf(r('fencing.enabled', 'fencing', 'pass'))).toBe('cluster')
    expect(tierOf(r('time.sync', 'time', 'pass'))).toBe('platform')
  })

  it('names the session store as the single point of failure when its redundancy check fails', () => {
    const tiers = tierSummaries(
      [
        r('vrrp.one-master', 'vrrp', 'pass'),
        r('lb.redundant', 'lb', 'pass'),
        r('session.sentinel-quorum', 'session', 'fail'),
        r('session.redis-replicas', 'session', 'pass', 'redis1'),
      ],
      inv({lb1: ['lb'], lb2: ['lb'], app1: ['app'], app2: ['app'], redis1: ['session'], redis2: ['session']}),
    )
    expect(tiers.map((t) => `${t.tier} ${t.status} ${t.spof}`)).toEqual([
      'lb pass false',
      'app skip false',
      'session fail true',
    ])
    expect(spofSentence(tiers)).toBe(
      'single point of failure: session store (session.sentinel-quorum: session.sentinel-quorum fail)',
    )
  })

  it('calls a tier of one node a single point of failure even when its checks pass', () => {
    const tiers = tierSummaries(
      [r('lb.redundant', 'lb', 'pass')],
      inv({lb1: ['lb'], app1: ['app'], app2: ['app']}),
    )
    expect(tiers.find((t) => t.tier === 'lb')).toMatchObject({spof: true, spofWhy: ['one node only (lb1)']})
    expect(spofSentence(tierSummaries([], inv({a: ['app'], b: ['app']})))).toBe(
      'no tier is a single point of failure (as far as the checks could tell)',
    )
  })
})
