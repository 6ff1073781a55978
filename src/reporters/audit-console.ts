import {Chalk, type ChalkInstance} from 'chalk'

import {formatDuration} from '../core/duration.js'
import {exitCodeFor, type AuditRun, type Status} from '../core/results.js'
import {evidenceLine, groupByRef, remediationSection, STATUS_LABEL, verdict} from './common.js'

export interface ConsoleOptions {
  color: boolean
  /** Show passing results too (default true). */
  showPasses?: boolean
  itemTitles?: Record<string, string>
}

function paint(c: ChalkInstance, s: Status): (t: string) => string {
  switch (s) {
    case 'pass':
      return c.green
    case 'fail':
      return c.red.bold
    case 'warn':
      return c.yellow
    case 'skip':
      return c.gray
    case 'error':
      return c.magenta.bold
  }
}

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => (l.length ? ' '.repeat(n) + l : l))
    .join('\n')

/** The console report: grouped by checklist item, evidence and remediation for every non-pass. */
export function renderAuditConsole(run: AuditRun, opts: ConsoleOptions): string {
  const c = new Chalk({level: opts.color ? 1 : 0})
  const lines: string[] = []
  const src = run.source.mode === 'capture' ? `capture ${run.source.capture}` : `${run.nodes.length} nodes`
  lines.push(
    c.bold(
      `hacheck audit · cluster ${run.cluster.name} (${run.cluster.stack}) · ${run.checklist.id} v${run.checklist.version}`,
    ) + c.gray(` · ${src} · ${formatDuration(run.durationMs)}`),
  )
  if (run.view) {
    // The cluster view first: a dark node or a split must be the first thing read, not buried in evidence.
    lines.push(run.view.degraded ? c.red.bold(run.view.headline) : c.green(run.view.headline))
    for (const n of run.view.notices.filter((x) => x.severity !== 'info').slice(2))
      lines.push(`  ${n.severity === 'critical' ? c.red('!') : c.yellow('~')} ${n.message}`)
  }
  const idWidth = Math.min(34, Math.max(10, ...run.results.map((r) => r.id.length)))
  for (const g of groupByRef(run.results, opts.itemTitles)) {
    lines.push('')
    lines.push(c.bold(`${g.ref.padStart(2)}  ${g.title}`))
    for (const r of g.results) {
      if (r.status === 'pass' && opts.showPasses === false) continue
      const p = paint(c, r.status)
      const where = r.node ? c.cyan(`[${r.node}] `) : ''
      lines.push(`    ${p(STATUS_LABEL[r.status].padEnd(5))}  ${r.id.padEnd(idWidth)}  ${where}${r.message}`)
      if (r.status !== 'pass' && r.status !== 'skip') {
        for (const e of r.evidence) lines.push(c.gray(`           evidence: ${evidenceLine(e)}`))
        if (r.remediation) {
          lines.push(c.gray('           remediation:'))
          lines.push(c.gray(indent(remediationSection(r.remediation), 13)))
        }
      }
    }
  }
  const s = run.summary
  const v = verdict(s)
  const vc = v === 'PASSED' ? c.green.bold : v === 'FAILED' ? c.red.bold : c.magenta.bold
  lines.push('')
  lines.push(
    `${vc(v)}  ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.error} error` +
      c.gray(` (exit ${exitCodeFor(run.results)})`) +
      (run.view?.degraded
        ? c.red.bold(
            `  · cluster DEGRADED: ${
              run.view.notices
                .filter((n) => n.severity === 'critical')
                .flatMap((n) => n.nodes)
                .filter((x, i, a) => a.indexOf(x) === i)
                .join(', ') || 'see above'
            }`,
          )
        : ''),
  )
  return lines.join('\n') + '\n'
}
