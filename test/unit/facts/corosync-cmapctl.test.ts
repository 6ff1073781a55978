import {describe, expect, it} from 'vitest'

import {parseCmap} from '../../../src/facts/corosync-cmapctl.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture, valuesIn} from './fixtures.js'

const dir = fixtureDir('corosync-cmapctl')
const cmap = (name: string) => parseCmap(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('corosync-cmapctl parser on published key dumps', () => {
  it('parses every file of the corpus, one value per line', () => {
    expect(fixtureFiles(dir)).toHaveLength(3)
    for (const f of fixtureFiles(dir)) {
      const c = cmap(f)
      const nonEmpty = readFixture(dir, f)
        .split('\n')
        .filter((l) => l.trim() !== '').length
      expect(Object.keys(c.values), f).toHaveLength(nonEmpty)
    }
  })

  it('reads a corosync 2 two-node cluster: two_node, runtime token 30000 and two joined members', () => {
    const c = cmap('trento-corosync2-2node-two_node.txt')
    const ring0 = valuesIn(
      dir,
      'trento-corosync2-2node-two_node.txt',
      /^nodelist\.node\.\d+\.ring0_addr \(str\) = (\S+)/m,
    )
    const memberIps = valuesIn(
      dir,
      'trento-corosync2-2node-two_node.txt',
      /^runtime\.totem\.pg\.mrp\.srp\.members\.\d+\.ip \(str\) = r\(0\) ip\(([^)]+)\)/m,
    )
    expect(ring0).toHaveLength(2)
    expect(memberIps).toHaveLength(2)
    expect(c.values['runtime.config.totem.token']).toBe(30000)
    expect(c.types['runtime.config.totem.token']).toBe('u32')
    expect(c.runtime).toMatchObject({token: 30000, consensus: 36000})
    expect(c.totem).toMatchObject({
      token: 30000,
      consensus: 36000,
      transport: 'udpu',
      clusterName: 'hana_cluster',
    })
    expect(c.quorum).toMatchObject({provider: 'corosync_votequorum', expectedVotes: 2, twoNode: true})
    expect(c.quorum.device).toBeUndefined()
    expect(c.votequorum).toEqual({twoNode: true, waitForAllStatus: false, thisNodeId: 2})
    expect(c.nodelist).toEqual([
      {index: 0, nodeid: 1, addrs: [{link: 0, addr: ring0[0]}]},
      {index: 1, nodeid: 2, addrs: [{link: 0, addr: ring0[1]}]},
    ])
    expect(c.localNodePos).toBe(1)
    expect(c.members).toEqual([
      {nodeid: 1, ips: [memberIps[0]], status: 'joined', joinCount: 1},
      {nodeid: 2, ips: [memberIps[1]], status: 'joined', joinCount: 1},
    ])
  })

  it('reads a corosync 3 cluster whose runtime token 3650 includes the token coefficient over 3000', () => {
    const c = cmap('hotsos-ubuntu2004-corosync303-3node.txt')
    const memberIps = valuesIn(
      dir,
      'hotsos-ubuntu2004-corosync303-3node.txt',
      /^runtime\.members\.\d+\.ip \(str\) = r\(0\) ip\(([^)]+)\)/m,
    )
    expect(memberIps).toHaveLength(3)
    expect(c.totem.token).toBe(3000)
    expect(c.runtime.token).toBe(3650)
    expect(c.runtime.consensus).toBe(3600)
    expect(c.votequorum.twoNode).toBe(false)
    expect(c.nodelist.map((n) => n.nodeid)).toEqual([1001, 1002, 1000])
    expect(c.members.map((m) => [m.nodeid, m.ips, m.status])).toEqual([
      [1000, [memberIps[0]], 'joined'],
      [1001, [memberIps[1]], 'joined'],
      [1002, [memberIps[2]], 'joined'],
    ])
    expect(c.values['resources.system.load_15min.current']).toBe(0)
    expect(c.types['resources.system.load_15min.current']).toBe('dbl')
  })

  it('reads the -m stats map in the same format with its own key space', () => {
    const c = cmap('hotsos-ubuntu2004-corosync303-m-stats.txt')
    expect(c.values['stats.ipcs.global.active']).toBe(9)
    expect(c.runtime.token).toBeUndefined()
    expect(c.members).toEqual([])
  })
})

describe('corosync-cmapctl parser on edge cases', () => {
  it('reads a qdevice from quorum.device keys stored as strings', () => {
    const c = parseCmap(
      'quorum.device.model (str) = net\nquorum.device.net.host (str) = qnetd.example\nquorum.device.net.port (str) = 5403\nquorum.device.votes (u32) = 1\n',
    )
    expect(c.quorum.device).toEqual({
      model: 'net',
      votes: 1,
      net: {host: 'qnetd.example', port: 5403, algorithm: undefined, tls: undefined},
    })
  })

  it('keeps a u64 counter beyond 2^53 as its exact decimal string', () => {
    const c = parseCmap('stats.x (u64) = 18446744073709551615\n')
    expect(c.values['stats.x']).toBe('18446744073709551615')
  })

  it('reads the corosync 1.x key=value form as strings', () => {
    const c = parseCmap(
      'runtime.totem.pg.mrp.srp.members.303938909.ip=r(0) ip(198.18.1.1) r(1) ip(198.19.42.1) \n',
    )
    expect(c.members[0]?.ips).toEqual(['198.18.1.1', '198.19.42.1'])
  })

  it('rejects a line of another shape with its line number', () => {
    expect(() => parseCmap('Failed to initialize the cmap API. Error CS_ERR_LIBRARY\n')).toThrow(ParseError)
  })

  it('never returns inherited values for keys like "constructor"', () => {
    expect(parseCmap('').values['constructor']).toBeUndefined()
  })
})
