/**
 * Property tests of the sanitising boundary (src/core/sanitize.ts): arbitrary
 * strings (any UTF-16 code unit: NUL, ESC sequences, U+FFFE, lone surrogates,
 * bidi overrides, Markdown and XML syntax) put where a node's output or a
 * saved report ends up (node names, messages, evidence, the view, the cluster
 * name, waivers) go through every audit reporter and the chaos renderers, and
 * every output stays well-formed: JUnit valid against junit-10.xsd (xmllint,
 * when the shared schema is here), HTML and JUnit free of XML-invalid
 * characters, console and Markdown free of raw control characters, JSON
 * parsing back to the very run. Seeded: a failure names its seed and path.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'

import {renderReport} from '../../../src/chaos/cli/command.js'
import type {AuditRun, CheckResult} from '../../../src/core/results.js'
import {isVisibleText, sanitizeDeep, visibleText} from '../../../src/core/sanitize.js'
import {AUDIT_FORMATS, renderAudit} from '../../../src/reporters/index.js'
import {linkPullResult} from '../chaos/fixtures.js'
import {fixturesDir, haveJunitXsd, junitXsd} from '../../support/paths.js'

const base = JSON.parse(readFileSync(join(fixturesDir, 'reports', 'audit-run.json'), 'utf8')) as AuditRun
const SEED = 16_016
const tmp = mkdtempSync(join(tmpdir(), 'hacheck-hostile-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** Any UTF-16 string, biased to what breaks terminals and XML. */
const hostile = fc.oneof(
  fc.string({unit: 'binary', maxLength: 40}),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u001b',
      '[2J',
      '\r',
      '\uFFFE',
      '\uD800',
      '\u202E',
      '<',
      '&',
      '`',
      '|',
      ']]>',
      '\n',
      'é',
      '<script>',
    ),
    maxLength: 20,
  }),
)

function hostileRun(s: string[]): AuditRun {
  const at = (i: number): string => s[i % s.length] ?? ''
  const results: CheckResult[] = base.results.slice(0, 6).map((r, i) => ({
    ...r,
    node: at(i),
    message: at(i + 1),
    status: (['pass', 'fail', 'warn', 'skip', 'error', 'waived'] as const)[i % 6] ?? 'fail',
    evidence: [{node: at(i + 2), source: at(i + 3), observed: {[at(i + 4)]: at(i + 5)}, note: at(i + 6)}],
    ...(i % 6 === 5
      ? {
          waiver: {
            reason: at(i),
            owner: at(i + 1),
            expires: '2027-01-01',
            state: 'active',
            status: 'fail',
            from: at(i + 2),
          },
        }
      : {}),
  }))
  return {
    ...base,
    cluster: {...base.cluster, name: at(7)},
    nodes: base.nodes.map((n, i) => ({...n, name: at(i + 8), error: at(i + 9)})),
    results,
    view: {
      headline: `DEGRADED: ${at(10)}`,
      degraded: true,
      notices: [{severity: 'critical', kind: 'x', nodes: [at(11)], message: at(12)}],
      nodes: [],
      partitions: [],
    } as unknown as AuditRun['view'],
  }
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/
const XML_INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

describe('the sanitising boundary', () => {
  it('makes every control and XML-invalid character visible, keeps newlines and tabs, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (s) => {
        const v = visibleText(s)
        expect(v).not.toMatch(RAW_CONTROL)
        expect(v).not.toMatch(XML_INVALID)
        expect(visibleText(v)).toBe(v)
        expect(isVisibleText(v)).toBe(true)
      }),
      {seed: SEED, numRuns: 2000},
    )
    expect(visibleText('a\u001b[2Jb\u0000c\r\nd\te')).toBe('a␛[2Jb␀c\nd\te')
  })

  it('sanitises keys and values of nested records, keeps numbers, and never sets a prototype', () => {
    const out = sanitizeDeep(JSON.parse('{"__proto__": {"x\\u001b": ["\\u0000", 1, null, true]}}') as object)
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x␛":["␀",1,null,true]}}')
  })

  it('changes a string exactly as the four replaces do, whether or not it holds a suspect character', () => {
    const reference = (s: string): string =>
      s
        .replace(/\r\n/g, '\n')
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (c) => {
          const code = c.charCodeAt(0)
          return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd'
        })
        .replace(/[\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/g, '\ufffd')
        .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\ufffd')
    fc.assert(
      fc.property(
        fc.string({unit: 'binary'}),
        fc.string({unit: fc.integer({min: 0, max: 0xffff}).map((c) => String.fromCharCode(c))}),
        (a, b) => {
          expect(visibleText(a)).toBe(reference(a))
          expect(visibleText(b)).toBe(reference(b))
        },
      ),
      {seed: SEED, numRuns: 2000},
    )
  })

  it('returns what holds nothing to change as is, and copies (never mutates) what does', () => {
    const clean = {a: ['x', {b: 1, c: 'y'}], d: {e: 'z'}}
    expect(sanitizeDeep(clean)).toBe(clean)
    const input = {a: ['x', {b: 1, c: 'y\u001b'}], d: {e: 'z'}}
    const before = JSON.stringify(input)
    const out = sanitizeDeep(input)
    expect(JSON.stringify(input)).toBe(before)
    expect(out.a[1]).toEqual({b: 1, c: 'y␛'})
    expect(out.a).not.toBe(input.a)
    // Untouched branches are shared.
    expect(out.d).toBe(input.d)
  })
})

describe('every audit reporter, fed hostile strings from nodes and saved reports', () => {
  const junitFiles: string[] = []

  it('writes console and Markdown without raw control characters, HTML and JUnit without XML-invalid ones, JSON that parses back', () => {
    let n = 0
    fc.assert(
      fc.property(fc.array(hostile, {minLength: 1, maxLength: 14}), (strings) => {
        const run = hostileRun(strings)
        for (const format of AUDIT_FORMATS) {
          const text = renderAudit(format, run, {color: false, width: 80})
          if (format === 'json') {
            expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(run)))
            // eslint-disable-next-line no-control-regex
            expect(text).not.toMatch(/[\u0000\u001b]/)
          } else if (format === 'console' || format === 'markdown' || format === 'prometheus') {
            expect(text).not.toMatch(RAW_CONTROL)
            expect(text).not.toMatch(XML_INVALID)
          } else {
            expect(text).not.toMatch(XML_INVALID)
            expect(text).not.toMatch(RAW_CONTROL)
            if (format === 'html') expect(text).not.toMatch(/<(?![a-z!/])|<script/i)
            if (format === 'junit' && n < 150) {
              const file = join(tmp, `j${n++}.xml`)
              writeFileSync(file, text)
              junitFiles.push(file)
            }
          }
        }
      }),
      {seed: SEED, numRuns: 400},
    )
  })

  it.skipIf(!haveJunitXsd)('writes JUnit that xmllint finds valid against junit-10.xsd', () => {
    expect(junitFiles.length).toBeGreaterThan(100)
    const r = spawnSync('xmllint', ['--noout', '--schema', junitXsd, ...junitFiles], {encoding: 'utf8'})
    expect(r.stderr.split('\n').filter((l) => l && !/ validates$/.test(l))).toEqual([])
    expect(r.status).toBe(0)
  })
  // Reason: the XSD is read in place from ../shared (never copied into the repo); without it the schema test
  // above is skipped, and this visible skip says so in the report, while every other JUnit test still runs.
  if (!haveJunitXsd) it.skip(`junit-10.xsd not found (${junitXsd}): JUnit checked for XML characters only`)

  it('keeps an ANSI escape from a node out of the coloured console: the only ESC are hacheck colours', () => {
    const run = hostileRun(['\u001b[2J\u001b[31mPASSED\u001b[0m'])
    const text = renderAudit('console', run, {color: true, width: 100})
    expect(text).not.toContain('\u001b[2J')
    expect(text).toContain('␛[2J␛[31mPASSED␛[0m')
  })
})

describe('the chaos renderers, fed hostile strings from node output', () => {
  it('write console, Markdown, HTML and JUnit without raw control or XML-invalid characters', () => {
    const T0 = Date.parse('2026-11-26T10:11:12Z')
    const chaos = linkPullResult([], T0)
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const result = {...chaos, cluster: a, summary: b, notes: [b], errors: [a + b]}
        for (const format of ['console', 'markdown', 'html', 'junit'] as const) {
          const text = renderReport(format, [{result, timeline: []}], b)
          expect(text).not.toMatch(RAW_CONTROL)
          expect(text).not.toMatch(XML_INVALID)
        }
      }),
      {seed: SEED, numRuns: 150},
    )
  })
})
