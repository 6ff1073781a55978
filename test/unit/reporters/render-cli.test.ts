/** `hacheck audit --waivers`, `--format html` and `hacheck report render` as an operator runs them (no cluster). */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {saveRun} from '../../../src/chaos/history.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'
import {hacheck as run, type CliResult} from '../../support/source-cli.js'
import {repoRoot} from '../../support/paths.js'
import {linkPullResult} from '../chaos/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-render-cli-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const hacheck = (args: string[]): Promise<CliResult> =>
  run(args, {
    env: {XDG_STATE_HOME: join(dir, 'state'), HACHECK_INVENTORY: '', HACHECK_WAIVERS: '', COLUMNS: '100'},
  })

const capture = join(repoRoot, 'examples', 'lab-stonith-disabled')
const waivers = (expires: string): string => {
  const f = join(dir, `waivers-${expires}.yaml`)
  writeFileSync(
    f,
    `waivers:\n  - check: fencing.enabled\n    cluster: lab\n    reason: fencing is off while the BMCs are replaced\n    owner: alice\n    expires: ${expires}\n` +
      '  - check: failover.tested\n    reason: a capture carries no chaos history\n    owner: alice\n    expires: 2999-01-01\n',
  )
  return f
}

describe('hacheck audit --waivers', () => {
  it('passes with the failure waived, and fails again once the waiver has expired', async () => {
    const active = await hacheck([
      'audit',
      '--from',
      capture,
      '--waivers',
      waivers('2999-01-01'),
      '-q',
      '--log-file',
      'none',
    ])
    expect(active.stdout).toMatch(/^WAIVED \(2\)$/m)
    expect(active.stdout).toMatch(/waived \(fail\) until 2999-01-01 by alice: fencing is off/)
    expect(active.code).toBe(0)
    const expired = await hacheck([
      'audit',
      '--from',
      capture,
      '--waivers',
      waivers('2020-01-01'),
      '-q',
      '--log-file',
      'none',
    ])
    expect(expired.stdout).toMatch(/^ {2}FAIL {3}fencing\.enabled — stonith-enabled is false/m)
    expect(expired.stdout).toMatch(
      /WARN {3}waiver\.expired — the waiver for fencing\.enabled \(cluster lab\) expired on 2020-01-01/,
    )
    expect(expired.code).toBe(1)
  })

  it('refuses a broken waiver file with exit 2, FILE:LINE:COL and no stack trace, before gathering anything', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'waivers:\n  - check: fencing.enabeld\n    reason: x\n')
    const r = await hacheck(['audit', '--from', capture, '--waivers', bad, '-q', '--log-file', 'none'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `${bad}:2:12: waivers[0].check: unknown check "fencing.enabeld" (did you mean "fencing.enabled"?)`,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toBe('')
  })

  it('writes a self-contained HTML report chosen by the .html extension', async () => {
    const out = join(dir, 'audit.html')
    const json = join(dir, 'audit.json')
    const r = await hacheck(['audit', '--from', capture, '-o', out, '-o', json, '-q', '--log-file', 'none'])
    expect(r.code).toBe(1)
    const html = readFileSync(out, 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<div class="verdict v-FAILED">FAILED')
  })
})

describe('hacheck report render', () => {
  it('applies waivers to a saved audit run, with the exit code after waivers', async () => {
    const json = join(dir, 'saved.json')
    await hacheck(['audit', '--from', capture, '-o', json, '-q', '--log-file', 'none'])
    const plain = await hacheck(['report', 'render', json, '--log-file', 'none'])
    expect(plain.code).toBe(1)
    const waived = await hacheck([
      'report',
      'render',
      json,
      '--waivers',
      waivers('2999-01-01'),
      '-f',
      'markdown',
      '--log-file',
      'none',
    ])
    expect(waived.stdout).toMatch(/^\*\*PASSED\*\* \(exit 0\): .*, 2 waived\.$/m)
    expect(waived.code).toBe(0)
  })

  it('renders a saved chaos run as Markdown and HTML', async () => {
    const T0 = Date.parse('2026-11-26T10:11:12Z')
    const tl: TimelineEvent[] = [
      {kind: 'fault', t: T0, fault: 'link-pull', phase: 'injected', target: ['n1']},
      {kind: 'cluster', t: T0 + 7430, phase: 'node-lost', node: 'n1', source: 'crm_mon@n2'},
      {kind: 'fault', t: T0 + 30_000, fault: 'link-pull', phase: 'reverted', target: ['n1']},
    ]
    const result = linkPullResult(tl, T0, {expectations: []})
    const runDir = saveRun(result, tl, join(dir, 'chaos-state'))
    const md = await hacheck([
      'report',
      'render',
      join(runDir, 'run.json'),
      '-f',
      'markdown',
      '--log-file',
      'none',
    ])
    expect(md.stderr).toBe('')
    expect(md.stdout).toMatch(/^## PASSED · link-pull on n1$/m)
    expect(md.stdout).toMatch(/^\| \+7\.430s \| 10:11:19\.430Z \| node-lost \| n1 \| crm_mon@n2 \|$/m)
    expect(md.code).toBe(0)
    const out = join(dir, 'chaos.html')
    const html = await hacheck([
      'report',
      'render',
      join(runDir, 'run.json'),
      '-o',
      out,
      '--log-file',
      'none',
    ])
    expect(html.code).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"')
  })
})
