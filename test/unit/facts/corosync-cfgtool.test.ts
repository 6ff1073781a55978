import {describe, expect, it} from 'vitest'

import {corosyncCfgtool, parseCfgtool} from '../../../src/facts/corosync-cfgtool.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture, valuesIn} from './fixtures.js'

const dir = fixtureDir('corosync-cfgtool')
const cfg = (name: string) => parseCfgtool(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('corosync-cfgtool parser on published outputs', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir)).toHaveLength(2)
    for (const f of fixtureFiles(dir)) expect(() => cfg(f), f).not.toThrow()
  })

  it('marks corosync 2 ring 0 faulty and ring 1 healthy', () => {
    const s = cfg('exporter-corosync2-rrp-ring0-faulty.txt')
    const ids = valuesIn(dir, 'exporter-corosync2-rrp-ring0-faulty.txt', /^\s*id\s*=\s*(\S+)/m)
    expect(ids).toHaveLength(2)
    const [ring0 = '', ring1 = ''] = ids
    expect(s.localNodeId).toBe(16777226)
    expect(s.links).toEqual([
      {
        kind: 'ring',
        id: 0,
        transport: undefined,
        addr: ring0,
        status: `Marking ringid 0 interface ${ring0} FAULTY`,
        peers: [],
        faulty: true,
      },
      {
        kind: 'ring',
        id: 1,
        transport: undefined,
        addr: ring1,
        status: 'ring 1 active with no faults',
        peers: [],
        faulty: false,
      },
    ])
  })

  it('reads a corosync 3.0 single link with tab-separated "status = OK"', () => {
    const s = cfg('hotsos-ubuntu2004-corosync303-1link-OK.txt')
    const addrs = valuesIn(dir, 'hotsos-ubuntu2004-corosync303-1link-OK.txt', /^\s*addr\s*=\s*(\S+)/m)
    expect(addrs).toHaveLength(1)
    expect(s.localNodeId).toBe(1000)
    expect(s.links).toEqual([
      {kind: 'link', id: 0, transport: undefined, addr: addrs[0], status: 'OK', peers: [], faulty: false},
    ])
  })
})

describe('corosync-cfgtool parser on edge cases', () => {
  it('reads corosync 3.1 knet links with one state per node and flags a disconnected peer', () => {
    const s = parseCfgtool(
      'Local node ID 1, transport knet\nLINK ID 0 udp\n\taddr\t= 198.18.122.11\n\tstatus:\n\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tconnected\nLINK ID 1 udp\n\taddr\t= 198.19.0.11\n\tstatus:\n\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tdisconnected\n',
    )
    expect(s.transport).toBe('knet')
    expect(s.links.map((l) => [l.id, l.transport, l.addr, l.faulty])).toEqual([
      [0, 'udp', '198.18.122.11', false],
      [1, 'udp', '198.19.0.11', true],
    ])
    expect(s.links[1]?.peers).toEqual([
      {nodeid: 1, state: 'localhost'},
      {nodeid: 2, state: 'disconnected'},
    ])
  })

  it('reads the brief form one character per node', () => {
    const s = parseCfgtool(
      'Local node ID 1, transport knet\nLINK ID 0 udp\n\taddr\t= 198.18.0.1\n\tstatus\t= n31\n',
    )
    expect(s.links[0]?.peers.map((p) => p.state)).toEqual(['localhost', 'connected', 'disconnected'])
    expect(s.links[0]?.faulty).toBe(true)
  })

  it('gives a parse error, not an empty pass, when corosync is not running', () => {
    expect(() =>
      parseCfgtool('Printing ring status.\nCould not initialize corosync configuration API error 2\n'),
    ).toThrow(ParseError)
  })

  it('accepts exit 1 because corosync 2 exits 1 with a faulty ring', () => {
    expect(corosyncCfgtool.okExitCodes).toContain(1)
  })
})
