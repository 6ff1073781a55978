/** The lab's patroni profile as rendered (pure): topology, etcd and Patroni configuration, DCS settings per variant. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'

import {memberInStep, type PatroniMember} from '../../../src/lab/patroni.js'
import {dcsSettings, etcdYml, patroniYml} from '../../../src/lab/render-patroni.js'
import {fixturesDir} from '../../support/paths.js'
import {nodeFiles, serviceForFile, type LabSpec} from '../../../src/lab/render.js'
import {nodesOf, type VariantName} from '../../../src/lab/topology.js'

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'patroni',
  variants,
  nodes: nodesOf('patroni'),
  clusterName: 'lab',
  bmcPassword: 'not-a-real-password',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
})

describe('the patroni lab profile', () => {
  it('has three nodes, each an etcd member running Patroni, clients on eth0 and etcd on eth1', () => {
    expect(
      nodesOf('patroni').map((n) => [
        n.name,
        n.roles.join('+'),
        n.services.join(' '),
        n.ifaces.map((f) => f.addr).join(' '),
      ]),
    ).toEqual([
      ['p1', 'patroni+etcd', 'rsyslog sshd etcd patroni', '198.18.2.11 198.18.4.11'],
      ['p2', 'patroni+etcd', 'rsyslog sshd etcd patroni', '198.18.2.12 198.18.4.12'],
      ['p3', 'patroni+etcd', 'rsyslog sshd etcd patroni', '198.18.2.13 198.18.4.13'],
    ])
  })

  it('renders an etcd member of a 3-member cluster with the v2 API on (Patroni’s etcd DCS)', () => {
    const s = spec([])
    const y = parse(etcdYml(s, s.nodes[1]!)) as Record<string, unknown>
    expect(y).toMatchObject({
      name: 'p2',
      'listen-client-urls': 'http://198.18.4.12:2379,http://127.0.0.1:2379',
      'initial-cluster': 'p1=http://198.18.4.11:2380,p2=http://198.18.4.12:2380,p3=http://198.18.4.13:2380',
      'enable-v2': true,
    })
    expect(serviceForFile('etc/patroni/etcd.yml')).toBe('etcd')
  })

  it('renders a Patroni YAML that YAML parses, with no password, the etcd hosts and Debian’s binaries', () => {
    const s = spec([])
    const text = patroniYml(s, s.nodes[0]!)
    expect(text).not.toMatch(/password/i)
    const y = parse(text) as {
      etcd: {hosts: string}
      postgresql: {bin_dir: string; connect_address: string}
      bootstrap: {dcs: unknown}
    }
    expect(y.etcd.hosts).toBe('198.18.4.11:2379,198.18.4.12:2379,198.18.4.13:2379')
    expect(y.postgresql.bin_dir).toBe('/usr/lib/postgresql/15/bin')
    expect(y.postgresql.connect_address).toBe('198.18.2.11:5432')
    expect(y.bootstrap.dcs).toMatchObject({ttl: 30, loop_wait: 10, retry_timeout: 10, synchronous_mode: true})
    expect(nodeFiles(s, s.nodes[0]!).map((f) => f.path)).toEqual(
      expect.arrayContaining(['etc/patroni/config.yml', 'etc/patroni/etcd.yml']),
    )
  })

  it('changes one DCS setting per variant', () => {
    const healthy = dcsSettings([])
    expect(dcsSettings(['patroni-async'])).toEqual({...healthy, synchronous_mode: false})
    expect(dcsSettings(['patroni-timing'])).toEqual({...healthy, ttl: 20})
    expect(dcsSettings(['patroni-max-lag'])).toEqual({...healthy, maximum_lag_on_failover: 1073741824})
    expect(dcsSettings(['etcd-small-quota'])).toEqual(healthy)
  })

  it('sets a 24 KiB etcd quota on every member with etcd-small-quota only', () => {
    const quota = (v: VariantName[]): unknown[] =>
      spec(v).nodes.map((n) => (parse(etcdYml(spec(v), n)) as Record<string, unknown>)['quota-backend-bytes'])
    expect(quota([])).toEqual([undefined, undefined, undefined])
    expect(quota(['etcd-small-quota'])).toEqual([24576, 24576, 24576])
    expect(quota(['patroni-max-lag'])).toEqual([undefined, undefined, undefined])
  })
})

describe("the lab's readiness of Patroni members", () => {
  /** The member list in a capture of the lab's patronictl list -f json (inside the patroni gatherer's output). */
  const members = (capture: string): PatroniMember[] => {
    const out = readFileSync(join(fixturesDir, 'outputs', 'patroni', capture, 'p1', 'patroni.out'), 'utf8')
    return JSON.parse(/\[\{"Cluster".*\]/.exec(out)?.[0] ?? '[]') as PatroniMember[]
  }

  it('counts the leader and replicas on its timeline as in step, and a replica off it (a deposed leader that diverged) as not', () => {
    for (const capture of ['healthy', 'leader-p3-cut-off']) {
      const ms = members(capture)
      const tl = ms.find((m) => m.Role === 'Leader')?.TL
      expect(ms.length).toBeGreaterThan(1)
      expect(ms.every((m) => memberInStep(m, tl))).toBe(true)
    }
    const [replica] = members('healthy').filter((m) => m.Role !== 'Leader') as [PatroniMember]
    // As a deposed leader comes back after a split brain: running, with no timeline, or an older one.
    const {TL: _tl, ...noTimeline} = replica
    expect(memberInStep(noTimeline, 1)).toBe(false)
    expect(memberInStep({...replica, TL: 0}, 1)).toBe(false)
    expect(memberInStep({...replica, State: 'start failed'}, 1)).toBe(false)
  })
})
