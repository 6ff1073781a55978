import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  applyWaivers,
  EXPIRED_ID,
  expiryInstant,
  loadWaiverFile,
  parseWaivers,
  withoutWaivers,
  WaiverFileError,
} from '../../../src/audit/waivers.js'
import {catalog} from '../../../src/checks/index.js'
import {exitCodeFor, type AuditRun} from '../../../src/core/results.js'
import {renderAudit} from '../../../src/reporters/index.js'
import {auditCapture} from '../../support/capture-audit.js'
import {repoRoot, sharedSchemasDir} from '../../support/paths.js'
import {schemaValidator} from '../../support/schema.js'

const ids = [...catalog().keys()]
const dir = mkdtempSync(join(tmpdir(), 'hacheck-waivers-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** The lab with fencing turned off, audited from its capture: fencing.enabled fails, time.sync warns. */
let run: AuditRun
beforeAll(async () => {
  run = await auditCapture('lab-stonith-disabled')
})

const FILE = `# accepted deviations of the lab
waivers:
  - check: fencing.enabled
    cluster: lab
    reason: fencing is off while the BMCs are replaced (CHG-1234)
    owner: alice@example.org
    expires: 2027-03-01
  - check: time.sync
    nodes: [n2]
    reason: n2 follows the site NTP appliance, checked by hand weekly
    owner: ops-team
    expires: 2027-12-31T12:00Z
`
const waivers = (text = FILE) => parseWaivers(text, 'waivers.yaml', ids)
const at = (iso: string): Date => new Date(iso)
const byId = (r: AuditRun, id: string, node?: string) =>
  r.results.filter((x) => x.id === id && (node === undefined || x.node === node))

describe('waivers', () => {
  it('turn a covered failure into waived, with the reason, and the run no longer fails', () => {
    expect(exitCodeFor(run.results)).toBe(1)
    const w = applyWaivers(run, waivers(), at('2027-01-15T00:00:00Z'))
    const [r] = byId(w, 'fencing.enabled')
    expect(r?.status).toBe('waived')
    expect(r?.waiver).toMatchObject({
      state: 'active',
      status: 'fail',
      reason: 'fencing is off while the BMCs are replaced (CHG-1234)',
      owner: 'alice@example.org',
      from: 'waivers.yaml#0',
    })
    expect(w.summary.waived).toBe(2)
    expect(w.summary.fail).toBe(0)
    expect(exitCodeFor(w.results)).toBe(0)
  })

  it('cover only the nodes they name', () => {
    const w = applyWaivers(run, waivers(), at('2027-01-15T00:00:00Z'))
    expect(byId(w, 'time.sync', 'n2')[0]?.status).toBe('waived')
    expect(byId(w, 'time.sync', 'n1')[0]?.status).toBe('warn')
    expect(byId(w, 'time.sync', 'n3')[0]?.status).toBe('warn')
  })

  it('once expired, turn the result back to fail, add an expired-waiver warning and fail the run again', () => {
    const w = applyWaivers(run, waivers(), at('2027-03-02T00:00:00Z'))
    const [r] = byId(w, 'fencing.enabled')
    expect(r?.status).toBe('fail')
    expect(r?.waiver).toMatchObject({state: 'expired', status: 'fail'})
    const [expired] = byId(w, EXPIRED_ID)
    expect(expired?.status).toBe('warn')
    expect(expired?.message).toMatch(/waiver for fencing\.enabled \(cluster lab\) expired on 2027-03-01/)
    expect(exitCodeFor(w.results)).toBe(1)
    expect(w.waivers?.entries.map((e) => [e.check, e.state, e.matched])).toEqual([
      ['fencing.enabled', 'expired', 1],
      ['time.sync', 'active', 1],
    ])
  })

  it('hold through the end of the expiry date (UTC), and a date-time until that instant', () => {
    expect(expiryInstant('2027-03-01')).toBe(Date.parse('2027-03-02T00:00:00Z'))
    expect(expiryInstant('2027-12-31T12:00Z')).toBe(Date.parse('2027-12-31T12:00:00Z'))
    expect(expiryInstant('2027-02-30')).toBeUndefined()
    const last = applyWaivers(run, waivers(), at('2027-03-01T23:59:59Z'))
    expect(byId(last, 'fencing.enabled')[0]?.status).toBe('waived')
  })

  it('do not apply to another cluster, and are then not listed for this one', () => {
    const other = waivers(FILE.replace('cluster: lab', 'cluster: prod'))
    const w = applyWaivers(run, other, at('2027-01-15T00:00:00Z'))
    expect(byId(w, 'fencing.enabled')[0]?.status).toBe('fail')
    expect(w.waivers?.entries.map((e) => e.check)).toEqual(['time.sync'])
  })

  it('never waive an error: could not tell is not an accepted deviation', () => {
    const broken: AuditRun = {
      ...run,
      results: run.results.map((r) => (r.id === 'fencing.enabled' ? {...r, status: 'error'} : r)),
    }
    const w = applyWaivers(broken, waivers(), at('2027-01-15T00:00:00Z'))
    expect(byId(w, 'fencing.enabled')[0]?.status).toBe('error')
    expect(exitCodeFor(w.results)).toBe(3)
  })

  it('apply idempotently, and withoutWaivers gives back the run as judged', () => {
    const once = applyWaivers(run, waivers(), at('2027-03-05T00:00:00Z'))
    const twice = applyWaivers(once, waivers(), at('2027-03-05T00:00:00Z'))
    expect(twice).toEqual(once)
    expect(withoutWaivers(once).results).toEqual(run.results)
    // A saved run re-rendered later: the waiver active at audit time has expired since.
    const early = applyWaivers(run, waivers(), at('2027-01-15T00:00:00Z'))
    expect(applyWaivers(early, waivers(), at('2027-03-05T00:00:00Z'))).toEqual(once)
  })
})

describe('the waiver file', () => {
  const problems = (text: string): string => {
    try {
      parseWaivers(text, 'w.yaml', ids)
    } catch (err) {
      expect(err).toBeInstanceOf(WaiverFileError)
      expect((err as WaiverFileError).exit).toBe(2)
      return (err as Error).message
    }
    throw new Error('expected the file to be refused')
  }

  it('refuses an unknown check id with a suggestion, file, line and column', () => {
    expect(problems(FILE.replace('check: fencing.enabled', 'check: fencing.enabeld'))).toBe(
      'w.yaml:3:12: waivers[0].check: unknown check "fencing.enabeld" (did you mean "fencing.enabled"?)',
    )
  })

  it('lists every problem at once: missing reason, an impossible date, an unknown key', () => {
    const text = [
      'waivers:',
      '  - check: fencing.enabled',
      '    owner: me',
      '    expires: 2027-02-30',
      '  - check: time.sync',
      '    reason: too short',
      '    owner: me',
      '    expires: soon',
      '    until: 2027-01-01',
    ].join('\n')
    const msg = problems(text)
    expect(msg).toMatch(/^w\.yaml:2:5: waivers\[0\]: missing key "reason"$/m)
    expect(msg).toMatch(/^w\.yaml:4:14: waivers\[0\]\.expires: expected a real date, found "2027-02-30"$/m)
    expect(msg).toMatch(/^w\.yaml:6:13: waivers\[1\]\.reason: expected a reason of at least 10 characters/m)
    expect(msg).toMatch(/^w\.yaml:8:14: waivers\[1\]\.expires: expected a date YYYY-MM-DD or a date-time/m)
    expect(msg).toMatch(/^w\.yaml:9:5: waivers\[1\]\.until: unknown key "until"/m)
  })

  it('refuses an empty file and a missing file with exit 2 and no stack trace', async () => {
    expect(problems('# nothing\n')).toMatch(/^w\.yaml:1:1: expected a mapping with a waivers list/)
    await expect(loadWaiverFile(join(dir, 'nope.yaml'), ids)).rejects.toThrow(
      /nope\.yaml: cannot read the waiver file: no such file/,
    )
  })

  it('ships an example for the lab capture that validates and waives its fencing failure', async () => {
    const file = await loadWaiverFile(join(repoRoot, 'examples', 'waivers.yaml'), ids)
    const w = applyWaivers(run, file, at('2030-01-01T00:00:00Z'))
    expect(byId(w, 'fencing.enabled')[0]?.status).toBe('waived')
    expect(exitCodeFor(w.results)).toBe(0)
  })

  it('ships a schema that is itself valid', () => {
    const schema = JSON.parse(
      readFileSync(join(repoRoot, 'schemas', 'waivers.schema.json'), 'utf8'),
    ) as object
    const ajv = new Ajv({strict: false})
    expect(ajv.validateSchema(schema)).toBe(true)
  })
})

describe('waived results in every format', () => {
  const titles = {}
  const waived = (): AuditRun => applyWaivers(run, waivers(), at('2027-01-15T00:00:00Z'))
  const expired = (): AuditRun => applyWaivers(run, waivers(), at('2027-06-01T00:00:00Z'))

  it('console: a WAIVED section with the reason, and the waived ids in the summary', () => {
    const text = renderAudit('console', waived(), {color: false, itemTitles: titles, width: 100})
    expect(text).toMatch(/^WAIVED \(2\)$/m)
    expect(text).toMatch(/WAIVED fencing\.enabled — stonith-enabled is false/)
    expect(text).toMatch(
      /waived \(fail\) until 2027-03-01 by alice@example\.org: fencing is off while the BMCs/,
    )
    expect(text).toMatch(/^PASSED .*, 2 waived \(exit 0\)$/m)
    expect(text).toMatch(/^ {2}waived: {3}fencing\.enabled, time\.sync\[n2\]$/m)
    const late = renderAudit('console', expired(), {color: false, itemTitles: titles, width: 100})
    expect(late).toMatch(/FAIL {3}fencing\.enabled/)
    expect(late).toMatch(/waiver EXPIRED on 2027-03-01 \(owner alice@example\.org\)/)
    expect(late).toMatch(/WARN {3}waiver\.expired — the waiver for fencing\.enabled/)
  })

  it('Markdown and HTML: the waiver and its reason next to the result, and a waivers table', () => {
    const md = renderAudit('markdown', waived(), {color: false, itemTitles: titles})
    expect(md).toMatch(/> waived \(fail\) until 2027-03-01 by alice@example\.org: fencing is off/)
    expect(md).toMatch(/^## Waivers \(`waivers\.yaml`\)$/m)
    expect(md).toMatch(/\| `fencing\.enabled` \| lab; all nodes \| active \| 2027-03-01 \|/)
    const html = renderAudit('html', expired(), {color: false, itemTitles: titles})
    expect(html).toContain('<p class="waiver expired">waiver EXPIRED on 2027-03-01')
    expect(html).toContain('<strong class="n-critical">EXPIRED</strong>')
  })

  it('JUnit: skipped with the waiver and its reason as the message; valid against the XSD', () => {
    const xml = renderAudit('junit', waived(), {color: false, itemTitles: titles})
    expect(xml).toMatch(
      /<testcase name="fencing\.enabled"[^>]*>\s*<skipped message="waived \(fail\) until 2027-03-01 by alice@example\.org: fencing is off while the BMCs are replaced \(CHG-1234\) — stonith-enabled is false/,
    )
    expect(xml).not.toMatch(/<failure/)
    const xsd = join(sharedSchemasDir, 'junit-10.xsd')
    if (spawnSync('xmllint', ['--version']).status !== 0)
      return console.warn('xmllint absent: XSD not checked')
    const file = join(dir, 'w.xml')
    writeFileSync(file, xml)
    if (!existsSync(xsd)) {
      // A clone without ../shared beside it: well-formedness only, and say so.
      expect(spawnSync('xmllint', ['--noout', file], {encoding: 'utf8'}).status).toBe(0)
      return console.warn(`${xsd} absent: JUnit checked for well-formedness only`)
    }
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], {encoding: 'utf8'})
    expect(r.stderr).toMatch(/validates/)
  })

  it('JSON: matches the published audit-run schema, waivers included', () => {
    const validate = schemaValidator('audit-run.schema.json')
    for (const r of [waived(), expired()]) {
      const ok = validate(JSON.parse(renderAudit('json', r, {color: false, itemTitles: titles})))
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([])
      expect(ok).toBe(true)
    }
  })
})
