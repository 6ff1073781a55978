/**
 * Rendering a game-day result: console text and JUnit (one suite per experiment, one for steady state,
 * data-tier experiment steps and rollbacks). Pure.
 */
import {sanitizeDeep} from '../../core/sanitize.js'
import {renderJUnit, type JUnitCase} from '../../reporters/junit.js'
import type {GameDayResult} from '../gameday/run.js'
import {chaosToJUnit} from './junit.js'
import {renderDataRun} from './data-run.js'
import {renderResultText} from './text.js'

const LABEL = {pass: 'PASSED', fail: 'FAILED', error: 'ERROR', aborted: 'ABORTED'} as const

export function renderGameDayText(raw: GameDayResult): string {
  const g = sanitizeDeep(raw)
  const lines: string[] = [`hacheck game day: ${g.name} (${g.file})`, '']
  const probes = (title: string, list: GameDayResult['steadyStateBefore']): void => {
    if (!list.length) return
    lines.push(title)
    for (const p of list) lines.push(`  ${p.ok ? 'ok  ' : 'FAIL'} ${p.probe}: ${p.detail}`)
    lines.push('')
  }
  probes('STEADY STATE BEFORE', g.steadyStateBefore)
  for (const e of g.experiments) lines.push(renderResultText(e))
  for (const d of g.dataRuns ?? [])
    lines.push(
      `STEP ${d.step}: experiment ${d.experiment}  ${LABEL[d.status]} (exit ${d.exitCode})`,
      renderDataRun(d.result),
    )
  probes('STEADY STATE AFTER', g.steadyStateAfter)
  if (g.rollbacks.length) {
    lines.push('ROLLBACKS')
    for (const r of g.rollbacks) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} [${r.node}] ${r.run}: ${r.detail}`)
    lines.push('')
  }
  if (g.skipped.length) lines.push(`skipped steps: ${g.skipped.join(', ')}`)
  const steps = [
    ...g.experiments.map((e) => `${e.name ?? e.fault} ${e.status}`),
    ...(g.dataRuns ?? []).map((d) => `${d.step} ${d.status}`),
  ]
  for (const e of g.errors) lines.push(`error: ${e}`)
  lines.push(`GAME DAY  ${LABEL[g.status]}  (${steps.length} experiment(s): ${steps.join(', ') || 'none'})`)
  return lines.join('\n') + '\n'
}

export function renderGameDayJUnit(raw: GameDayResult): string {
  const g = sanitizeDeep(raw)
  const model = chaosToJUnit(g.experiments, `hacheck game day ${g.name}`)
  const cases: JUnitCase[] = [
    ...g.steadyStateBefore.map((p): JUnitCase => ({
      name: `steady state before: ${p.probe}`,
      classname: 'hacheck.gameday.steady-state',
      timeMs: 0,
      outcome: p.ok ? 'pass' : 'failure',
      message: p.detail,
    })),
    ...g.steadyStateAfter.map((p): JUnitCase => ({
      name: `steady state after: ${p.probe}`,
      classname: 'hacheck.gameday.steady-state',
      timeMs: 0,
      outcome: p.ok ? 'pass' : 'failure',
      message: p.detail,
    })),
    ...g.rollbacks.map((r): JUnitCase => ({
      name: `rollback [${r.node}]: ${r.run}`,
      classname: 'hacheck.gameday.rollback',
      timeMs: 0,
      outcome: r.ok ? 'pass' : 'error',
      message: r.detail,
    })),
    ...(g.dataRuns ?? []).map((d): JUnitCase => {
      const a = d.result.accounting
      return {
        name: `step ${d.step}: experiment ${d.experiment}`,
        classname: 'hacheck.gameday.experiment',
        timeMs: (d.result.revertedAt ?? 0) - (d.result.injectedAt ?? d.result.revertedAt ?? 0),
        outcome: d.status === 'pass' ? 'pass' : d.status === 'fail' ? 'failure' : 'error',
        message: [
          d.result.summary,
          a
            ? `${a.acked} acknowledged, ${a.lost.length} lost, ${a.minorityAccepted.length} accepted by the minority`
            : 'no write accounting',
          ...d.result.errors,
        ].join('; '),
      }
    }),
    ...g.skipped.map((s): JUnitCase => ({
      name: `step ${s}`,
      classname: 'hacheck.gameday.step',
      timeMs: 0,
      outcome: 'skipped',
      message: 'not run',
    })),
    ...g.errors.map((e, i): JUnitCase => ({
      name: `game day error ${i + 1}`,
      classname: 'hacheck.gameday',
      timeMs: 0,
      outcome: 'error',
      message: e,
    })),
  ]
  model.suites.push({
    name: `${g.name}: steady state and rollbacks`,
    timestamp: g.startedAt.replace(/\.\d+Z$/, ''),
    timeMs: Date.parse(g.finishedAt) - Date.parse(g.startedAt),
    properties: {gameday: g.name, file: g.file, status: g.status},
    cases,
  })
  return renderJUnit(model)
}
