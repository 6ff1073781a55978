import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {explanationsFor} from '../../../src/audit/explain.js'
import {applyWaivers, parseWaivers} from '../../../src/audit/waivers.js'
import {catalog} from '../../../src/checks/index.js'
import type {AuditRun} from '../../../src/core/results.js'
import {renderAudit, type AuditFormat} from '../../../src/reporters/index.js'
import {auditCapture} from '../../support/capture-audit.js'
import {sharedSchemasDir} from '../../support/paths.js'
import {CHROMIUM, pixelStats, screenshot} from '../../support/screenshot.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-audit-html-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

let run: AuditRun
beforeAll(async () => {
  const plain = await auditCapture('lab-stonith-disabled')
  const checks = catalog()
  const waivers = parseWaivers(
    'waivers:\n  - {check: time.sync, nodes: [n2], reason: n2 follows the site NTP appliance, owner: ops, expires: 2099-01-01}\n',
    'waivers.yaml',
    [...checks.keys()],
  )
  run = {
    ...applyWaivers(plain, waivers, new Date('2027-01-01T00:00:00Z')),
    view: {
      ...(plain.view as NonNullable<AuditRun['view']>),
      headline: 'DEGRADED: fencing is disabled — a lost node would never be fenced',
      degraded: true,
      notices: [
        {
          severity: 'critical',
          kind: 'fencing',
          nodes: [],
          message: 'stonith-enabled=false on the whole cluster',
        },
        {severity: 'info', kind: 'capture', nodes: [], message: 'audited from a capture: no live SSH'},
      ],
    },
  }
})

const html = (r: AuditRun = run): string =>
  renderAudit('html', r, {
    color: false,
    itemTitles: {},
    explanations: explanationsFor(new Set(r.results.map((x) => x.id)), catalog()),
  })

describe('the HTML audit report', () => {
  it('is one self-contained file: no script, no external asset', () => {
    const h = html()
    expect(h.startsWith('<!doctype html>')).toBe(true)
    expect(h).not.toMatch(/<script|<link|<img|src=|url\(|@import|href="http/i)
  })

  it('shows the cluster view first, then the findings (failures before warnings), then the results by area', () => {
    const h = html()
    const at = (s: string): number => {
      const i = h.indexOf(s)
      expect(i, s).toBeGreaterThan(0)
      return i
    }
    expect(at('DEGRADED: fencing is disabled')).toBeLessThan(at('<h2>Findings'))
    expect(at('<div class="finding f-fail">')).toBeLessThan(at('<div class="finding f-warn">'))
    expect(at('<div class="finding f-warn">')).toBeLessThan(at('<div class="finding f-waived">'))
    expect(at('<div class="finding f-waived">')).toBeLessThan(at('<h2>Results by area</h2>'))
    expect(h).toMatch(/<h3><span class="st st-fail">FAIL<\/span> fencing <small>/)
  })

  it('keeps evidence collapsible, with the command that produced each fact, and links each check to its explanation', () => {
    const h = html()
    expect(h).toMatch(/<details class="evidence"><summary>evidence \(1\)<\/summary>/)
    expect(h).toContain('<code>crm_mon -1 --inactive --output-as=xml</code>')
    expect(h).not.toContain('@@hacheck-part')
    expect(h).toContain('<a href="#explain-fencing.enabled"><code>fencing.enabled</code></a>')
    expect(h).toMatch(
      /<section class="card explain" id="explain-fencing.enabled"><h3><code>fencing.enabled<\/code>/,
    )
    expect(h).toContain('<code>hacheck checks explain fencing.enabled</code>')
  })

  it.skipIf(!CHROMIUM)(
    'renders in headless Chromium to a screenshot that is not blank',
    () => {
      const file = join(dir, 'audit.html')
      const png = join(dir, 'audit.png')
      writeFileSync(file, html())
      const stderr = screenshot(file, png, dir, 1200, 1600)
      expect(existsSync(png), stderr).toBe(true)
      if (process.env.HACHECK_AUDIT_SCREENSHOT_OUT)
        writeFileSync(process.env.HACHECK_AUDIT_SCREENSHOT_OUT, readFileSync(png))
      const FAIL_RED = 0xcf222e
      const WARN = 0x9a6700
      const PASS_GREEN = 0x1a7f37
      const img = pixelStats(readFileSync(png), [FAIL_RED, WARN, PASS_GREEN])
      expect(img.width).toBe(1200)
      expect(img.colors).toBeGreaterThan(100)
      expect(img.inked).toBeGreaterThan(0.05)
      expect(img.lumaStdDev).toBeGreaterThan(20)
      // The badges and the finding borders were painted: failure red, warning amber, pass green.
      expect(img.near.get(FAIL_RED)).toBeGreaterThan(500)
      expect(img.near.get(WARN)).toBeGreaterThan(500)
      expect(img.near.get(PASS_GREEN)).toBeGreaterThan(100)
    },
    120_000,
  )
})

describe('hostile node output', () => {
  const EVIL = [
    '\u001b[31mRED\u001b[0m\u001b]0;pwned\u0007',
    '</script><script>alert(1)</script>',
    ']]><!-- -->',
    '| a | b |\n# heading\n```',
    '\u0000\u0001\u0002\u00ff\ufffe',
  ].join(' ')
  const hostile = (): AuditRun => {
    const huge = 'x'.repeat(1_000_000)
    return {
      ...run,
      view: {
        ...(run.view as NonNullable<AuditRun['view']>),
        headline: `headline ${EVIL}`,
        notices: [{severity: 'warning', kind: 'x', nodes: [EVIL], message: EVIL}],
      },
      results: run.results.map((r) =>
        r.id === 'fencing.enabled'
          ? {
              ...r,
              message: `message ${EVIL}`,
              node: `n1${EVIL}`,
              evidence: [
                {node: 'n1', source: 'crm-mon', command: `cmd ${EVIL}`, observed: `${EVIL}${huge}`},
                {node: 'n1', observed: {nested: EVIL, big: huge}, expected: EVIL, note: EVIL},
              ],
            }
          : r,
      ),
    }
  }
  const render = (f: AuditFormat): string => renderAudit(f, hostile(), {color: false, itemTitles: {}})

  it('never reaches the terminal as escape sequences, and stays bounded', () => {
    const text = render('console')
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
    expect(text).toContain('␛[31mRED')
    expect(text.length).toBeLessThan(60_000)
  })

  it('cannot inject HTML, break a table row or a code span in Markdown', () => {
    const md = render('markdown')
    // Outside code spans (where it is literal text), no markup survives.
    expect(md.replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')).not.toContain('<script>')
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
    const row = md.split('\n').find((l) => l.startsWith('| 2 | `fencing.enabled`'))
    expect(row?.split(/(?<!\\)\|/).length).toBe(7)
    expect(md).not.toMatch(/^# heading/m)
    expect(md.length).toBeLessThan(120_000)
  })

  it('cannot inject markup into the HTML report, and huge values are capped', () => {
    const h = html(hostile())
    expect(h).not.toMatch(/<script|<!-- -->/)
    // eslint-disable-next-line no-control-regex
    expect(h).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/)
    expect(h).toContain('&lt;/script&gt;&lt;script&gt;alert(1)')
    expect(h).toContain('more characters not shown')
    expect(h.length).toBeLessThan(400_000)
  })

  it('keeps JUnit well-formed and valid, and JSON a faithful copy', () => {
    const xml = render('junit')
    expect(xml).toContain(']]&gt;')
    const file = join(dir, 'hostile.xml')
    writeFileSync(file, xml)
    const xsd = join(sharedSchemasDir, 'junit-10.xsd')
    if (spawnSync('xmllint', ['--version']).status !== 0)
      console.warn('xmllint absent: hostile JUnit not validated')
    else if (!existsSync(xsd)) {
      // A clone without ../shared beside it: well-formedness only, and say so.
      expect(spawnSync('xmllint', ['--noout', file], {encoding: 'utf8'}).status).toBe(0)
      console.warn(`${xsd} absent: hostile JUnit checked for well-formedness only`)
    } else {
      const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], {encoding: 'utf8'})
      expect(r.stderr).toMatch(/validates/)
    }
    expect(JSON.parse(render('json'))).toEqual(JSON.parse(JSON.stringify(hostile())))
  })
})
