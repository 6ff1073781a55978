/**
 * JUnit XML, built with an XML library (never string concatenation) from a
 * small model shared by audit and chaos. fail → <failure>, error → <error>,
 * skip, warn and waived → <skipped> (a warning or an accepted deviation must
 * not fail a pipeline, but must be visible: a waived case's message starts
 * with the waiver and its reason). Times are seconds with a '.' decimal point.
 */
import {createRequire} from 'node:module'

import type * as Xmlbuilder2 from 'xmlbuilder2'

import type {AuditRun, CheckResult} from '../core/results.js'
import {visibleText} from '../core/sanitize.js'
import {evidenceLine, groupByRef, waiverLine} from './common.js'

export interface JUnitCase {
  name: string
  classname: string
  timeMs: number
  outcome: 'pass' | 'failure' | 'error' | 'skipped'
  message?: string
  /** Body of the failure/error/skipped element. */
  detail?: string
  systemOut?: string
}

export interface JUnitSuite {
  name: string
  timestamp: string
  timeMs: number
  properties?: Record<string, string>
  cases: JUnitCase[]
  systemOut?: string
}

export interface JUnitModel {
  name: string
  suites: JUnitSuite[]
}

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3)

// XML 1.0 cannot carry most control characters (even escaped), U+FFFE/U+FFFF or lone surrogates:
// the sanitising boundary shows them as visible symbols (ESC as ␛, so an ANSI sequence stays readable).
const clean = visibleText

// Loaded on first use: importing xmlbuilder2 costs more than a whole console audit of a few nodes.
let xmlbuilder2: typeof Xmlbuilder2 | undefined
const lib = (): typeof Xmlbuilder2 =>
  (xmlbuilder2 ??= createRequire(import.meta.url)('xmlbuilder2') as typeof Xmlbuilder2)

export function renderJUnit(model: JUnitModel): string {
  const {create} = lib()
  const count = (cases: JUnitCase[], o: JUnitCase['outcome']): number =>
    cases.filter((c) => c.outcome === o).length
  const all = model.suites.flatMap((s) => s.cases)
  const root = create({version: '1.0', encoding: 'UTF-8'}).ele('testsuites', {
    name: clean(model.name),
    tests: String(all.length),
    failures: String(count(all, 'failure')),
    errors: String(count(all, 'error')),
    time: secs(model.suites.reduce((a, s) => a + s.timeMs, 0)),
  })
  for (const s of model.suites) {
    const suite = root.ele('testsuite', {
      name: clean(s.name),
      tests: String(s.cases.length),
      failures: String(count(s.cases, 'failure')),
      errors: String(count(s.cases, 'error')),
      skipped: String(count(s.cases, 'skipped')),
      time: secs(s.timeMs),
      timestamp: s.timestamp,
    })
    if (s.properties && Object.keys(s.properties).length) {
      const props = suite.ele('properties')
      for (const [name, value] of Object.entries(s.properties))
        props.ele('property', {name: clean(name), value: clean(value)})
    }
    for (const c of s.cases) {
      const tc = suite.ele('testcase', {
        name: clean(c.name),
        classname: clean(c.classname),
        time: secs(c.timeMs),
      })
      if (c.outcome !== 'pass') {
        const el = tc.ele(c.outcome, {message: clean(c.message ?? ''), type: c.outcome})
        if (c.detail) el.txt(clean(c.detail))
      }
      if (c.systemOut) tc.ele('system-out').txt(clean(c.systemOut))
    }
    if (s.systemOut) suite.ele('system-out').txt(clean(s.systemOut))
  }
  return root.end({prettyPrint: true}) + '\n'
}

function caseOf(r: CheckResult, cluster: string): JUnitCase {
  const outcome: JUnitCase['outcome'] =
    r.status === 'fail'
      ? 'failure'
      : r.status === 'error'
        ? 'error'
        : r.status === 'pass'
          ? 'pass'
          : 'skipped'
  const evidence = r.evidence.map((e) => `evidence: ${evidenceLine(e)}`).join('\n')
  const waiver = waiverLine(r)
  const message =
    r.status === 'waived'
      ? `${waiver ?? 'waived'} — ${r.message}`
      : r.status === 'warn'
        ? `warning: ${r.message}`
        : r.message
  return {
    name: r.node ? `${r.id} [${r.node}]` : r.id,
    classname: `hacheck.${r.checklistRef}.${r.node ?? cluster}`,
    timeMs: r.durationMs,
    outcome,
    message,
    detail:
      outcome === 'pass'
        ? undefined
        : [message, r.status !== 'waived' ? (waiver ?? '') : '', evidence, r.remediation ?? '']
            .filter(Boolean)
            .join('\n\n'),
    systemOut: [`${r.status.toUpperCase()}: ${r.message}`, evidence].filter(Boolean).join('\n'),
  }
}

export function auditToJUnit(run: AuditRun, itemTitles: Record<string, string> = {}): JUnitModel {
  return {
    name: `hacheck audit ${run.cluster.name}`,
    suites: groupByRef(run.results, itemTitles).map((g) => ({
      name: `${g.ref} ${g.title}`,
      timestamp: run.startedAt.replace(/\.\d+Z$/, ''),
      timeMs: g.results.reduce((a, r) => a + r.durationMs, 0),
      properties: {
        cluster: run.cluster.name,
        stack: run.cluster.stack,
        checklist: `${run.checklist.id}@${run.checklist.version}`,
        checklistRef: g.ref,
      },
      cases: g.results.map((r) => caseOf(r, run.cluster.name)),
    })),
  }
}

export function renderAuditJUnit(run: AuditRun, itemTitles: Record<string, string> = {}): string {
  return renderJUnit(auditToJUnit(run, itemTitles))
}
