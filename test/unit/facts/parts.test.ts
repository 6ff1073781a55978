import {spawnSync} from 'node:child_process'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ABSENT_RC} from '../../../src/facts/gatherer.js'
import {filesScript, partScript, requirePart, splitParts} from '../../../src/facts/parts.js'
import {existsSync, fixtureDir, framed, readFixture} from './fixtures.js'

function bash(script: string): {stdout: string; status: number | null} {
  const r = spawnSync('bash', ['-c', script], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
  return {stdout: r.stdout, status: r.status}
}

describe('framed parts of a multi-command snippet', () => {
  it('gives back each command output byte-exact with its own exit code', () => {
    const script = [
      partScript('one', `printf 'a\\nb\\n'`),
      partScript('no newline', `printf 'x'`),
      partScript('empty', 'true'),
      partScript('fails', 'echo err >&2; (exit 3)'),
    ].join('; ')
    const {stdout, status} = bash(script)
    expect(status).toBe(0)
    expect(splitParts(stdout)).toEqual([
      {name: 'one', body: 'a\nb\n', exitCode: 0},
      {name: 'no newline', body: 'x', exitCode: 0},
      {name: 'empty', body: '', exitCode: 0},
      {name: 'fails', body: '', exitCode: 3},
    ])
  })

  it('refuses a part cut short (no end marker, or an end marker cut itself) rather than read it as whole', () => {
    for (const cut of [
      '@@hacheck-part:begin a@@\npartial',
      '@@hacheck-part:begin a@@\nwhole\n@@hacheck-part:end 0',
      '@@hacheck-part:begin a@@\nwhole\n@@hacheck-part:end 0@@\n@@hacheck-part:begin b@@\nx\n@@hacheck-part:end ',
    ])
      expect(() => splitParts(cut), JSON.stringify(cut)).toThrow(/cut short: part "[ab]" has no end marker/)
  })

  it('names the missing part in the error', () => {
    expect(() => requirePart([], 'list')).toThrow(/"list"/)
  })

  it('reads the same frames the test helper builds', () => {
    const text = framed([
      {name: '/etc/a.conf', body: 'x = 1\n'},
      {name: '/etc/b.conf', body: 'y', exitCode: 1},
    ])
    expect(splitParts(text)).toEqual([
      {name: '/etc/a.conf', body: 'x = 1\n', exitCode: 0},
      {name: '/etc/b.conf', body: 'y', exitCode: 1},
    ])
  })
})

const dir = fixtureDir('rsyslog')

describe.skipIf(!existsSync(dir))('framed files of a multi-file snippet', () => {
  it('prints every existing file matched by the globs under its path, verbatim', () => {
    const {stdout, status} = bash(filesScript([`${dir}/rsyslog-omfwd-*.conf`, `${dir}/no-such-*.conf`]))
    expect(status).toBe(0)
    const parts = splitParts(stdout)
    expect(parts.map((p) => path.basename(p.name))).toEqual([
      'rsyslog-omfwd-tcp-minimal.conf',
      'rsyslog-omfwd-tcp-with-disk-queue.conf',
    ])
    expect(parts[0]?.body).toBe(readFixture(dir, 'rsyslog-omfwd-tcp-minimal.conf'))
  })

  it('exits with the absent code and prints nothing when no file exists', () => {
    const {stdout, status} = bash(filesScript([`${dir}/no-such-*.conf`, '/nonexistent/x.conf']))
    expect(status).toBe(ABSENT_RC)
    expect(stdout).toBe('')
  })
})
