/**
 * Chaos results as JUnit XML, through the shared model in reporters/junit.ts:
 * one <testsuite> per experiment; one <testcase> per expectation, one per
 * observed phase and one for the revert. Measured values go in the suite's
 * <properties> and in <system-out>. Pure.
 */
import {renderJUnit, type JUnitCase, type JUnitModel} from '../../reporters/junit.js'
import type {ChaosResult} from '../measure/result.js'
import {abortLine} from './sections.js'
import {renderResultText} from './text.js'

function props(r: ChaosResult): Record<string, string> {
  const m = r.metrics
  const p: Record<string, string> = {
    runId: r.runId,
    fault: r.fault,
    target: r.target.join(','),
    status: r.status,
    cluster: r.cluster,
    holdMs: String(r.holdMs),
    probes: String(m.probes),
    failedProbes: String(m.failedProbes),
    maxVipHolders: String(m.maxVipHolders),
  }
  if (m.clientOutageMs !== null) p.clientOutageMs = String(Math.round(m.clientOutageMs))
  if (m.recoveryMs !== null) p.recoveryMs = String(Math.round(m.recoveryMs))
  if (m.latency) {
    p.latencyP50Ms = String(m.latency.p50)
    p.latencyP95Ms = String(m.latency.p95)
    p.latencyP99Ms = String(m.latency.p99)
  }
  if (r.floor) {
    p.floorMs = String(Math.round(r.floor.floorMs))
    p.floorVerdict = r.floor.verdict
  }
  if (r.objectives.rtoMs !== undefined) p.objectiveRtoMs = String(r.objectives.rtoMs)
  if (m.writes) {
    const num = (v: number | null | undefined): string =>
      v === null || v === undefined ? 'not measured' : String(v)
    p.ackedWrites = String(m.ackedWrites ?? m.writes.acked)
    p.lostWrites = num(m.lostWrites)
    p.rpoMs = num(m.rpoMs)
    const seq = (v: number | null | undefined): string =>
      typeof m.lostWrites !== 'number' ? 'not measured' : v === null || v === undefined ? 'none' : String(v)
    p.firstLostSeq = seq(m.firstLostSeq)
    p.lastLostSeq = seq(m.lastLostSeq)
    p.splitBrainWrites = num(m.splitBrainWrites)
    p.attemptedWrites = String(m.writes.attempted)
    p.unknownWrites = String(m.writes.unknown)
    if (r.objectives.rpoMs !== undefined) p.objectiveRpoMs = String(r.objectives.rpoMs)
  }
  for (const ph of r.phases) p[`phase.${ph.name}.atMs`] = String(ph.atMs)
  return p
}

export function chaosToJUnit(results: readonly ChaosResult[], name = 'hacheck chaos'): JUnitModel {
  return {
    name,
    suites: results.map((r) => {
      const classname = `hacheck.chaos.${r.fault}.${r.target.join('_') || 'cluster'}`
      const cases: JUnitCase[] = r.expectations.map((e) => ({
        name: `expect: ${e.text}`,
        classname,
        timeMs: 0,
        outcome: e.status === 'pass' ? 'pass' : e.status === 'fail' ? 'failure' : 'error',
        message: e.message,
        detail: e.status === 'pass' ? undefined : `${e.message}\nobserved: ${e.observed}`,
        systemOut: `${e.status.toUpperCase()}: ${e.message}`,
      }))
      for (const ph of r.phases) {
        const who = [ph.node, ph.resource].filter(Boolean).join(' ')
        cases.push({
          name: `phase: ${ph.name}${who ? ` ${who}` : ''}`,
          classname,
          timeMs: Math.max(0, ph.atMs),
          outcome: 'pass',
          systemOut: `${ph.name} at +${(ph.atMs / 1000).toFixed(3)}s after the injection${ph.source ? ` (source: ${ph.source})` : ''}`,
        })
      }
      const aborted = abortLine(r)
      if (aborted)
        cases.push({name: 'run: not aborted', classname, timeMs: 0, outcome: 'error', message: aborted})
      const rv = r.revert
      cases.push({
        name: 'revert: the fault is fully removed',
        classname,
        timeMs: 0,
        outcome: !rv.planned ? 'skipped' : rv.verified && rv.done ? 'pass' : 'error',
        message: !rv.planned
          ? 'this fault has no revert'
          : rv.verified
            ? 'revert verified'
            : 'the revert is not verified: run hacheck chaos revert',
      })
      if (r.errors.length) {
        cases.push({
          name: 'run',
          classname,
          timeMs: r.durationMs,
          outcome: 'error',
          message: r.errors[0],
          detail: r.errors.join('\n'),
        })
      }
      return {
        name: `${r.name ?? r.fault} ${r.target.join(',')}`.trim(),
        timestamp: r.startedAt.replace(/\.\d+Z$/, ''),
        timeMs: r.durationMs,
        properties: props(r),
        cases,
        systemOut: renderResultText(r),
      }
    }),
  }
}

export function renderChaosJUnit(results: readonly ChaosResult[], name?: string): string {
  return renderJUnit(chaosToJUnit(results, name))
}
