import {describe, expect, it} from 'vitest'

import {multipath, parseMultipath} from '../../../src/facts/multipath.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('multipath')
const mp = (name: string) => parseMultipath(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('multipath parser on published multipath -ll outputs', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir)).toHaveLength(5)
    for (const f of fixtureFiles(dir)) expect(() => mp(f), f).not.toThrow()
  })

  it('counts one active path per map when each map has one failed faulty path', () => {
    const m = mp('b3stockage-rocky-2maps-1path-failed-each.txt')
    expect(m.maps.map((x) => [x.name, x.wwid, x.dm, x.activePaths, x.readyPaths, x.totalPaths])).toEqual([
      ['mpatha', '3600140557c66dd047214999a651eb037', 'dm-2', 1, 1, 2],
      ['mpathb', '3600140532c8eec0828442df8df844bb1', 'dm-3', 1, 1, 2],
    ])
    expect(
      m.maps[0]?.groups.map((g) => [
        g.policy,
        g.prio,
        g.status,
        g.paths.map((p) => [p.dev, p.dmState, p.checkerState]),
      ]),
    ).toEqual([
      ['service-time 0', 0, 'active', [['sdd', 'failed', 'faulty']]],
      ['service-time 0', 50, 'enabled', [['sde', 'active', 'ready']]],
    ])
    expect(m.maps[0]).toMatchObject({
      vendor: 'LIO-ORG',
      product: 'data-chunk2',
      size: '1022M',
      features: '1 queue_if_no_path',
      hwhandler: '1 alua',
      wp: 'rw',
    })
    expect(m.maps[0]?.groups[0]?.paths[0]).toEqual({
      hcil: '5:0:0:0',
      dev: 'sdd',
      majorMinor: '8:48',
      dmState: 'failed',
      checkerState: 'faulty',
      onlineState: 'running',
    })
  })

  it('counts two active paths per healthy map and keeps the multipath.conf warning as a message', () => {
    const m = mp('b3stockage-rocky-2maps-2paths-healthy-conf-warning.txt')
    expect(m.maps.map((x) => [x.name, x.activePaths])).toEqual([
      ['mpatha', 2],
      ['mpathb', 2],
    ])
    expect(m.messages).toEqual([
      '1602.459062 | /etc/multipath.conf line 26, invalid keyword in the multipath section: path_checker',
    ])
    expect(m.deviceMapperUnavailable).toBe(false)
  })

  it('does not count a path that the checker sees ready but device-mapper still has failed', () => {
    const m = mp('b3stockage-rocky-failed-ready-running-transition.txt')
    expect(m.maps.map((x) => [x.activePaths, x.readyPaths])).toEqual([
      [1, 2],
      [1, 2],
    ])
  })

  it('reports device-mapper as unavailable when the output is only its errors', () => {
    const m = mp('hotsos-ubuntu-lxd-no-devmapper.txt')
    expect(m.maps).toEqual([])
    expect(m.deviceMapperUnavailable).toBe(true)
    expect(m.messages).toHaveLength(4)
  })

  it('reads warnings without maps as no maps, with device-mapper available', () => {
    const m = mp('hotsos-ubuntu-no-maps-hdio-warnings.txt')
    expect(m.maps).toEqual([])
    expect(m.deviceMapperUnavailable).toBe(false)
    expect(m.messages).toHaveLength(2)
  })
})

describe('multipath parser on edge cases', () => {
  it('reads a map named by its wwid only', () => {
    const m = parseMultipath(
      "36001405a828c5747cc546eda35801396 dm-3 LIO-ORG,data chunk\nsize=1G features='0' hwhandler='0' wp=rw\n`-+- policy='round-robin 0' prio=1 status=active\n  |- 5:0:0:0 sdd 8:48 active ready running\n  `- 6:0:0:0 sde 8:64 active ghost running\n",
    )
    expect(m.maps[0]).toMatchObject({
      name: '36001405a828c5747cc546eda35801396',
      product: 'data chunk',
      activePaths: 2,
      readyPaths: 2,
    })
  })

  it('reads the old bracketed format', () => {
    const m = parseMultipath(
      'mpath0 (3600a0b80001327510000015427b625e) dm-0 IBM,1722\n[size=10G][features=0][hwhandler=0]\n\\_ round-robin 0 [prio=1][active]\n \\_ 2:0:0:0 sdb 8:16  [active][ready]\n\\_ round-robin 0 [prio=0][enabled]\n \\_ 3:0:0:0 sdc 8:32  [failed][faulty]\n',
    )
    expect(m.maps[0]).toMatchObject({name: 'mpath0', size: '10G', activePaths: 1, totalPaths: 2})
  })

  it('adds device-mapper errors from stderr on a live node', () => {
    const f = multipath.parse({
      stdout: '',
      stderr: 'Failure to communicate with kernel device-mapper driver.\n',
      exitCode: 1,
    })
    expect(f.deviceMapperUnavailable).toBe(true)
  })
})
