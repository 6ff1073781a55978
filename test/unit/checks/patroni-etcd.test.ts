/**
 * The patroni.* and etcd.* checks on the lab captures (test/fixtures/outputs/patroni): `audit --from`
 * each capture, as the live lab was judged (the cluster view built from the same facts).
 */
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import type {AuditRun} from '../../../src/core/results.js'
import type {Inventory} from '../../../src/core/types.js'
import {auditCaptureDir} from '../../support/audit-capture.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'patroni')

const auditCapture = (name: string, edit?: (inv: Inventory) => Inventory): Promise<AuditRun> =>
  auditCaptureDir(join(dir, name), ['x.patroni', 'x.etcd'], edit)

const notPassing = (r: AuditRun): string[] =>
  [
    ...new Set(
      r.results
        .filter((x) => /^(patroni|etcd)\./.test(x.id) && x.status !== 'pass')
        .map((x) => `${x.id}${x.node ? `@${x.node}` : ''}:${x.status}`),
    ),
  ].sort()
const message = (r: AuditRun, id: string): string =>
  r.results
    .filter((x) => x.id === id)
    .map((x) => x.message)
    .join(' | ')

describe('the patroni and etcd checks on the lab captures', () => {
  it('pass on the healthy lab except etcd.tls (the lab runs etcd over plain HTTP), and the view names both leaders', async () => {
    const r = await auditCapture('healthy')
    expect(notPassing(r)).toEqual(['etcd.tls:warn'])
    expect(message(r, 'patroni.leader')).toBe(
      'leader p3, agreed by every member; members p1+p2+p3 running, DCS reachable from each',
    )
    expect(message(r, 'patroni.sync-vs-rpo')).toMatch(/^synchronous_mode on, Sync Standby p1/)
    expect(r.view?.headline).toBe(
      'cluster view: 3/3 nodes examined; etcd: primary component p1+p2+p3, leader p3; patroni: primary component p1+p2+p3, leader p3',
    )
  })

  it('fail exactly patroni.sync-vs-rpo with synchronous_mode off and RPO 0', async () => {
    const r = await auditCapture('async')
    expect(notPassing(r)).toEqual(['etcd.tls:warn', 'patroni.sync-vs-rpo:fail'])
    expect(message(r, 'patroni.sync-vs-rpo')).toBe(
      'synchronous_mode is off while the RPO is 0: the leader acknowledges commits no replica has',
    )
  })

  it('accept asynchronous replication when the RPO allows a loss', async () => {
    const r = await auditCapture('async', (inv) => ({
      ...inv,
      cluster: {...inv.cluster, objectives: {...inv.cluster.objectives, rpoMs: 30_000}},
    }))
    expect(notPassing(r)).toEqual(['etcd.tls:warn'])
  })

  it('fail exactly patroni.timing with ttl 20 < loop_wait 10 + 2 × retry_timeout 10', async () => {
    const r = await auditCapture('timing')
    expect(notPassing(r)).toEqual(['etcd.tls:warn', 'patroni.timing:fail'])
    expect(message(r, 'patroni.timing')).toBe(
      'ttl 20 s < loop_wait 10 + 2 × retry_timeout 10 = 30 s: the leader key can expire while the leader retries',
    )
  })

  it('fail exactly patroni.replication with maximum_lag_on_failover 1 GiB under non-strict synchronous_mode', async () => {
    const r = await auditCapture('max-lag')
    expect(notPassing(r)).toEqual(['etcd.tls:warn', 'patroni.replication:fail'])
    expect(message(r, 'patroni.replication')).toBe(
      'synchronous_mode without synchronous_mode_strict falls back to asynchronous when the Sync Standby is lost, and maximum_lag_on_failover 1024.0 MB then lets a failover lose that much (limit 16 MB)',
    )
  })

  it('pass patroni.replication on the healthy lab, naming the 1 MiB bound', async () => {
    expect(message(await auditCapture('healthy'), 'patroni.replication')).toMatch(
      /; maximum_lag_on_failover 1\.0 MB$/,
    )
  })

  it('fail exactly etcd.db-quota on every member with a 24 KiB quota over the 20 KiB backend', async () => {
    const r = await auditCapture('etcd-small-quota')
    expect(notPassing(r)).toEqual([
      'etcd.db-quota@p1:fail',
      'etcd.db-quota@p2:fail',
      'etcd.db-quota@p3:fail',
      'etcd.tls:warn',
    ])
    expect(message(r, 'etcd.db-quota')).toBe(
      [1, 2, 3].map(() => 'DB 20.0 KiB of quota 24.0 KiB (83.3 %): above 80 %').join(' | '),
    )
  })

  it('name the stopped etcd member, and keep Patroni healthy while it still reaches a quorum', async () => {
    const r = await auditCapture('etcd-p2-stopped')
    expect(notPassing(r)).toEqual(['etcd.db-quota@p2:error', 'etcd.members:fail', 'etcd.tls:warn'])
    expect(message(r, 'etcd.members')).toMatch(
      /^p2's state could not be read \(etcd exited 1 on p2: etcd is installed on this node but not running\)/,
    )
    expect(message(r, 'etcd.members')).toMatch(/from p1: http:\/\/198\.18\.4\.12:2379 unhealthy/)
  })

  it('name the cut-off leader as a minority of both systems, and the new leader', async () => {
    const r = await auditCapture('leader-p3-cut-off')
    expect(notPassing(r)).toEqual(['etcd.members:fail', 'etcd.tls:warn', 'patroni.leader:fail'])
    expect(message(r, 'patroni.leader')).toMatch(/p3 is in a non-primary component \(p1\+p2\+p3, no quorum\)/)
    expect(message(r, 'etcd.members')).toMatch(/p3 is in a non-primary component \(p3, no quorum\)/)
    expect(r.view?.headline).toMatch(/^DEGRADED: etcd: /)
    const patroni = r.results.find((x) => x.id === 'patroni.replication')
    expect(patroni?.message).toMatch(/^p1 Sync Standby running lag 0 MB/)
  })

  it('count the three voting members as tolerating one failure', async () => {
    const r = await auditCapture('healthy')
    expect(message(r, 'etcd.odd-count')).toBe('3 voting members: tolerates 1 failure')
  })
})
