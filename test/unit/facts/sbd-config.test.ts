import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {parseSbdConfig, sbdConfig} from '../../../src/facts/sbd-config.js'
import {existsSync, fixtureDir, readFixture} from './fixtures.js'

const dir = fixtureDir('sbd')

describe.skipIf(!existsSync(dir))('sbd-config parser on published sysconfig files', () => {
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
})

describe('sbd-config parser on edge cases', () => {
  it('reads an empty SBD_DEVICE as diskless SBD and the file named by the snippet', () => {
    const c = parseSbdConfig('# file: /etc/default/sbd\nSBD_DEVICE=""\nSBD_WATCHDOG_TIMEOUT=15\n')
    expect(c).toMatchObject({file: '/etc/default/sbd', devices: [], watchdogTimeout: 15})
  })

  it('exits with the absent code when neither configuration file exists', () => {
    const script = sbdConfig.script
      .replaceAll('/etc/sysconfig/sbd', '/nonexistent/a')
      .replaceAll('/etc/default/sbd', '/nonexistent/b')
    expect(spawnSync('bash', ['-c', script]).status).toBe(ABSENT_RC)
    expect(sbdConfig.whenAbsent).toBeDefined()
  })

  it('rejects text that is not a shell assignment', () => {
    expect(() => parseSbdConfig('this is not a config\n')).toThrow(ParseError)
  })
})
