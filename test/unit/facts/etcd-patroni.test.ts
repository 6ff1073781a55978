import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {hex, parseEtcd, quoteIds, type Etcd} from '../../../src/facts/etcd.js'
import {parsePatroni, type Patroni} from '../../../src/facts/patroni.js'
import {etcdReading, patroniReading} from '../../../src/view/etcd.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'patroni')
const read = (capture: string, node: string, g: string): string =>
  readFileSync(join(dir, capture, node, `${g}.out`), 'utf8')
const etcdOf = (c: string, n: string): Etcd => parseEtcd(read(c, n, 'etcd'))
const patroniOf = (c: string, n: string): Patroni => parsePatroni(read(c, n, 'patroni'))
const same = (n: string): string => n

describe('etcd parser on outputs captured from the lab (etcd 3.4.23)', () => {
  it('reads the members, each status with the leader as a full 64-bit id, health, no quota set, no TLS', () => {
    const e = etcdOf('healthy', 'p1')
    expect(e.members.map((m) => m.name).sort()).toEqual(['p1', 'p2', 'p3'])
    expect(e.members.every((m) => /^\d{16,20}$/.test(m.id) && !m.isLearner)).toBe(true)
    expect(e.statuses).toHaveLength(3)
    const leaders = new Set(e.statuses.map((s) => s.leader))
    expect(leaders.size).toBe(1)
    const leader = e.members.find((m) => m.id === [...leaders][0])
    expect(leader?.name).toBe('p3')
    expect(e.health.map((h) => h.health)).toEqual([true, true, true])
    expect(e.statuses[0]).toMatchObject({version: '3.4.23', dbSize: 20480, isLearner: false, errors: []})
    expect(e.quotaBackendBytes).toBeUndefined()
    expect([e.peerTls, e.clientTls]).toEqual([false, false])
    expect(e.members.find((m) => m.id === e.self)?.name).toBe('p1')
    expect(e.errors).toEqual([])
  })

  it('keeps the statuses it got and etcdctl’s words for the member it could not reach', () => {
    const e = etcdOf('etcd-p2-stopped', 'p1')
    expect(e.statuses.map((s) => s.endpoint).sort()).toEqual([
      'http://198.18.4.11:2379',
      'http://198.18.4.13:2379',
    ])
    expect(e.health.filter((h) => !h.health).map((h) => h.endpoint)).toEqual(['http://198.18.4.12:2379'])
    expect(e.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Failed to get the status of endpoint http:\/\/198\.18\.4\.12:2379/),
      ]),
    )
  })

  it('reads ids above 2^53 without losing digits', () => {
    const big = '{"header":{"cluster_id":13365178007410608122,"member_id":9019103400852709526}}'
    expect(JSON.parse(quoteIds(big))).toEqual({
      header: {cluster_id: '13365178007410608122', member_id: '9019103400852709526'},
    })
    expect(hex('9019103400852709526')).toBe('7d2a4ac20057e096')
  })

  it('gives the view each side of a leader cut off: the majority sees p1+p2 with a leader, p3 alone without quorum', () => {
    const p1 = etcdReading(etcdOf('leader-p3-cut-off', 'p1'), 'p1', same)
    expect(p1.ok && p1.value).toMatchObject({members: ['p1', 'p2'].sort(), quorate: true})
    expect(p1.ok && p1.value.leader).toMatch(/^p[12]$/)
    const p3 = etcdReading(etcdOf('leader-p3-cut-off', 'p3'), 'p3', same)
    expect(p3.ok && p3.value).toMatchObject({members: ['p3'], quorate: false})
  })
})

describe('patroni parser on outputs captured from the lab (Patroni 3.0.2)', () => {
  it('reads the members, the DCS settings and the REST API of a healthy cluster', () => {
    const p = patroniOf('healthy', 'p1')
    expect(p.config).toBe('/etc/patroni/config.yml')
    expect(p.members?.map((m) => `${m.name} ${m.role} ${m.state}`)).toEqual([
      'p1 Sync Standby running',
      'p2 Replica running',
      'p3 Leader running',
    ])
    expect(p.members?.find((m) => m.role !== 'Leader')?.lagMb).toBe(0)
    expect(p.dcs).toMatchObject({
      ttl: 30,
      loopWait: 10,
      retryTimeout: 10,
      maximumLagOnFailover: 1048576,
      synchronousMode: true,
    })
    expect(p.rest).toMatchObject({state: 'running', version: '3.0.2', scope: 'hacheck-lab'})
    expect(p.warnings).toEqual([])
  })

  it('reads each variant’s DCS setting', () => {
    expect(patroniOf('async', 'p2').dcs?.synchronousMode).toBe(false)
    expect(patroniOf('timing', 'p3').dcs?.ttl).toBe(20)
  })

  it('keeps patronictl’s ERROR lines apart from the JSON and YAML it printed', () => {
    const p = patroniOf('etcd-p2-stopped', 'p2')
    expect(p.members).toHaveLength(3)
    expect(p.dcs?.ttl).toBe(30)
    expect(p.warnings.length).toBeGreaterThan(0)
    expect(p.warnings[0]).toMatch(/ - ERROR - Request to server http:\/\/198\.18\.4\.12:2379 failed/)
  })

  it('does not take a stale DCS read for the cluster: p3 cut off lists itself Leader but runs as a replica', () => {
    const p3 = patroniOf('leader-p3-cut-off', 'p3')
    expect(p3.members?.find((m) => m.name === 'p3')?.role).toBe('Leader')
    expect(p3.rest?.role).toBe('replica')
    const r3 = patroniReading(p3, 'p3', same)
    expect(r3.ok && r3.value.quorate).toBe(false)
    const r1 = patroniReading(patroniOf('leader-p3-cut-off', 'p1'), 'p1', same)
    expect(r1.ok && r1.value).toMatchObject({members: ['p1', 'p2'], quorate: true, leader: 'p2'})
  })
})
