/**
 * The lab's mysql profile as rendered (pure): topology, my.cnf of the source and the replica per variant,
 * the replica's CHANGE MASTER, and the inventory read back through hacheck's own inventory loader.
 */
import {describe, expect, it} from 'vitest'

import {parseInventory} from '../../../src/inventory/load.js'
import {inventoryYaml} from '../../../src/lab/inventory.js'
import {mysqlCnf, mysqlReplicaSetupSql, mysqlSourceSetupSql} from '../../../src/lab/render-mysql.js'
import {bindDirsOf, nodeFiles, type LabSpec} from '../../../src/lab/render.js'
import {nodesOf, parseVariants, type VariantName} from '../../../src/lab/topology.js'

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'mysql',
  variants,
  nodes: nodesOf('mysql'),
  clusterName: 'lab',
  bmcPassword: 'not-a-real-password',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
})

const setting = (cnf: string, name: string): string | undefined =>
  new RegExp(`^${name} = (.*)$`, 'm').exec(cnf)?.[1]

describe('the mysql lab profile', () => {
  it('has a source m1 and a replica m2 without BMC or Pacemaker, replication on its own network', () => {
    const nodes = nodesOf('mysql')
    expect(
      nodes.map((n) => [
        n.name,
        n.roles.join('+'),
        n.host,
        n.ifaces.map((f) => `${f.dev}:${f.addr}`).join(' '),
      ]),
    ).toEqual([
      ['m1', 'mysql', '198.18.2.11', 'eth0:198.18.2.11 eth1:198.18.4.11'],
      ['m2', 'mysql', '198.18.2.12', 'eth0:198.18.2.12 eth1:198.18.4.12'],
    ])
    expect(nodes.every((n) => n.services.join(' ') === 'rsyslog sshd mariadb' && !n.bmc)).toBe(true)
    expect(bindDirsOf(nodes[0]!)).toEqual(expect.arrayContaining(['etc/mysql', 'var/lib/mysql']))
  })

  it('renders a lossless semi-sync source and a read-only semi-sync replica, without Galera', () => {
    const s = spec([])
    const [m1, m2] = s.nodes
    const src = mysqlCnf(s, m1!)
    const rep = mysqlCnf(s, m2!)
    expect(src).not.toMatch(/wsrep/)
    expect([setting(src, 'server_id'), setting(rep, 'server_id')]).toEqual(['1', '2'])
    expect(setting(src, 'rpl_semi_sync_master_enabled')).toBe('ON')
    expect(setting(src, 'rpl_semi_sync_master_wait_point')).toBe('AFTER_SYNC')
    expect(setting(src, 'read_only')).toBe('OFF')
    expect(setting(rep, 'rpl_semi_sync_slave_enabled')).toBe('ON')
    expect(setting(rep, 'read_only')).toBe('ON')
    expect(nodeFiles(s, m2!).map((f) => f.path)).toContain('etc/mysql/my.cnf')
    expect(mysqlReplicaSetupSql(s)).toContain(
      "CHANGE MASTER TO MASTER_HOST='198.18.4.11', MASTER_PORT=3306, MASTER_USER='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY=0;",
    )
    expect(mysqlSourceSetupSql()).toContain("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'198.18.4.%';")
  })

  it('changes only what each variant is about', () => {
    const healthy = spec([])
    const [m1, m2] = healthy.nodes
    const diff = (v: VariantName): string[] =>
      [m1!, m2!].flatMap((n) => {
        const a = mysqlCnf(healthy, n).split('\n')
        const b = mysqlCnf(spec([v]), n).split('\n')
        return b.filter((l) => !a.includes(l)).map((l) => `${n.name}: ${l}`)
      })
    expect(diff('mysql-async')).toEqual([
      'm1: rpl_semi_sync_master_enabled = OFF',
      'm2: rpl_semi_sync_slave_enabled = OFF',
    ])
    expect(diff('mysql-writable-replica')).toEqual(['m2: read_only = OFF'])
    expect(diff('mysql-sql-stopped')).toEqual([])
    expect(diff('mysql-delayed')).toEqual([])
    expect(mysqlReplicaSetupSql(spec(['mysql-delayed']))).toMatch(/MASTER_DELAY=60;/)
    expect(() => parseVariants('galera', 'mysql-async')).toThrow(/does not apply to profile galera/)
  })

  it('writes an inventory hacheck loads: RPO 0, both nodes in role db (the replication checks)', () => {
    const inv = parseInventory(inventoryYaml(spec([])), '/var/lib/hacheck-lab/inventory.yaml')
    expect(inv.cluster.stack).toBe('generic')
    expect(inv.cluster.objectives.rpoMs).toBe(0)
    expect(inv.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual(['m1:db', 'm2:db'])
  })
})
