import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Ajv} from 'ajv'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'

import {exitCodeFor, type AuditRun} from '../../../src/core/results.js'
import {renderAudit} from '../../../src/reporters/index.js'
import {expectGolden} from '../../support/golden.js'
import {fixturesDir, haveJunitXsd, junitXsd, repoRoot} from '../../support/paths.js'

const run = JSON.parse(readFileSync(join(fixturesDir, 'reports', 'audit-run.json'), 'utf8')) as AuditRun
const titles = {
  '1': 'Quorum',
  '2': 'Fencing (STONITH)',
  '3': 'Heartbeat on separate interfaces',
  '4': 'Storage multipath',
}
const golden = (name: string): string => join(fixturesDir, 'reports', name)
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0

describe('audit reporters', () => {
  it('render the console report grouped by item with evidence and remediation for non-passes', () => {
    const text = renderAudit('console', run, {color: false, itemTitles: titles})
    expectGolden(text, golden('audit.console.txt'))
    expect(text).toMatch(/FAIL\s+fencing\.enabled/)
    expect(text).toMatch(/evidence: n1 · cibadmin · observed false · expected true/)
    expect(text).toMatch(/INCOMPLETE {2}1 pass, 1 fail, 1 warn, 1 skip, 1 error \(exit 3\)/)
  })

  it('render colors only when asked', () => {
    expect(renderAudit('console', run, {color: false, itemTitles: titles})).not.toContain('\u001b[')
    expect(renderAudit('console', run, {color: true, itemTitles: titles})).toContain('\u001b[')
  })

  it('render JSON that matches the published schema', () => {
    const schema = JSON.parse(
      readFileSync(join(repoRoot, 'schemas', 'audit-run.schema.json'), 'utf8'),
    ) as object
    const ajv = new Ajv({allErrors: true, strict: false})
    addFormats.default(ajv)
    const validate = ajv.compile(schema)
    const doc = JSON.parse(renderAudit('json', run, {color: false, itemTitles: titles})) as unknown
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([])
    expect(validate(doc)).toBe(true)
  })

  it('render Markdown with a findings section per non-pass', () => {
    const md = renderAudit('markdown', run, {color: false, itemTitles: titles})
    expectGolden(md, golden('audit.md'))
    expect(md).toMatch(/### ❌ 2 · `fencing.enabled`/)
  })

  it('render JUnit with failure, error and skipped kept distinct', () => {
    const xml = renderAudit('junit', run, {color: false, itemTitles: titles})
    expectGolden(xml, golden('audit.junit.xml'))
    expect(xml).toMatch(/<testsuites name="hacheck audit lab" tests="5" failures="1" errors="1"/)
    expect(xml).toMatch(/<testcase name="fencing.enabled" classname="hacheck.2.lab" time="0.000">\s*<failure/)
    expect(xml).toMatch(/<testcase name="node.reachable \[n3\]"[^>]*>\s*<error/)
    expect(xml).toMatch(/<testcase name="storage.multipath \[n1\]"[^>]*>\s*<skipped/)
  })

  it.skipIf(!hasXmllint || !haveJunitXsd)(
    'render JUnit that validates against the JUnit XSD with xmllint',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hacheck-junit-'))
      const file = join(dir, 'report.xml')
      writeFileSync(file, renderAudit('junit', run, {color: false, itemTitles: titles}))
      const r = spawnSync('xmllint', ['--noout', '--schema', junitXsd, file], {
        encoding: 'utf8',
      })
      expect(r.stderr).toMatch(/validates/)
      expect(r.status).toBe(0)
    },
  )
})

describe('the exit code of a run', () => {
  it('is 0 when nothing failed or errored, even with warnings and skips', () => {
    expect(exitCodeFor([{status: 'pass'}, {status: 'warn'}, {status: 'skip'}])).toBe(0)
  })
  it('is 1 when a result failed', () => {
    expect(exitCodeFor([{status: 'pass'}, {status: 'fail'}])).toBe(1)
  })
  it('is 3 when a result is in error, because the audit could not complete', () => {
    expect(exitCodeFor([{status: 'fail'}, {status: 'error'}])).toBe(3)
  })
})
