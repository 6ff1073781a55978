import {describe, expect, it} from 'vitest'

import {
  host,
  parseChronyTracking,
  parseHost,
  parseMeminfo,
  parseTimedatectl,
} from '../../../src/facts/host.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {runLocally} from './local.js'

describe.skipIf(process.platform !== 'linux')('host gatherer on this machine', () => {
  it('reads the real CPU count, memory and load of the test host', () => {
    const out = runLocally(host)
    expect(out.exitCode).toBe(0)
    const h = host.parse(out)
    expect(h.cpus).toBeGreaterThan(0)
    expect(h.mem.memTotalKiB).toBeGreaterThan(0)
    expect(h.mem.memAvailableKiB).toBeLessThanOrEqual(h.mem.memTotalKiB ?? 0)
    expect(h.load?.one).toBeGreaterThanOrEqual(0)
    expect(h.hostname).toMatch(/\S/)
    expect(h.kernel).toMatch(/^\d+\.\d+/)
  })
})

// One-line shapes of chronyc/timedatectl outputs (no published capture in the corpus yet).
describe('host parsers on edge cases', () => {
  it('reads chrony tracking: a clock 12 µs slow, and the unsynchronised leap status', () => {
    const c = parseChronyTracking(
      'Reference ID    : C6120001 (198.18.0.1)\nStratum         : 3\nSystem time     : 0.000012000 seconds slow of NTP time\nLeap status     : Normal\n',
    )
    expect(c).toEqual({
      referenceId: 'C6120001 (198.18.0.1)',
      stratum: 3,
      systemTimeOffsetSeconds: -0.000012,
      leapStatus: 'Normal',
      synchronised: true,
    })
    expect(parseChronyTracking('Leap status     : Not synchronised\n').synchronised).toBe(false)
  })

  it('reads timedatectl show and the older status form', () => {
    expect(parseTimedatectl('Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n')).toEqual({
      synchronized: false,
      ntpEnabled: true,
      timezone: 'UTC',
    })
    expect(
      parseTimedatectl(
        '                Time zone: Etc/UTC (UTC, +0000)\nSystem clock synchronized: yes\n              NTP service: active\n',
      ),
    ).toEqual({synchronized: true, ntpEnabled: true, timezone: 'Etc/UTC'})
  })

  it('reads /proc/meminfo lines with and without a unit', () => {
    expect(
      parseMeminfo('MemTotal:        8048576 kB\nMemAvailable:    4024288 kB\nHugePages_Total:       0\n'),
    ).toMatchObject({
      memTotalKiB: 8048576,
      memAvailableKiB: 4024288,
    })
  })

  it('leaves facts of a missing tool undefined and rejects output without any part', () => {
    const names = ['hostname', 'kernel', 'nproc', 'meminfo', 'loadavg', 'timedatectl', 'chrony']
    const h = parseHost(
      names.map((n) => `@@hacheck-part:begin ${n}@@\n\n@@hacheck-part:end 127@@\n`).join(''),
    )
    expect(h.time.chrony).toBeUndefined()
    expect(h.cpus).toBeUndefined()
    expect(() => parseHost('')).toThrow(ParseError)
  })

  it('rejects output cut between two parts: the parts after the cut are not "could not tell"', () => {
    const cut = ['hostname', 'kernel']
      .map((n) => `@@hacheck-part:begin ${n}@@\nx\n@@hacheck-part:end 0@@\n`)
      .join('')
    expect(() => parseHost(cut)).toThrow(/cut short: no nproc, meminfo, loadavg, timedatectl, chrony part/)
  })
})
