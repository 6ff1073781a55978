import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {fixturesDir, repoRoot} from '../support/paths.js'

const cli = (...args: string[]): {status: number | null; stdout: string; stderr: string} =>
  spawnSync('node', [join(repoRoot, 'bin', 'run.js'), ...args, '--log-file', 'none'], {encoding: 'utf8'})
const saved = join(fixturesDir, 'reports', 'audit-run.json')

describe('hacheck report render', () => {
  it('re-renders a saved audit as Markdown, with the exit code of the run', () => {
    const r = cli('report', 'render', saved, '--format', 'markdown')
    expect(r.stdout).toMatch(/^# hacheck audit — cluster `lab`\n\n\*\*INCOMPLETE\*\* \(exit 3\)/)
    expect(r.stdout).toMatch(/### ❌ 2 · `fencing.enabled`: STONITH is enabled/)
    expect(r.status).toBe(3)
  })

  it('writes JUnit to a file, choosing the format from the extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-report-'))
    const out = join(dir, 'audit.xml')
    const r = cli('report', 'render', saved, '-o', out)
    expect(r.stderr).toBe('')
    expect(readFileSync(out, 'utf8')).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="hacheck audit lab"/,
    )
  })

  it('refuses a JSON file that is not a saved run, with exit 2 and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-report-'))
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}')
    const r = cli('report', 'render', join(dir, 'x.json'))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/not a saved hacheck run/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
