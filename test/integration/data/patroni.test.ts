/**
 * The lab's patroni profile (3 PostgreSQL 15 nodes under Patroni, each an etcd member), audited: items
 * x.patroni and x.etcd healthy, each variant applied live failing exactly its check, an etcd member stopped
 * named as such, and `lab up` bringing it back.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CheckResult} from '../../../src/core/results.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {VariantName} from '../../../src/lab/topology.js'
import type {SshPool} from '../../../src/transport/index.js'
import type {NodeSpec} from '../../../src/core/types.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants} from '../lab/helpers.js'

const lab = labContext()

const notPassing = (results: CheckResult[]): string[] =>
  [
    ...new Set(
      results
        .filter((r) => /^(patroni|etcd)\./.test(r.id) && r.status !== 'pass')
        .map((r) => `${r.id}${r.node ? `@${r.node}` : ''}:${r.status}`),
    ),
  ].sort()

describe.skipIf(!lab.available)(labTitle('the patroni lab profile (Patroni + etcd), audited'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: (name: string) => NodeSpec
  const run = (...only: string[]) => audit(status.inventory as string, ...only.flatMap((o) => ['--only', o]))

  beforeAll(async () => {
    status = await ensureLab('patroni')
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
    await useVariants([])
  })

  it('comes up with one Patroni leader, a Sync Standby, a replica and a healthy 3-member etcd', async () => {
    const list = JSON.parse(
      await sh(runner, node('p1'), ['patronictl', '-c', '/etc/patroni/config.yml', 'list', '-f', 'json']),
    ) as {Member: string; Role: string; State: string}[]
    expect(list.map((m) => m.Role).sort()).toEqual(['Leader', 'Replica', 'Sync Standby'])
    expect(list.every((m) => m.State === 'running' || m.State === 'streaming')).toBe(true)
    const health = await sh(runner, node('p2'), ['etcdctl', 'endpoint', 'health', '--cluster'])
    expect(health.match(/is healthy/g)).toHaveLength(3)
  })

  it('passes x.patroni and x.etcd when healthy, but etcd.tls (the lab runs etcd over plain HTTP)', async () => {
    const {code, report} = await run('x.patroni', 'x.etcd')
    expect(notPassing(report.results)).toEqual(['etcd.tls:warn'])
    expect(code).toBe(0)
    expect(report.view?.headline).toMatch(
      /etcd: primary component p1\+p2\+p3, leader p\d; patroni: primary component p1\+p2\+p3, leader p\d/,
    )
  })

  const cases: [VariantName, string][] = [
    ['patroni-async', 'patroni.sync-vs-rpo:fail'],
    ['patroni-timing', 'patroni.timing:fail'],
  ]
  for (const [variant, check] of cases) {
    it(`fails exactly ${check.split(':')[0]} with variant ${variant} (patronictl edit-config, live)`, async () => {
      status = await useVariants([variant])
      const {code, report} = await run('x.patroni', 'x.etcd')
      expect(notPassing(report.results)).toEqual(['etcd.tls:warn', check])
      expect(code).toBe(1)
    })
  }

  it('names an etcd member that was stopped, and lab up starts it again', async () => {
    status = await useVariants([])
    await sh(runner, node('p2'), ['systemctl', 'stop', 'etcd'])
    const {report} = await run('x.etcd')
    expect(notPassing(report.results)).toEqual([
      'etcd.db-quota@p2:error',
      'etcd.members:fail',
      'etcd.tls:warn',
    ])
    expect(report.results.find((r) => r.id === 'etcd.members')?.message).toMatch(
      /p2's state could not be read/,
    )
    status = await useVariants([])
    expect(notPassing((await run('x.etcd')).report.results)).toEqual(['etcd.tls:warn'])
  })
})
