import {describe, expect, it} from 'vitest'

import {corosyncQuorumtool, parseQuorumtool} from '../../../src/facts/corosync-quorumtool.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('corosync-quorumtool')
const q = (name: string) => parseQuorumtool(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('corosync-quorumtool parser on published outputs', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir)).toHaveLength(3)
    for (const f of fixtureFiles(dir)) expect(() => q(f), f).not.toThrow()
  })

  it('reads a quorate SLES two-node cluster with the 2Node flag and a corosync 2 ring id', () => {
    const s = q('exporter-sles-2node-2Node-quorate.txt')
    expect(s).toMatchObject({
      hasStatus: true,
      provider: 'corosync_votequorum',
      nodes: 2,
      nodeId: 1084783375,
      ringId: '1084783375/40',
      quorate: true,
      expectedVotes: 2,
      highestExpected: 2,
      totalVotes: 2,
      quorum: 1,
      activityBlocked: false,
      flags: ['2Node', 'Quorate'],
    })
    expect(s.members).toEqual([
      {
        nodeid: 1084783375,
        votes: 1,
        qdevice: undefined,
        name: 'stefanotorresi-hana01',
        local: true,
        isQdevice: false,
      },
      {
        nodeid: 1084783376,
        votes: 1,
        qdevice: undefined,
        name: 'stefanotorresi-hana02',
        local: false,
        isQdevice: false,
      },
    ])
  })

  it('reads a quorate corosync 3 three-node cluster despite trailing blanks after Quorum and Flags', () => {
    const s = q('hotsos-ubuntu2004-corosync303-3node-quorate.txt')
    expect(s).toMatchObject({ringId: '3e8.2b', quorate: true, expectedVotes: 3, totalVotes: 3, quorum: 2})
    expect(s.flags).toEqual(['Quorate'])
    expect(s.members.map((m) => [m.nodeid, m.local])).toEqual([
      [1000, true],
      [1001, false],
      [1002, false],
    ])
  })

  it('reads -l output as a membership list without quorum status', () => {
    const s = q('hotsos-ubuntu2004-corosync303-3node-l.txt')
    expect(s.hasStatus).toBe(false)
    expect(s.quorate).toBeUndefined()
    expect(s.members.map((m) => m.name)).toEqual([
      'juju-04f1e3-0-lxd-5.mylab.home',
      'juju-04f1e3-2-lxd-6.mylab.home',
      'juju-04f1e3-1-lxd-6.mylab.home',
    ])
  })
})

describe('corosync-quorumtool parser on edge cases', () => {
  it('reads the Qdevice column, hexadecimal node ids and the quorum device row', () => {
    const s = parseQuorumtool(
      [
        'Quorate:          Yes',
        'Flags:            Quorate Qdevice ',
        '    Nodeid      Votes    Qdevice Name',
        '0x00000001          1    A,V,NMW 198.18.10.100 (local)',
        '0x00000000          1            Qdevice',
      ].join('\n'),
    )
    expect(s.flags).toEqual(['Quorate', 'Qdevice'])
    expect(s.members).toEqual([
      {nodeid: 1, votes: 1, qdevice: ['A', 'V', 'NMW'], name: '198.18.10.100', local: true, isQdevice: false},
      {nodeid: 0, votes: 1, qdevice: [], name: 'Qdevice', local: false, isQdevice: true},
    ])
  })

  it('reads an inquorate partition with activity blocked and no flags', () => {
    const s = parseQuorumtool('Quorate:          No\nQuorum:           3 Activity blocked\nFlags:\n')
    expect(s).toMatchObject({quorate: false, quorum: 3, activityBlocked: true, flags: []})
  })

  it('rejects output with neither status nor membership', () => {
    expect(() => parseQuorumtool('Cannot initialize QUORUM service\n')).toThrow(ParseError)
  })

  it('accepts the not-quorate exit code 2 as valid output', () => {
    expect(corosyncQuorumtool.okExitCodes).toEqual([0, 2])
  })
})
