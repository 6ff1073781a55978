import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {parseSbdConfig, sbdConfig} from '../../../src/facts/sbd-config.js'
import {parseSbdDump, parseSbdHeader, sbdDump} from '../../../src/facts/sbd-dump.js'
import {existsSync, fixtureDir, framed, readFixture} from './fixtures.js'

const dir = fixtureDir('sbd')

describe.skipIf(!existsSync(dir))('sbd parsers on published sbd dumps and sysconfig files', () => {
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

  it('reads two devices separated by a semicolon and ignores the commented template value', () => {
    const c = parseSbdConfig(readFixture(dir, 'exporter-sysconfig-sbd-two-devices.conf'))
    expect(c.devices).toEqual(['/dev/vdc', '/dev/vdd'])
    expect(c).toMatchObject({
      watchdogDev: '/dev/watchdog',
      watchdogTimeout: 5,
      pacemaker: true,
      startMode: 'always',
      delayStart: 'no',
      timeoutAction: 'flush,reboot',
      opts: '',
    })
  })

  it('reads the single device appended at the end of the SLES template', () => {
    const c = parseSbdConfig(readFixture(dir, 'crmsh-report-sysconfig-sbd-sles15sp1.conf'))
    expect(c.devices).toEqual(['/dev/sdb1'])
    expect(c.watchdogTimeout).toBe(5)
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

describe('sbd parsers on edge cases', () => {
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

  it('reads an empty SBD_DEVICE as diskless SBD', () => {
    expect(parseSbdConfig('SBD_DEVICE=""\nSBD_WATCHDOG_TIMEOUT=15\n').devices).toEqual([])
  })

  it('exits with the absent code when the snippets find no configuration', () => {
    for (const g of [sbdConfig, sbdDump]) {
      const script = g.script
        .replaceAll('/etc/sysconfig/sbd', '/nonexistent/a')
        .replaceAll('/etc/default/sbd', '/nonexistent/b')
      expect(spawnSync('bash', ['-c', script]).status).toBe(ABSENT_RC)
      expect(g.whenAbsent).toBeDefined()
    }
  })

  it('rejects text that is not a shell assignment and a dump without header fields', () => {
    expect(() => parseSbdConfig('this is not a config\n')).toThrow(ParseError)
    expect(() => parseSbdHeader('sbd: command failed\n')).toThrow(ParseError)
  })
})
