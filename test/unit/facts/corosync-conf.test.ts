import {describe, expect, it} from 'vitest'

import {corosyncConf, parseCorosyncConf, parseCorosyncConfTree} from '../../../src/facts/corosync-conf.js'
import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture, stdoutOnly, valuesIn} from './fixtures.js'

const dir = fixtureDir('corosync-conf')
const conf = (name: string) => parseCorosyncConf(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('corosync-conf parser on the published corosync.conf corpus', () => {
  it('parses every file of the corpus without error', () => {
    const files = fixtureFiles(dir)
    expect(files).toHaveLength(15)
    for (const f of files) expect(() => conf(f), f).not.toThrow()
  })

  it('reads a pcs two-node udpu cluster with two_node and node names', () => {
    const c = conf('pcs-2node-udpu-two_node.conf')
    expect(c.totem.transport).toBe('udpu')
    expect(c.totem.clusterName).toBe('test99')
    expect(c.totem.secauth).toBe(false)
    expect(c.nodes.map((n) => [n.name, n.nodeid, n.addrs])).toEqual([
      ['rh7-1', 1, [{link: 0, addr: 'rh7-1'}]],
      ['rh7-2', 2, [{link: 0, addr: 'rh7-2'}]],
    ])
    expect(c.quorum.provider).toBe('corosync_votequorum')
    expect(c.quorum.twoNode).toBe(true)
    expect(c.quorum.device).toBeUndefined()
    expect(c.logging.toSyslog).toBe(true)
  })

  it('leaves the node name undefined when pcs wrote only ring0_addr and nodeid', () => {
    const c = conf('pcs-2node-two_node-no-node-names.conf')
    expect(c.nodes.map((n) => n.name)).toEqual([undefined, undefined])
    expect(c.nodes.map((n) => n.nodeid)).toEqual([1, 2])
  })

  it('reads a qdevice of model net with its host and leaves votes and algorithm unset', () => {
    const c = conf('pcs-2node-udpu-qdevice-net.conf')
    expect(c.quorum.twoNode).toBeUndefined()
    expect(c.quorum.device?.model).toBe('net')
    expect(c.quorum.device?.net?.host).toBe('127.0.0.1')
    expect(c.quorum.device?.votes).toBeUndefined()
    expect(c.quorum.device?.net?.algorithm).toBeUndefined()
    expect(conf('pcs-3node-udpu-qdevice-net.conf').nodes).toHaveLength(3)
  })

  it('reads qdevice heuristics next to the net block', () => {
    const c = conf('pcs-3node-qdevice-heuristics.conf')
    expect(c.quorum.device?.heuristics?.mode).toBe('on')
    expect(c.quorum.device?.heuristics?.raw['exec_ls']).toBe('/usr/bin/test -f /tmp/test')
  })

  it('reads a TLS ffsplit qdevice with port, votes and tie breaker on a multicast cluster', () => {
    const c = conf('crmsh-qdevice-net-tls-ffsplit-mcast.conf')
    const [qnetd] = valuesIn(dir, 'crmsh-qdevice-net-tls-ffsplit-mcast.conf', /^\s*host:\s*(\S+)/m)
    const [ring0] = valuesIn(dir, 'crmsh-qdevice-net-tls-ffsplit-mcast.conf', /^\s*ring0_addr:\s*(\S+)/m)
    expect(c.quorum.expectedVotes).toBe(0)
    expect(c.quorum.twoNode).toBe(false)
    expect(c.quorum.device).toMatchObject({
      model: 'net',
      votes: 1,
      net: {host: qnetd, port: 5403, algorithm: 'ffsplit', tls: 'on', tieBreaker: 'lowest'},
    })
    expect(c.totem.token).toBe(5000)
    expect(c.totem.consensus).toBe(6000)
    expect(c.totem.interfaces[0]).toMatchObject({number: 0, mcastaddr: '239.23.255.56', mcastport: 5405})
    expect(c.nodes).toEqual([
      {name: undefined, nodeid: 172167901, addrs: [{link: 0, addr: ring0}], raw: expect.anything()},
    ])
  })

  it('reads two multicast rings with rrp_mode passive and no nodelist', () => {
    const c = conf('crmsh-report-sles15sp1-2node-rrp-passive-mcast-two_node.conf')
    const nets = valuesIn(
      dir,
      'crmsh-report-sles15sp1-2node-rrp-passive-mcast-two_node.conf',
      /^\s*bindnetaddr:\s*(\S+)/m,
    )
    expect(c.hasNodelist).toBe(false)
    expect(c.nodes).toEqual([])
    expect(c.totem.rrpMode).toBe('passive')
    expect(c.totem.transport).toBeUndefined()
    expect(c.totem.interfaces.map((i) => [i.number, i.bindnetaddr, i.mcastport])).toEqual([
      [0, nets[0], 5405],
      [1, nets[1], 5407],
    ])
    expect(c.quorum).toMatchObject({expectedVotes: 2, twoNode: true})
    expect(c.totem.cryptoCipher).toBe('aes256')
  })

  it('keeps a legacy service block and ignores commented-out token values', () => {
    const c = conf('crmsh-bug862577-legacy-service-block.conf')
    expect(c.sectionNames).toEqual(['service', 'totem', 'logging', 'quorum'])
    const service = c.tree.sections[0]
    expect(service?.entries.map((e) => [e.key, e.value])).toEqual([
      ['ver', '1'],
      ['name', 'pacemaker'],
    ])
    expect(c.totem.token).toBeUndefined()
    expect(c.totem.interfaces[0]?.mcastaddr).toBe('239.91.185.71')
    expect(c.quorum).toMatchObject({provider: 'corosync_votequorum', expectedVotes: 2, twoNode: undefined})
    expect(c.hasNodelist).toBe(false)
  })

  it('reads the corosync 3 example: no transport line, commented ring addresses, no quorum provider', () => {
    const c = conf('corosync-3.0.0-example.conf')
    expect(c.totem.transport).toBeUndefined()
    expect(c.totem.clusterName).toBe('ExampleCluster')
    expect(c.nodes.map((n) => [n.name, n.nodeid, n.addrs.length])).toEqual([
      ['node1', 1, 0],
      ['node2', 2, 0],
    ])
    expect(c.quorum.provider).toBeUndefined()
    expect(c.logging).toMatchObject({toStderr: true, toLogfile: true, toSyslog: true})
  })

  it('reads the 2.4.5 udpu example with three nodes lacking a nodeid and a commented provider', () => {
    const c = conf('corosync-2.4.5-example-udpu-5node.conf')
    expect(c.nodes).toHaveLength(5)
    expect(c.nodes.filter((n) => n.nodeid === undefined)).toHaveLength(3)
    expect(c.quorum.provider).toBeUndefined()
    expect(c.totem.transport).toBe('udpu')
  })

  it('reads the juju charm file with stray tabs on blank lines and a missing final newline', () => {
    const c = conf('hotsos-juju-hacluster-ubuntu2004-3node-udpu.conf')
    expect(c.totem).toMatchObject({
      token: 3000,
      consensus: 3600,
      rrpMode: 'none',
      transport: 'udpu',
      ipVersion: 'ipv4',
    })
    expect(c.nodes.map((n) => n.nodeid)).toEqual([1001, 1002, 1000])
    expect(c.logging.syslogFacility).toBe('daemon')
    expect(c.logging.toLogfile).toBe(false)
  })

  it('reads a token of 30000 written with padding and two rings per node with a trailing blank', () => {
    const c = conf('trento-basic-rrp-passive-token30000.conf')
    const ring0 = valuesIn(dir, 'trento-basic-rrp-passive-token30000.conf', /^\s*ring0_addr:\s*(\S+)/m)
    const ring1 = valuesIn(dir, 'trento-basic-rrp-passive-token30000.conf', /^\s*ring1_addr:\s*(\S+)/m)
    expect(ring0).toHaveLength(2)
    expect(ring1).toHaveLength(2)
    expect(c.totem.token).toBe(30000)
    expect(c.totem.maxMessages).toBe(20)
    expect(c.totem.rrpMode).toBe('passive')
    expect(c.nodes[1]?.addrs).toEqual([
      {link: 0, addr: ring0[1]},
      {link: 1, addr: ring1[1]},
    ])
    expect(c.quorum).toMatchObject({expectedVotes: 2, twoNode: true})
  })

  it('reads the SAP HANA two-node file with token 30000 and consensus 36000', () => {
    const c = conf('trento-sap-hana-2node-udpu-two_node.conf')
    expect(c.totem).toMatchObject({token: 30000, consensus: 36000, transport: 'udpu', secauth: true})
    const ring0 = valuesIn(dir, 'trento-sap-hana-2node-udpu-two_node.conf', /^\s*ring0_addr:\s*(\S+)/m)
    expect(ring0).toHaveLength(2)
    expect(c.nodes.map((n) => n.addrs[0]?.addr)).toEqual(ring0)
    expect(c.quorum.twoNode).toBe(true)
  })

  it('reads a nodelist-only fragment with mixed tab and space indentation', () => {
    const c = conf('trento-three_node-nodelist-fragment.conf')
    const ring0 = valuesIn(dir, 'trento-three_node-nodelist-fragment.conf', /^\s*ring0_addr:\s*(\S+)/m)
    const ring1 = valuesIn(dir, 'trento-three_node-nodelist-fragment.conf', /^\s*ring1_addr:\s*(\S+)/m)
    expect(ring0).toHaveLength(3)
    expect(ring1).toHaveLength(3)
    expect(c.sectionNames).toEqual(['nodelist'])
    expect(c.nodes.map((n) => n.addrs.map((a) => a.addr))).toEqual(ring0.map((a, i) => [a, ring1[i]]))
    expect(c.quorum.provider).toBeUndefined()
  })

  it('reads the pcs three-node file without qdevice as a plain votequorum', () => {
    const c = conf('pcs-3node-udpu-no-qdevice.conf')
    expect(c.quorum).toMatchObject({provider: 'corosync_votequorum', device: undefined, twoNode: undefined})
    expect(c.nodes).toHaveLength(3)
  })
})

describe('corosync-conf parser on edge cases', () => {
  it('splits a value at the first colon so IPv6 addresses survive', () => {
    const c = parseCorosyncConf('nodelist {\n node {\n  ring0_addr: fd00::1\n  nodeid: 1\n }\n}\n')
    expect(c.nodes[0]?.addrs[0]?.addr).toBe('fd00::1')
  })

  it('reads corosync 3 knet links with linknumber and knet_link_priority', () => {
    const c = parseCorosyncConf(
      'totem {\ntransport: knet\ninterface {\nlinknumber: 1\nknet_link_priority: 2\n}\n}\nquorum {\nwait_for_all: 1\nlast_man_standing: 1\n}\n',
    )
    expect(c.totem.interfaces[0]).toMatchObject({number: 1, knetLinkPriority: 2})
    expect(c.quorum).toMatchObject({waitForAll: true, lastManStanding: true})
  })

  it('rejects an unclosed section with the line that opened it', () => {
    expect(() => parseCorosyncConfTree('totem {\n version: 2\n')).toThrow(ParseError)
    expect(() => parseCorosyncConfTree('totem {\n version: 2\n')).toThrow(/line 1/)
  })

  it('rejects a closing brace without an open section and text that is not a key', () => {
    expect(() => parseCorosyncConfTree('}\n')).toThrow(/line 1/)
    expect(() => parseCorosyncConfTree('totem {\n garbage\n}\n')).toThrow(/line 2/)
  })

  it('declares a read-only snippet that reports an absent file as not applicable', () => {
    expect(corosyncConf.script).toContain(`exit ${ABSENT_RC}`)
    expect(corosyncConf.whenAbsent).toMatch(/corosync\.conf/)
    expect(corosyncConf.parse(stdoutOnly('totem {\n}\n')).sectionNames).toEqual(['totem'])
  })
})
