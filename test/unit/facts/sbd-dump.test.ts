import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {parseSbdDump, parseSbdHeader, sbdDump} from '../../../src/facts/sbd-dump.js'
import {existsSync, fixtureDir, framed, readFixture} from './fixtures.js'

const dir = fixtureDir('sbd')

describe.skipIf(!existsSync(dir))('sbd-dump parser on published sbd dumps', () => {
  it('reads the vdc header: 255 slots, watchdog 5 and msgwait 10', () => {
    expect(parseSbdHeader(readFixture(dir, 'trento-sbd-dump-vdc-watchdog5-msgwait10.txt'))).toEqual({
      device: '/dev/vdc',
      headerVersion: '2.1',
      uuid: 'e5b7c05a-1d3c-43d0-827a-9d4dd05ca54a',
      slots: 255,
      sectorSize: 512,
      timeouts: {watchdog: 5, allocate: 2, loop: 1, msgwait: 10},
    })
  })

  it('reads the vdb header without a final newline: watchdog 60 and msgwait 120', () => {
    const h = parseSbdHeader(readFixture(dir, 'trento-sbd-dump-vdb-watchdog60-msgwait120.txt'))
    expect(h).toMatchObject({device: '/dev/vdb', slots: 188, sectorSize: 1024})
    expect(h.timeouts).toEqual({watchdog: 60, allocate: 2, loop: 3, msgwait: 120})
  })

  it('dumps each configured device through the real snippet, one part per device', () => {
    // sbd is replaced by a function that prints the published dump of the device it is asked for.
    const tmp = mkdtempSync(path.join(tmpdir(), 'hacheck-sbd-'))
    writeFileSync(path.join(tmp, 'sbd'), 'SBD_DEVICE="/dev/vdc;/dev/vdb"\n')
    const script = sbdDump.script.replaceAll('/etc/sysconfig/sbd', path.join(tmp, 'sbd'))
    const r = spawnSync(
      'bash',
      [
        '-c',
        `sbd() { case "$2" in /dev/vdc) cat "$F/trento-sbd-dump-vdc-watchdog5-msgwait10.txt";; *) cat "$F/trento-sbd-dump-vdb-watchdog60-msgwait120.txt";; esac; }; ${script}`,
      ],
      {encoding: 'utf8', env: {...process.env, F: dir}},
    )
    expect(r.status).toBe(0)
    const d = sbdDump.parse({stdout: r.stdout, stderr: r.stderr, exitCode: 0})
    expect(d.devices.map((x) => [x.device, x.header?.timeouts.watchdog, x.header?.timeouts.msgwait])).toEqual(
      [
        ['/dev/vdc', 5, 10],
        ['/dev/vdb', 60, 120],
      ],
    )
  })
})

describe('sbd-dump parser on edge cases', () => {
  it('reports an unreadable device with its error instead of failing the whole fact', () => {
    const d = parseSbdDump(
      framed([
        {
          name: '/dev/sdz',
          body: '== disk /dev/sdz unreadable!\n== Header on disk /dev/sdz NOT dumped\n',
          exitCode: 1,
        },
      ]),
    )
    expect(d.devices).toEqual([{device: '/dev/sdz', exitCode: 1, error: '== disk /dev/sdz unreadable!'}])
  })

  it('exits with the absent code when there is no configuration or no device', () => {
    const none = sbdDump.script
      .replaceAll('/etc/sysconfig/sbd', '/nonexistent/a')
      .replaceAll('/etc/default/sbd', '/nonexistent/b')
    expect(spawnSync('bash', ['-c', none]).status).toBe(ABSENT_RC)
    const tmp = mkdtempSync(path.join(tmpdir(), 'hacheck-sbd-'))
    writeFileSync(path.join(tmp, 'sbd'), 'SBD_DEVICE=""\n')
    const diskless = sbdDump.script.replaceAll('/etc/sysconfig/sbd', path.join(tmp, 'sbd'))
    expect(spawnSync('bash', ['-c', diskless]).status).toBe(ABSENT_RC)
  })

  it('rejects a dump without header fields', () => {
    expect(() => parseSbdHeader('sbd: command failed\n')).toThrow(ParseError)
  })
})
