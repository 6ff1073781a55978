/**
 * The posture history (directory of JSON) and the trend over it. Runs are the
 * audits of the lab captures in examples/ (real tool outputs), so a
 * "regression" here is the lab with fencing turned off after a healthy night.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditRun} from '../../../src/core/results.js'
import {lastComplete, lastSuccessByCheck, postureOf, type Posture} from '../../../src/history/posture.js'
import {
  renderTrendConsole,
  renderTrendHtml,
  renderTrendMarkdown,
  trendChart,
} from '../../../src/history/render.js'
import {clusterFolder, readPostures, saveAudit} from '../../../src/history/store.js'
import {compare, sinceToIso, trendReport} from '../../../src/history/trend.js'
import {auditCapture} from '../../support/capture-audit.js'
import {repoRoot} from '../../support/paths.js'

let healthy: AuditRun
let noFencing: AuditRun
let hbPublic: AuditRun
const dir = mkdtempSync(join(tmpdir(), 'hacheck-history-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

beforeAll(async () => {
  healthy = await auditCapture('lab-healthy', {cluster: 'prod', at: '2026-12-01T02:30:00.000Z'})
  noFencing = await auditCapture('lab-stonith-disabled', {cluster: 'prod', at: '2026-12-02T02:30:00.000Z'})
  hbPublic = await auditCapture('lab-hb-public', {cluster: 'prod', at: '2026-12-03T02:30:00.000Z'})
})

describe('the history directory', () => {
  it('keeps each run whole (re-renderable) and a small posture record, one folder per cluster', () => {
    const file = saveAudit(healthy, dir)
    saveAudit(noFencing, dir)
    saveAudit(hbPublic, dir)
    saveAudit({...healthy, cluster: {...healthy.cluster, name: 'qa/eu 1'}}, dir)
    expect(file.startsWith(join(dir, 'prod', '20261201T023000Z-'))).toBe(true)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(healthy)
    expect(readdirSync(dir).sort()).toEqual(['prod', clusterFolder('qa/eu 1')].sort())
    const posture = readFileSync(file.replace(/\.json$/, '.posture.json'), 'utf8')
    expect(posture.length).toBeLessThan(readFileSync(file, 'utf8').length / 2)
  })

  it('names a folder after the cluster, made safe and still unique', () => {
    expect(clusterFolder('prod-a')).toBe('prod-a')
    expect(clusterFolder('qa/eu 1')).toMatch(/^qa_eu_1-[0-9a-f]{8}$/)
    expect(clusterFolder('..')).not.toBe(clusterFolder('__'))
  })

  it('reads the posture records back oldest first, and reports (not fails on) a file it cannot read', () => {
    writeFileSync(join(dir, 'prod', 'broken.posture.json'), '{"kind": "something else"}')
    const {postures, problems} = readPostures(dir, {clusters: ['prod']})
    expect(postures.map((p) => p.startedAt)).toEqual([
      healthy.startedAt,
      noFencing.startedAt,
      hbPublic.startedAt,
    ])
    expect(problems).toEqual([
      {
        file: join(dir, 'prod', 'broken.posture.json'),
        message: expect.stringMatching(/not a hacheck posture record/),
      },
    ])
  })

  it('tells when each check last passed and when the last complete audit was', () => {
    const {postures} = readPostures(dir, {clusters: ['prod']})
    const last = lastSuccessByCheck(postures)
    expect(last['fencing.enabled']).toBe(Date.parse(hbPublic.finishedAt) / 1000)
    expect(last['heartbeat.separate-interface']).toBe(Date.parse(noFencing.finishedAt) / 1000)
    expect(lastComplete(postures)).toBe(Date.parse(hbPublic.finishedAt) / 1000)
  })
})

describe('the trend', () => {
  const p = (r: AuditRun): Posture => postureOf(r)

  it('reports a check that started failing as a regression, and one that recovered as an improvement', () => {
    const c = compare(p(healthy), p(noFencing))
    expect(c.regressions).toBe(1)
    expect(c.changes).toEqual([
      expect.objectContaining({
        kind: 'regression',
        check: 'fencing.enabled',
        from: 'pass',
        to: 'fail',
        severity: 'critical',
      }),
    ])
    const back = compare(p(noFencing), p(hbPublic))
    expect(back.changes[0]).toMatchObject({kind: 'regression', check: 'heartbeat.separate-interface'})
    expect(back.changes[back.changes.length - 1]).toMatchObject({
      kind: 'improvement',
      check: 'fencing.enabled',
      from: 'fail',
      to: 'pass',
    })
  })

  it('says when a failing check is new or gone (a checklist change), and ignores a new passing one', () => {
    const before = p(healthy)
    const after = p(noFencing)
    const trimmed: Posture = {...before, results: before.results.filter((r) => r.id !== 'fencing.enabled')}
    expect(compare(trimmed, after).changes).toEqual([
      expect.objectContaining({kind: 'new', check: 'fencing.enabled', from: null, to: 'fail'}),
    ])
    expect(
      compare(after, {...after, results: after.results.filter((r) => r.id !== 'fencing.enabled')}).changes,
    ).toEqual([expect.objectContaining({kind: 'gone', check: 'fencing.enabled', from: 'fail', to: null})])
    expect(compare(trimmed, before).changes).toEqual([])
  })

  it('compares with the previous audit and with the posture as it stood at a date, clusters with regressions first', () => {
    const quiet = {...p(healthy), cluster: 'quiet'}
    const t = trendReport(
      [p(hbPublic), p(healthy), p(noFencing), quiet, {...quiet, startedAt: '2026-12-03T00:00:00.000Z'}],
      {
        since: '2026-12-01T12:00:00.000Z',
        now: new Date('2026-12-04T00:00:00Z'),
      },
    )
    expect(t.clusters.map((c) => c.cluster)).toEqual(['prod', 'quiet'])
    const prod = t.clusters[0]!
    expect(prod.runs).toBe(3)
    expect(prod.sinceLast?.from).toBe(noFencing.startedAt)
    expect(prod.sinceDate?.from).toBe(healthy.startedAt)
    expect(prod.sinceDate?.changes.map((c) => `${c.kind} ${c.check}`)).toEqual(
      expect.arrayContaining(['regression heartbeat.separate-interface']),
    )
    expect(prod.sinceDate?.changes.some((c) => c.check === 'fencing.enabled')).toBe(false)
    expect(prod.series.map((s) => s.fail)).toEqual([0, 1, 3])
    expect(t.regressions).toBe(prod.sinceDate?.regressions)
  })

  it('compares with the first audit after the date when none is older, and says so', () => {
    const t = trendReport([p(healthy), p(noFencing)], {since: '2026-01-01T00:00:00.000Z', now: new Date()})
    expect(t.clusters[0]?.sinceDate?.from).toBe(healthy.startedAt)
    expect(t.clusters[0]?.sinceDate?.note).toMatch(/no audit on record before/)
  })

  it('renders in console, Markdown and HTML with a chart, regressions first and hostile text escaped', () => {
    const evil = p(noFencing)
    evil.results = evil.results.map((r) =>
      r.id === 'fencing.enabled' ? {...r, message: '<script>alert(1)</script>\u001b[31m | pipe'} : r,
    )
    const t = trendReport([p(healthy), evil], {now: new Date('2026-12-04T00:00:00Z')})
    const con = renderTrendConsole(t)
    expect(con).toContain('REGRESSION fencing.enabled [critical]: pass → fail')
    expect(con).not.toContain('\u001b')
    const md = renderTrendMarkdown(t)
    expect(md).toContain('| regression | `fencing.enabled` | — | critical | pass | fail |')
    expect(md).toContain('\\| pipe')
    const html = renderTrendHtml(t)
    expect(html).toContain('<svg')
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
    expect(trendChart([])).toContain('</svg>')
  })

  it('renders no raw control, XML-invalid or bidi character from a saved run, in any string of it', () => {
    const hostile = '\u0000\u001b[2J\ufffe\u202e\r\u0085'
    const evil = p(noFencing)
    evil.cluster = `prod${hostile}`
    evil.results = evil.results.map((r) => ({
      ...r,
      id: `${r.id}${hostile}`,
      message: `${r.message}${hostile}`,
      title: `${r.title}${hostile}`,
    }))
    const before = {...p(healthy), cluster: evil.cluster}
    const t = trendReport([before, evil], {now: new Date('2026-12-04T00:00:00Z')})
    const outputs: [string, string][] = [
      ['console', renderTrendConsole(t)],
      ['markdown', renderTrendMarkdown(t)],
      ['html', renderTrendHtml(t)],
    ]
    for (const [name, text] of outputs) {
      expect(text, name).toContain('␛[2J')
      for (const ch of ['\u0000', '\u001b', '\ufffe', '\u202e', '\u0085'])
        expect(text.includes(ch), `${name}: raw U+${ch.charCodeAt(0).toString(16)}`).toBe(false)
    }
  })
})

describe('report trend --since', () => {
  const now = new Date('2026-12-07T12:00:00Z')
  it('takes a date, a time or a duration back from now', () => {
    expect(sinceToIso('2026-12-01', now)).toBe('2026-12-01T00:00:00.000Z')
    expect(sinceToIso('2026-12-01T06:00:00Z', now)).toBe('2026-12-01T06:00:00.000Z')
    expect(sinceToIso('7d', now)).toBe('2026-11-30T12:00:00.000Z')
    expect(sinceToIso('48h', now)).toBe('2026-12-05T12:00:00.000Z')
  })
  it('refuses anything else with the forms it takes', () => {
    expect(() => sinceToIso('last tuesday', now)).toThrow(
      /expected a date \(2026-12-01\), a time .* or a duration back from now/,
    )
  })
})

describe('hacheck report trend (the built CLI)', () => {
  const trend = (...args: string[]): {code: number | null; stdout: string; stderr: string} => {
    const r = spawnSync(
      'node',
      [join(repoRoot, 'bin/run.js'), 'report', 'trend', '--log-file', 'none', ...args],
      {
        encoding: 'utf8',
        env: {...process.env, HACHECK_HISTORY: ''},
      },
    )
    return {code: r.status, stdout: r.stdout, stderr: r.stderr}
  }

  it('exits 1 on a regression since the previous audit, and writes HTML to a file', () => {
    const h = mkdtempSync(join(tmpdir(), 'hacheck-trend-cli-'))
    saveAudit(healthy, h)
    saveAudit(noFencing, h)
    const r = trend('--history', h)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('REGRESSION fencing.enabled [critical]: pass → fail')
    const html = join(h, 'trend.html')
    expect(trend('--history', h, '--since', '2026-12-01', '-o', html).code).toBe(1)
    expect(readFileSync(html, 'utf8')).toContain('<svg')
    rmSync(h, {recursive: true, force: true})
  })

  it('exits 0 when nothing regressed, and 2 with what to do when there is no history', () => {
    const h = mkdtempSync(join(tmpdir(), 'hacheck-trend-cli-'))
    saveAudit(noFencing, h)
    saveAudit({...healthy, startedAt: '2026-12-09T02:30:00.000Z', finishedAt: '2026-12-09T02:30:01.000Z'}, h)
    expect(trend('--history', h).code).toBe(0)
    const none = trend('--history', join(h, 'nothing'))
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: .*nothing: no audit history\nhint: Save audits with: hacheck audit/)
    rmSync(h, {recursive: true, force: true})
  })

  it('still prints the audit report when the history cannot be written, then exits 3 saying why', () => {
    const r = spawnSync(
      'node',
      [
        join(repoRoot, 'bin/run.js'),
        'audit',
        '--from',
        join(repoRoot, 'examples/lab-healthy'),
        '--history',
        '/dev/null/history',
        '-q',
        '--log-file',
        'none',
        '--no-color',
      ],
      {encoding: 'utf8', env: {...process.env, HACHECK_HISTORY: ''}},
    )
    expect(r.stdout).toMatch(/^(PASSED|FAILED) +\d+ pass/m)
    expect(r.stderr).toMatch(
      /^error: cannot save the run to the history \/dev\/null\/history: .*not a directory/,
    )
    expect(r.status).toBe(3)
  })
})
