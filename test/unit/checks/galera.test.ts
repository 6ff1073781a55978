/**
 * The galera.* checks on the lab captures (test/fixtures/outputs/galera, real MariaDB/Galera outputs):
 * `audit --from` on each capture, as the live lab was judged, so the cluster view is built from the same
 * facts. Inventory changes (a node fewer, an arbitrator) are judged against the same real facts.
 */
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import flowControl from '../../../src/checks/galera/flow-control.js'
import type {AuditRun} from '../../../src/core/results.js'
import type {Inventory} from '../../../src/core/types.js'
import {auditCaptureDir} from '../../support/audit-capture.js'
import {fixturesDir} from '../../support/paths.js'
import {parseGalera} from '../../../src/facts/galera.js'
import {readFileSync} from 'node:fs'

const dir = join(fixturesDir, 'outputs', 'galera')

const auditCapture = (name: string, edit?: (inv: Inventory) => Inventory): Promise<AuditRun> =>
  auditCaptureDir(join(dir, name), ['x.galera'], edit)

const failing = (r: AuditRun): string[] =>
  [
    ...new Set(
      r.results
        .filter((x) => x.id.startsWith('galera.') && x.status !== 'pass')
        .map((x) => `${x.id}${x.node ? `@${x.node}` : ''}`),
    ),
  ].sort()
const message = (r: AuditRun, id: string): string =>
  r.results
    .filter((x) => x.id === id)
    .map((x) => x.message)
    .join(' | ')

describe('the galera checks on the lab captures', () => {
  it('pass every galera check on the healthy lab, with the primary component in the view', async () => {
    const r = await auditCapture('healthy')
    expect(failing(r)).toEqual([])
    expect(r.results.filter((x) => x.id.startsWith('galera.')).length).toBe(13)
    expect(r.view?.headline).toBe('cluster view: 3/3 nodes examined; galera: primary component g1+g2+g3')
  })

  it('fail exactly galera.split-brain with pc.ignore_sb=true', async () => {
    const r = await auditCapture('ignore-sb')
    expect(failing(r)).toEqual(['galera.split-brain'])
    expect(message(r, 'galera.split-brain')).toBe(
      'pc.ignore_sb=true on g1, g2, g3: each side of a partition keeps writing (split brain)',
    )
  })

  it('fail exactly galera.split-brain when one node carries 3 of 5 votes', async () => {
    const r = await auditCapture('weight')
    expect(failing(r)).toEqual(['galera.split-brain'])
    expect(message(r, 'galera.split-brain')).toBe(
      'g1 carries 3 of 5 votes (pc.weight): if g1 fails, the others hold 2 and lose the primary component',
    )
  })

  it('fail exactly galera.gcache-sst on every node with an 8 MiB gcache', async () => {
    const r = await auditCapture('small-gcache')
    expect(failing(r)).toEqual(['galera.gcache-sst@g1', 'galera.gcache-sst@g2', 'galera.gcache-sst@g3'])
    expect(message(r, 'galera.gcache-sst')).toMatch(
      /^gcache\.size 8\.0 MiB is below 128 MiB: a node away longer needs a full SST \(rsync\)/,
    )
  })

  it('name g3 as the minority during the partition: primary, cluster size and g3’s readiness fail', async () => {
    const r = await auditCapture('minority-g3')
    // The write sets queued while the view changed under the workload show as receive-queue pressure too.
    expect(failing(r)).toEqual([
      'galera.cluster-size',
      'galera.flow-control@g1',
      'galera.flow-control@g2',
      'galera.flow-control@g3',
      'galera.primary',
      'galera.ready@g3',
    ])
    expect(message(r, 'galera.flow-control')).toMatch(
      /^average receive queue 2\.83516 write sets \(limit 0\.5\)/,
    )
    expect(message(r, 'galera.primary')).toMatch(/g3 is in a non-primary component \(g3, no quorum\)/)
    expect(message(r, 'galera.primary')).toMatch(/g3 is not in the primary component g1\+g2/)
    expect(message(r, 'galera.cluster-size')).toBe(
      'wsrep_cluster_size is 2 on the primary component’s nodes (g1, g2), expected 3 (3 Galera nodes)'.replace(
        '’',
        "'",
      ),
    )
    expect(r.view?.headline).toMatch(/^DEGRADED: galera: /)
    expect(r.view?.notices.map((n) => n.kind)).toEqual(
      expect.arrayContaining(['minority', 'split-view', 'unseen-member']),
    )
  })

  it('judge an inventory of two Galera nodes as even, and a garbd arbitrator as the odd vote', async () => {
    const two = (inv: Inventory): Inventory => ({...inv, nodes: inv.nodes.filter((n) => n.name !== 'g3')})
    const r = await auditCapture('healthy', two)
    expect(failing(r)).toEqual(['galera.cluster-size', 'galera.odd-size'])
    expect(message(r, 'galera.odd-size')).toMatch(/^2 votes in all \(g1 1, g2 1\): an even total/)
    const withGarbd = (inv: Inventory): Inventory => {
      const t = two(inv)
      return {
        ...t,
        nodes: [
          ...t.nodes,
          {...(t.nodes[0] as Inventory['nodes'][number]), name: 'arb', host: '198.18.2.21', roles: ['garbd']},
        ],
      }
    }
    const r2 = await auditCapture('healthy', withGarbd)
    expect(failing(r2)).toEqual([])
    expect(message(r2, 'galera.odd-size')).toBe('3 votes in all (g1 1, g2 1, arbitrator arb 1 each): odd')
    expect(message(r2, 'galera.cluster-size')).toBe(
      'wsrep_cluster_size 3 = 3 (2 Galera nodes + arbitrator arb)',
    )
  })
})

describe('galera.flow-control thresholds', () => {
  it('fails a node whose average receive queue is above the limit, passes it under the default', () => {
    const g = parseGalera(readFileSync(join(dir, 'healthy', 'g1', 'galera.out'), 'utf8'))
    const node = {name: 'g1', host: '198.18.2.11', roles: ['galera']} as Inventory['nodes'][number]
    const judge = (maxRecvQueueAvg: number): string => {
      const f = flowControl.evaluate(
        {g},
        {...flowControl.params, maxRecvQueueAvg},
        node,
        {} as never,
        {} as never,
      )
      return (Array.isArray(f) ? f[0] : f)?.status ?? '?'
    }
    expect(g.servers[0]?.recvQueueAvg).toBe(0.1)
    expect(judge(0.5)).toBe('pass')
    expect(judge(0.05)).toBe('fail')
  })
})
