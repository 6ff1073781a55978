import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {XMLParser} from 'fast-xml-parser'
import {afterAll, describe, expect, it} from 'vitest'

import linkPull from '../../../src/chaos/faults/link-pull.js'
import {historyEntry, listRuns, loadRun, readChaosHistory, saveRun} from '../../../src/chaos/history.js'
import {renderChaosHtml} from '../../../src/chaos/report/html.js'
import {renderChaosJUnit} from '../../../src/chaos/report/junit.js'
import {renderResultText} from '../../../src/chaos/report/text.js'
import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import {buildResult} from '../../../src/chaos/measure/build.js'
import type {ClusterEvent, ProbeEvent, TimelineEvent} from '../../../src/chaos/timeline.js'
import {sharedSchemasDir} from '../../support/paths.js'
import {CHROMIUM, pixelStats, screenshot} from '../../support/screenshot.js'
import {linkPullResult, planInput, planOf, RUN_ID} from './fixtures.js'

const T0 = Date.parse('2026-11-26T10:11:12Z')

function timeline(): TimelineEvent[] {
  const tl: TimelineEvent[] = []
  for (let t = -3000; t <= 40_000; t += 50) {
    const ok = !(t >= 7600 && t < 12_900)
    const p: ProbeEvent = {kind: 'probe', t: T0 + t, probe: 'http', ok, latencyMs: ok ? 2 + (t % 7) : 800}
    if (!ok) p.error = 'timeout'
    tl.push(p)
  }
  tl.push({kind: 'fault', t: T0, fault: 'link-pull', phase: 'injected', target: ['n1']})
  tl.push({kind: 'fault', t: T0 + 30_100, fault: 'link-pull', phase: 'reverted', target: ['n1']})
  tl.push({kind: 'fault', t: T0 + 30_400, fault: 'link-pull', phase: 'revert-verified', target: ['n1']})
  const c = (
    t: number,
    phase: ClusterEvent['phase'],
    node?: string,
    source = 'pacemaker-log',
    resource?: string,
  ): ClusterEvent => ({
    kind: 'cluster',
    t: T0 + t,
    phase,
    source,
    ...(source === 'pacemaker-log' ? {detail: `n2 pacemaker-controld: ${phase} ${node ?? ''}`} : {}),
    ...(node ? {node} : {}),
    ...(resource ? {resource} : {}),
  })
  tl.push(
    c(7430, 'node-lost', 'n1'),
    c(7510, 'fence-requested', 'n1'),
    c(12_330, 'fence-confirmed', 'n1'),
    c(12_600, 'resource-started', 'n2', 'pacemaker-log', 'p-vip'),
    c(21_800, 'node-rejoined', 'n1'),
    // What the observer on n2 saw (later than the log: polled and streamed).
    c(7460, 'node-lost', 'n1', 'corosync@n2'),
    c(7700, 'node-unclean', 'n1', 'crm_mon@n2'),
    c(7800, 'fence-requested', 'n1', 'crm_mon@n2'),
    c(12_500, 'fence-confirmed', 'n1', 'crm_mon@n2'),
    c(12_700, 'resource-started', 'n2', 'crm_mon@n2', 'p-vip'),
    c(12_750, 'resource-started', 'n2', 'crm_mon@n2', 'p-web'),
    c(21_900, 'node-rejoined', 'n1', 'corosync@n2'),
  )
  for (let t = -3000; t < 40_000; t += 500)
    tl.push({
      kind: 'cluster',
      t: T0 + t,
      phase: 'vip-holders',
      source: 'ip-addr',
      holders: t < 7600 ? ['n1'] : t < 12_600 ? [] : ['n2'],
    })
  return tl.sort((a, b) => a.t - b.t)
}

function result(): {result: ChaosResult; timeline: TimelineEvent[]} {
  const r = planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'})
  if (!r.ok) throw new Error(r.reason)
  const tl = timeline()
  const res = linkPullResult(
    tl,
    T0,
    {workload: {kind: 'http', url: 'http://198.18.2.100/', ratePerS: 20, timeoutMs: 800}},
    {startedAt: new Date(T0 - 5000)},
  )
  return {result: res, timeline: tl}
}

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-report-'))
  dirs.push(d)
  return d
}

describe('the JSON result', () => {
  it('keeps the documented contract first: status, fault, target, metrics, phases, expectations', () => {
    const {result: r} = result()
    expect(Object.keys(r).slice(0, 6)).toEqual([
      'status',
      'fault',
      'target',
      'metrics',
      'phases',
      'expectations',
    ])
    expect(r.status).toBe('pass')
    expect(r.metrics.clientOutageMs).toBe(5350)
    expect(r.phases.map((p) => [p.name, p.atMs])).toEqual([
      ['fault-injected', 0],
      ['node-lost', 7430],
      ['fence-requested', 7510],
      ['node-unclean', 7700],
      ['fence-confirmed', 12_330],
      ['resource-started', 12_600],
      ['client-recovered', 12_900],
      ['node-rejoined', 21_800],
      ['fault-reverted', 30_100],
    ])
    expect(r.expectations.map((e) => [e.text, e.status])).toEqual([
      ['fenced: n1', 'pass'],
      ['no-split-brain', 'pass'],
      ['recovered', 'pass'],
      ['rto <= 30000ms', 'pass'],
    ])
  })

  it('an unverified revert makes the run an error whatever the expectations say', () => {
    const r = planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'})
    if (!r.ok) throw new Error(r.reason)
    const res = buildResult(
      {
        runId: RUN_ID,
        inventory: planInput().inventory,
        plan: r.plan,
        observe: true,
      },
      {
        timeline: timeline(),
        startedAt: new Date(),
        injectedAt: T0,
        errors: [],
        notes: [],
        aborted: false,
        revert: {planned: true, done: true, verified: false, deadmanFired: false, ledgerRemoved: false},
        offsets: new Map(),
      },
    )
    expect(res.status).toBe('error')
  })
})

describe('run history', () => {
  it('saves run.json and timeline.jsonl, and readChaosHistory returns ChaosHistoryEntry rows', () => {
    const base = tmp()
    const {result: r, timeline: tl} = result()
    const dir = saveRun(r, tl, base)
    expect(existsSync(join(dir, 'run.json'))).toBe(true)
    expect(loadRun(RUN_ID, base).timeline).toHaveLength(tl.length)
    expect(listRuns(base)).toHaveLength(1)
    expect(readChaosHistory(base)).toEqual([
      {
        id: RUN_ID,
        cluster: r.cluster,
        fault: 'link-pull',
        target: ['n1'],
        startedAt: r.startedAt,
        status: 'pass',
        objectives: {rtoMs: 30_000, rpoMs: 0},
        expectations: r.expectations.map((e) => ({text: e.text, status: e.status})),
        workload: r.workload,
        clientOutageMs: 5350,
        file: join(dir, 'run.json'),
      },
    ])
    expect(historyEntry(r).id).toBe(RUN_ID)
    expect(readChaosHistory(join(base, 'nothing-here'))).toEqual([])
  })
})

describe('JUnit', () => {
  it('one testsuite per experiment; testcases per expectation, phase and the revert; values in properties', () => {
    const {result: r} = result()
    const xml = renderChaosJUnit([r, {...r, name: 'second'}])
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''}).parse(xml) as {
      testsuites: {
        testsuite: {
          name: string
          testcase: {name: string}[]
          properties: {property: {name: string; value: string}[]}
        }[]
      }
    }
    const suites = doc.testsuites.testsuite
    expect(suites).toHaveLength(2)
    const names = suites[0]?.testcase.map((c) => c.name) ?? []
    expect(names).toContain('expect: fenced: n1')
    expect(names).toContain('phase: node-lost n1')
    expect(names).toContain('revert: the fault is fully removed')
    const props = Object.fromEntries((suites[0]?.properties.property ?? []).map((p) => [p.name, p.value]))
    expect(props).toMatchObject({clientOutageMs: '5350', fault: 'link-pull', 'phase.node-lost.atMs': '7430'})
  })

  it.skipIf(
    spawnSync('xmllint', ['--version']).status !== 0 || !existsSync(join(sharedSchemasDir, 'junit-10.xsd')),
  )('validates against the JUnit XSD', () => {
    const file = join(tmp(), 'chaos.junit.xml')
    writeFileSync(file, renderChaosJUnit([result().result]))
    const r = spawnSync('xmllint', ['--noout', '--schema', join(sharedSchemasDir, 'junit-10.xsd'), file], {
      encoding: 'utf8',
    })
    expect(r.stderr).toMatch(/validates/)
    expect(r.status).toBe(0)
  })
})

describe('console summary', () => {
  it('lists phases, metrics, expectations and the revert', () => {
    const text = renderResultText(result().result)
    expect(text).toMatch(/\+7\.43s\s+10:11:19\.430Z\s+node-lost n1\s+pacemaker-log/)
    expect(text).toMatch(/client outage\s+5\.35s/)
    expect(text).toMatch(/PASS\s+fenced: n1/)
    expect(text).toMatch(/RESULT {2}PASSED {2}\(revert verified, ledger removed\)/)
  })
})

/* ------------------------------------------------------------------ */

describe('HTML report', () => {
  it('is one self-contained file with the timeline as inline SVG', () => {
    const {result: r, timeline: tl} = result()
    const html = renderChaosHtml([{result: r, timeline: tl}])
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|href="http/i)
    expect(html.match(/<svg /g)).toHaveLength(1)
    expect(html).toContain('class="probe-ok"')
    expect(html).toContain('class="probe-fail"')
    expect(html).toContain('class="fault-window"')
    expect((html.match(/class="phase"/g) ?? []).length).toBe(r.phases.length)
    expect(html).toContain('fence-confirmed n1 +12.33s')
    expect(html).toContain(
      '<span class="st st-pass">PASS</span> fenced: n1'.replace('</span> fenced', '</span></td><td>fenced'),
    )
  })

  it('escapes what it shows', () => {
    const {result: r, timeline: tl} = result()
    const html = renderChaosHtml([{result: {...r, summary: '<script>alert(1)</script>'}, timeline: tl}])
    expect(html).not.toContain('<script>alert')
    expect(html).toContain('&lt;script&gt;')
  })

  it.skipIf(!CHROMIUM)(
    'renders in headless Chromium to a screenshot that is not blank',
    () => {
      const dir = tmp()
      const file = join(dir, 'report.html')
      const png = join(dir, 'shot.png')
      const {result: r, timeline: tl} = result()
      writeFileSync(file, renderChaosHtml([{result: r, timeline: tl}]))
      const stderr = screenshot(file, png, dir, 1100, 900)
      expect(existsSync(png), stderr).toBe(true)
      if (process.env.HACHECK_SCREENSHOT_OUT)
        writeFileSync(process.env.HACHECK_SCREENSHOT_OUT, readFileSync(png))
      const img = pixelStats(readFileSync(png), [0x2e9d4f, 0xd33c3c])
      expect(img.width).toBe(1100)
      expect(img.colors).toBeGreaterThan(50)
      expect(img.inked).toBeGreaterThan(0.1)
      expect(img.lumaStdDev).toBeGreaterThan(20)
      // The probe lane really was drawn: green (ok) and red (failed) pixels.
      expect(img.near.get(0x2e9d4f)).toBeGreaterThan(2000)
      expect(img.near.get(0xd33c3c)).toBeGreaterThan(300)
    },
    120_000,
  )
})
