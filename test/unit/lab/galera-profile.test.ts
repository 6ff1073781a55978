/**
 * The lab's galera profile as rendered (pure): topology, my.cnf per variant, and the inventory read back
 * through hacheck's own inventory loader.
 */
import {describe, expect, it} from 'vitest'

import {parseInventory} from '../../../src/inventory/load.js'
import {inventoryYaml} from '../../../src/lab/inventory.js'
import {myCnf, providerOptions} from '../../../src/lab/render-galera.js'
import {bindDirsOf, nodeFiles, serviceForFile, type LabSpec} from '../../../src/lab/render.js'
import {nodesOf, parseVariants, type VariantName} from '../../../src/lab/topology.js'

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'galera',
  variants,
  nodes: nodesOf('galera'),
  clusterName: 'lab',
  bmcPassword: 'not-a-real-password',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
})

describe('the galera lab profile', () => {
  it('has three Galera nodes without BMC or Pacemaker, clients on the public network and Galera on its own', () => {
    const nodes = nodesOf('galera')
    expect(
      nodes.map((n) => [
        n.name,
        n.roles.join('+'),
        n.host,
        n.ifaces.map((f) => `${f.dev}:${f.addr}`).join(' '),
        n.bmc,
      ]),
    ).toEqual([
      ['g1', 'galera', '198.18.2.11', 'eth0:198.18.2.11 eth1:198.18.4.11', undefined],
      ['g2', 'galera', '198.18.2.12', 'eth0:198.18.2.12 eth1:198.18.4.12', undefined],
      ['g3', 'galera', '198.18.2.13', 'eth0:198.18.2.13 eth1:198.18.4.13', undefined],
    ])
    expect(nodes.every((n) => n.services.join(' ') === 'rsyslog sshd mariadb')).toBe(true)
    expect(bindDirsOf(nodes[0]!)).toEqual(expect.arrayContaining(['etc/mysql', 'var/lib/mysql']))
  })

  it('renders a my.cnf that joins every node over the replication network and restarts mariadb when it changes', () => {
    const s = spec([])
    const g2 = s.nodes[1]!
    const cnf = myCnf(s, g2)
    expect(cnf).toContain('wsrep_cluster_address = gcomm://198.18.4.11,198.18.4.12,198.18.4.13')
    expect(cnf).toContain('wsrep_node_address = 198.18.4.12')
    expect(cnf).toContain('wsrep_node_incoming_address = 198.18.2.12:3306')
    expect(nodeFiles(s, g2).map((f) => f.path)).toContain('etc/mysql/my.cnf')
    expect(serviceForFile('etc/mysql/my.cnf')).toBe('mariadb')
  })

  it('changes only the provider options each variant is about', () => {
    const [g1, g2] = nodesOf('galera')
    const healthy = providerOptions(spec([]), g1!)
    expect(healthy).toBe('gcache.size=128M; evs.suspect_timeout=PT5S; evs.inactive_timeout=PT15S')
    expect(providerOptions(spec(['galera-ignore-sb']), g2!)).toBe(`${healthy}; pc.ignore_sb=true`)
    expect(providerOptions(spec(['galera-weight']), g1!)).toBe(`${healthy}; pc.weight=3`)
    expect(providerOptions(spec(['galera-weight']), g2!)).toBe(healthy)
    expect(providerOptions(spec(['galera-small-gcache']), g1!)).toMatch(/^gcache\.size=8M;/)
    expect(() => parseVariants('pacemaker3', 'galera-weight')).toThrow(/does not apply to profile pacemaker3/)
  })

  it('writes an inventory hacheck loads: a generic stack with RPO 0 and every node in role galera', () => {
    const inv = parseInventory(inventoryYaml(spec([])), '/var/lib/hacheck-lab/inventory.yaml')
    expect(inv.cluster.stack).toBe('generic')
    expect(inv.cluster.objectives.rpoMs).toBe(0)
    expect(inv.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual([
      'g1:galera',
      'g2:galera',
      'g3:galera',
    ])
  })
})
