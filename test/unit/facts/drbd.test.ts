import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {parseDrbdStatus} from '../../../src/facts/drbd.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('drbd')

describe.skipIf(!existsSync(dir))('drbd parser on published drbdsetup status --json', () => {
  it('reads two Secondary resources connected to a Primary peer, up to date on both sides', () => {
    expect(fixtureFiles(dir, '.json')).toHaveLength(1)
    const d = parseDrbdStatus(readFixture(dir, 'exporter-drbdsetup-status-json-2resources-secondary.json'))
    expect(d.resources.map((r) => [r.name, r.role, r.devices[0]?.diskState, r.devices[0]?.quorum])).toEqual([
      ['1-single-0', 'Secondary', 'UpToDate', true],
      ['1-single-1', 'Secondary', 'UpToDate', true],
    ])
    expect(d.resources[0]?.connections).toEqual([
      {
        peerNodeId: 1,
        name: 'SLE15-sp1-gm-drbd1145296-node1',
        connectionState: 'Connected',
        peerRole: 'Primary',
        congested: false,
        peerDevices: [
          {
            volume: 0,
            replicationState: 'Established',
            peerDiskState: 'UpToDate',
            peerClient: false,
            resyncSuspended: 'no',
            outOfSyncKiB: 0,
            percentInSync: 100,
          },
        ],
      },
    ])
  })
})

describe('drbd parser on edge cases', () => {
  it('gives a parse error for DRBD 8 text output', () => {
    expect(() => parseDrbdStatus('drbdsetup: unrecognized option --json\n')).toThrow(ParseError)
    expect(() => parseDrbdStatus('{}')).toThrow(/array/)
  })
})
