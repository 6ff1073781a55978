/**
 * The lab's db profile as rendered (pure functions): topology, variants, the
 * pgsql resource-agent CIB (checked by crm_verify), the Prometheus rules read
 * back through hacheck's own rule parser (and promtool when installed), and the
 * inventory through hacheck's own inventory loader.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {detectionSeconds} from '../../../src/checks/replication/lag-alert.js'
import {parseRuleFile, replicationLagRules} from '../../../src/facts/prometheus-rules.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {inventoryYaml} from '../../../src/lab/inventory.js'
import {pgHba, pgLabConf, pgsqlParams, promRules, prometheusYml} from '../../../src/lab/render-db.js'
import {hostsFile, nodeFiles, type LabSpec} from '../../../src/lab/render.js'
import {initialCib} from '../../../src/lab/render-pacemaker.js'
import {nodesOf, parseVariants, type VariantName} from '../../../src/lab/topology.js'

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'db',
  variants,
  nodes: nodesOf('db'),
  clusterName: 'lab',
  bmcPassword: 'not-a-real-password',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
})

const has = (bin: string): boolean => {
  try {
    execFileSync(bin, ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hacheck-db-profile-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('the db lab profile', () => {
  it('has two PostgreSQL nodes with a replication interface and a monitoring node, all three cluster members with a BMC', () => {
    const nodes = nodesOf('db')
    expect(nodes.map((n) => [n.name, n.roles.join('+'), n.host, n.bmc?.addr])).toEqual([
      ['db1', 'cluster+db', '198.18.2.11', '198.18.3.101'],
      ['db2', 'cluster+db', '198.18.2.12', '198.18.3.102'],
      ['mon1', 'cluster+monitor', '198.18.2.13', '198.18.3.103'],
    ])
    expect(nodes.map((n) => n.ifaces.map((f) => `${f.dev}=${f.addr}`).join(' '))).toEqual([
      'eth0=198.18.2.11 eth1=198.18.1.11 eth2=198.18.3.11 eth3=198.18.4.11',
      'eth0=198.18.2.12 eth1=198.18.1.12 eth2=198.18.3.12 eth3=198.18.4.12',
      'eth0=198.18.2.13 eth1=198.18.1.13 eth2=198.18.3.13',
    ])
    for (const n of nodes) for (const f of n.ifaces) expect(f.hostVeth.length).toBeLessThanOrEqual(15)
  })

  it('accepts its own variants, refuses the two rule variants together and variants of other profiles', () => {
    expect(parseVariants('db', 'no-lag-rule,async')).toEqual(['async', 'no-lag-rule'])
    expect(parseVariants('db', 'stonith-disabled')).toEqual(['stonith-disabled'])
    expect(() => parseVariants('db', 'lag-rule-above-rpo,no-lag-rule')).toThrow(/cannot be combined/)
    expect(() => parseVariants('pacemaker3', 'async')).toThrow(/does not apply to profile pacemaker3/)
    expect(() => parseVariants('db', 'service-clone')).toThrow(/does not apply to profile db/)
  })

  it('configures the pgsql resource agent in sync replication mode, async under the async variant', () => {
    const nodes = nodesOf('db')
    expect(pgsqlParams(nodes, [])).toMatchObject({
      rep_mode: 'sync',
      node_list: 'db1 db2',
      master_ip: '198.18.4.100',
      pgdata: '/var/lib/postgresql/15/main',
      tmpdir: '/var/lib/postgresql/15/pgsql-tmp',
      socketdir: '/var/run/postgresql',
      pgctl: '/usr/lib/postgresql/15/bin/pg_ctl',
    })
    expect(pgsqlParams(nodes, ['async']).rep_mode).toBe('async')
  })

  it('makes PostgreSQL a promotable clone that never runs on mon1, with both VIPs following the promoted instance', () => {
    const xml = initialCib(spec([]))
    expect(xml).toMatch(/<clone id="pgsql-clone">[\s\S]*name="promotable" value="true"[\s\S]*<\/clone>/)
    expect(xml).toMatch(/name="clone-max" value="2"/)
    expect(xml).toMatch(/name="rep_mode" value="sync"/)
    expect(xml).toContain(
      '<rsc_location id="loc-pgsql-clone-avoids-mon1" rsc="pgsql-clone" node="mon1" score="-INFINITY"/>',
    )
    for (const vip of ['p-vip', 'p-vip-rep']) {
      expect(xml).toContain(
        `<rsc_colocation id="col-${vip}-with-primary" rsc="${vip}" with-rsc="pgsql-clone" with-rsc-role="Promoted" score="INFINITY"/>`,
      )
      expect(xml).toMatch(
        new RegExp(`first="pgsql-clone" first-action="promote" then="${vip}" then-action="start"`),
      )
    }
    expect(xml).toMatch(/name="ip" value="198\.18\.2\.100"[\s\S]*name="nic" value="eth0"/)
    expect(xml).toMatch(/name="ip" value="198\.18\.4\.100"[\s\S]*name="nic" value="eth3"/)
    expect(xml).not.toContain('p-web')
    expect(xml).not.toContain('p-worker')
    for (const n of ['db1', 'db2', 'mon1']) expect(xml).toContain(`<primitive id="fence-${n}"`)
    expect(initialCib(spec(['async']))).toMatch(/name="rep_mode" value="async"/)
  })

  it.skipIf(!has('crm_verify')).each<[string, VariantName[]]>([
    ['healthy', []],
    ['async', ['async']],
    ['stonith-disabled', ['stonith-disabled']],
  ])('passes crm_verify with the %s configuration', (name, variants) => {
    const states = nodesOf('db')
      .map(
        (n) =>
          `<node_state id="${n.nodeid}" uname="${n.name}" in_ccm="true" crmd="online" join="member" expected="member"/>`,
      )
      .join('')
    const file = join(dir, `${name}.xml`)
    writeFileSync(
      file,
      initialCib(spec(variants))
        .replace('<cib ', '<cib have-quorum="1" dc-uuid="1" ')
        .replace('<status/>', `<status>${states}</status>`),
    )
    let out = ''
    let code = 0
    try {
      out = execFileSync('crm_verify', ['-V', '--xml-file', file], {encoding: 'utf8', stdio: 'pipe'})
    } catch (e) {
      const err = e as {status?: number; stdout?: string; stderr?: string}
      code = err.status ?? -1
      out = `${err.stdout ?? ''}${err.stderr ?? ''}`
    }
    expect(out).not.toMatch(/error/i)
    expect(code).toBe(0)
  })

  it.each<{name: string; variants: VariantName[]; seconds?: number; reads: string}>([
    {name: 'healthy', variants: [], seconds: 15, reads: 'a lag alert firing 15 s after the lag starts'},
    {
      name: 'lag-rule-above-rpo',
      variants: ['lag-rule-above-rpo'],
      seconds: 120,
      reads: 'a lag alert firing 120 s after the lag starts',
    },
    {name: 'no-lag-rule', variants: ['no-lag-rule'], reads: 'no lag alert'},
  ])('writes $name Prometheus rules in which hacheck reads $reads', ({variants, seconds}) => {
    const rules = parseRuleFile(promRules(variants), 'replication.yml') ?? []
    expect(rules.map((r) => r.name)).toContain('PostgresqlDown')
    const lag = replicationLagRules(rules)
    if (seconds === undefined) {
      expect(lag).toEqual([])
      return
    }
    expect(lag).toHaveLength(1)
    expect(lag[0]?.metric).toBe('pg_replication_lag_seconds')
    expect(lag[0] && detectionSeconds(lag[0])).toBe(seconds)
  })

  it.skipIf(!has('promtool'))('writes rule files that promtool accepts, for every rule variant', () => {
    for (const v of [[], ['lag-rule-above-rpo'], ['no-lag-rule']] as VariantName[][]) {
      const file = join(dir, `rules-${v.join('') || 'healthy'}.yml`)
      writeFileSync(file, promRules(v))
      expect(execFileSync('promtool', ['check', 'rules', file], {encoding: 'utf8'})).toMatch(/SUCCESS/)
    }
  })

  it('puts the rule files on the monitoring node only, with a prometheus.yml that loads them', () => {
    const [db1, , mon1] = nodesOf('db')
    const paths = (n: typeof db1): string[] => nodeFiles(spec([]), n!).map((f) => f.path)
    expect(paths(mon1)).toEqual(
      expect.arrayContaining(['etc/prometheus/prometheus.yml', 'etc/prometheus/rules/replication.yml']),
    )
    expect(paths(db1)).not.toContain('etc/prometheus/rules/replication.yml')
    expect(prometheusYml(nodesOf('db'))).toContain('- /etc/prometheus/rules/*.yml')
    expect(parseRuleFile(prometheusYml(nodesOf('db')))).toBeUndefined()
  })

  it('lets replication in only from the replication network and the client role only from the public network', () => {
    expect(pgHba()).toMatch(/^host\s+replication\s+postgres\s+198\.18\.4\.0\/24\s+trust$/m)
    expect(pgHba()).toMatch(/^host\s+hacheck\s+hacheck\s+198\.18\.2\.0\/24\s+trust$/m)
    expect(pgHba()).not.toMatch(/0\.0\.0\.0|::\/0|\ball\s+all\s+\S+\s+trust/)
    expect(pgLabConf()).toMatch(/^listen_addresses = '\*'$/m)
    expect(hostsFile(spec([]), nodesOf('db')[0]!)).toMatch(/^198\.18\.4\.100\tvip-rep$/m)
  })

  it('writes an inventory that hacheck loads, with db and monitor roles, the database pg-write uses and an RPO of 0 in both replication modes', () => {
    for (const v of [[], ['async']] as VariantName[][]) {
      const inv = parseInventory(inventoryYaml(spec(v)), 'inventory.yaml')
      expect(inv.cluster.objectives.rpoMs).toBe(0)
      expect(inv.cluster.vip).toBe('198.18.2.100')
      expect(inv.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual([
        'db1:cluster+db',
        'db2:cluster+db',
        'mon1:cluster+monitor',
      ])
      expect(inv.networks).toMatchObject({replication: '198.18.4.0/24', public: '198.18.2.0/24'})
      expect(inv.cluster.database).toEqual({kind: 'postgresql', port: 5432, name: 'hacheck', user: 'hacheck'})
    }
  })
})
