import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {host} from '../../../src/facts/host.js'
import {framedFile, runCheck} from '../../support/check-harness.js'

/** The host gatherer's real output on this machine (a Debian host without systemd or chrony). */
const here = spawnSync('bash', ['-c', host.script], {
  encoding: 'utf8',
  env: {...process.env, LC_ALL: 'C'},
}).stdout

/** This machine's output with its timedatectl part replaced. */
const withTimedatectl = (body: string): string =>
  here.replace(
    /@@hacheck-part:begin timedatectl@@\n[\s\S]*?\n@@hacheck-part:end \d+@@\n/,
    framedFile('timedatectl', body),
  )

describe('time.sync', () => {
  it('fails (reported as a warning) where no time synchronisation status can be found, as on this machine', () => {
    const r = runCheck('time.sync', [{name: 'a', outputs: {host: here}}])
    expect(r[0]?.status).toBe('warn')
    expect(r[0]?.message).toMatch(/no time synchronisation status|not synchronised/)
  })
  it('passes when timedatectl reports a synchronised clock', () => {
    const r = runCheck('time.sync', [
      {name: 'a', outputs: {host: withTimedatectl('NTP=yes\nNTPSynchronized=yes')}},
    ])
    expect(r[0]?.status).toBe('pass')
  })
  it('fails when timedatectl reports an unsynchronised clock', () => {
    const r = runCheck('time.sync', [
      {name: 'a', outputs: {host: withTimedatectl('NTP=no\nNTPSynchronized=no')}},
    ])
    expect(r[0]?.status).toBe('warn')
    expect(r[0]?.message).toMatch(/not synchronised/)
  })
  it('cannot tell (never an offset of 0) when chrony is synchronised but its System time cannot be read', () => {
    const chrony =
      'Reference ID    : C6120001 (198.18.0.1)\nStratum         : 3\nSystem time     : unreadable\nLeap status     : Normal\n'
    const out = here.replace(
      /@@hacheck-part:begin chrony@@\n[\s\S]*?\n@@hacheck-part:end \d+@@\n/,
      framedFile('chrony', chrony),
    )
    const r = runCheck('time.sync', [{name: 'a', outputs: {host: out}}])
    expect(r[0]?.status).toBe('error')
    expect(r[0]?.message).toMatch(/cannot read the System time offset/)
  })
  it('is an error when the node could not be reached', () => {
    expect(runCheck('time.sync', [{name: 'a', unreachable: true}])[0]?.status).toBe('error')
  })
})
