/**
 * The console report: what needs attention first (failures and errors, then
 * warnings, then waived results, each with its id, a one-line remediation and
 * its evidence), then the rest by area in one line per check, then the verdict
 * with counts and the ids behind them. Every line is wrapped to the terminal
 * width; text from nodes is shown with its control characters made visible.
 */
import {Chalk, type ChalkInstance} from 'chalk'

import {formatDuration} from '../core/duration.js'
import {exitCodeFor, type AuditRun, type CheckResult, type Status} from '../core/results.js'
import {
  BY_AREA,
  counts,
  countsLine,
  criticalNodes,
  evidenceLine,
  groupResults,
  namesOf,
  oneLineRemediation,
  safeText,
  STATUS_LABEL,
  verdict,
  viewOf,
  waiverLine,
  type Grouping,
} from './common.js'
import {wrap} from './wrap.js'
import {spofSentence} from '../audit/tiers.js'

export interface ConsoleOptions {
  color: boolean
  /** Show passing and skipped results too (default true). */
  showPasses?: boolean
  /** Kept for the registry's signature; the console groups by `grouping`. */
  itemTitles?: Record<string, string>
  /** Terminal width to wrap to (default 100; at least 60). */
  width?: number
  grouping?: Grouping
  /** Evidence lines shown per finding (default 3; the rest is counted). */
  maxEvidence?: number
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
    case 'waived':
      return c.blue
  }
}

const LABEL_W = 7
const INDENT = 2 + LABEL_W

/** The layers of the deployment and which one is the single point of failure (runs of hacheck >= 0.3). */
function tiersBlock(
  run: AuditRun,
  c: ChalkInstance,
  push: (text: string, first: string, rest: string, style?: (t: string) => string) => void,
): void {
  if (!run.tiers?.length) return
  const spof = run.tiers.some((t) => t.spof)
  push(`tiers: ${safeText(spofSentence(run.tiers), 500)}`, '', '  ', spof ? c.red.bold : c.green)
  for (const t of run.tiers) {
    const n = t.counts
    const nodes = t.nodes.length ? ` · ${t.nodes.join(', ')}` : ''
    push(
      `${STATUS_LABEL[t.status].padEnd(5)} ${t.title}: ${n.pass} pass, ${n.fail} fail, ${n.warn} warn, ${n.error} error${nodes}${t.spof ? '  SPOF' : ''}`,
      '  ',
      '    ',
      t.spof ? c.red : paint(c, t.status),
    )
  }
}

/** The console report (pure). */
export function renderAuditConsole(run: AuditRun, opts: ConsoleOptions): string {
  const c = new Chalk({level: opts.color ? 1 : 0})
  const width = Math.max(60, opts.width ?? 100)
  const out: string[] = []
  const push = (text: string, first: string, rest: string, style?: (t: string) => string): void => {
    for (const l of wrap(text, width, first.length, rest.length).map((l, i) => (i === 0 ? first : rest) + l))
      out.push(style ? style(l) : l)
  }
  const src =
    run.source.mode === 'capture' ? `capture ${run.source.capture ?? ''}` : `${run.nodes.length} nodes`
  push(
    `hacheck audit · cluster ${run.cluster.name} (${run.cluster.stack}) · ${run.checklist.id} v${run.checklist.version} · ${src} · ${formatDuration(run.durationMs)}`,
    '',
    '  ',
    c.bold,
  )
  const view = viewOf(run)
  if (view) {
    // The cluster view first: a dark node or a split must be the first thing read, not buried in evidence.
    out.push('')
    push(safeText(view.headline, 300), '', '  ', view.degraded ? c.red.bold : c.green)
    // The headline names the first notices; the other serious ones follow.
    for (const n of view.notices.filter((x) => x.severity !== 'info' && !view.headline.includes(x.message))) {
      const style = n.severity === 'critical' ? c.red : c.yellow
      push(safeText(n.message, 500), `  ${n.severity === 'critical' ? '!' : '~'} `, '    ', style)
    }
  }
  tiersBlock(run, c, push)
  const maxEv = opts.maxEvidence ?? 3
  const fixed = new Set<string>()
  const finding = (r: CheckResult): void => {
    const label = STATUS_LABEL[r.status].padEnd(LABEL_W - 1)
    const head = `${r.id}${r.node ? ` [${safeText(r.node, 80)}]` : ''} — ${safeText(r.message, 400)}`
    const lines = wrap(head, width, INDENT, INDENT + 2)
    out.push(`  ${paint(c, r.status)(label)} ${lines[0] ?? ''}`)
    for (const l of lines.slice(1)) out.push(' '.repeat(INDENT + 2) + l)
    const sub = ' '.repeat(INDENT)
    const w = waiverLine(r)
    if (w) push(safeText(w, 400), `${sub}`, `${sub}  `, c.blue)
    const fix = oneLineRemediation(r.remediation)
    if (fix && r.status !== 'waived' && !fixed.has(r.id)) push(`fix: ${fix}`, sub, `${sub}     `)
    fixed.add(r.id)
    for (const e of r.evidence.slice(0, maxEv))
      push(`evidence: ${safeText(evidenceLine(e), 300)}`, sub, `${sub}          `, c.gray)
    if (r.evidence.length > maxEv)
      push(
        `… ${r.evidence.length - maxEv} more evidence line(s) in --format markdown or html`,
        sub,
        sub,
        c.gray,
      )
  }
  const section = (title: string, status: Status[]): void => {
    const rs = run.results.filter((r) => status.includes(r.status))
    if (!rs.length) return
    out.push('')
    out.push(c.bold(`${title} (${rs.length})`))
    for (const s of status) for (const r of rs.filter((x) => x.status === s)) finding(r)
  }
  section('FAILURES AND ERRORS', ['fail', 'error'])
  section('WARNINGS', ['warn'])
  section('WAIVED', ['waived'])
  if (opts.showPasses !== false) rest(run, opts.grouping ?? BY_AREA, c, width, out)
  summary(run, c, width, out)
  return out.join('\n') + '\n'
}

/** Passed and skipped results by group, one line per check (nodes folded). */
function rest(run: AuditRun, grouping: Grouping, c: ChalkInstance, width: number, out: string[]): void {
  const quiet = run.results.filter((r) => r.status === 'pass' || r.status === 'skip')
  if (!quiet.length) return
  out.push('')
  out.push(c.bold(`PASSED AND SKIPPED, BY ${grouping.name.toUpperCase()}`))
  for (const g of groupResults(quiet, grouping)) {
    out.push(`  ${c.bold(g.title)}`)
    const byId = new Map<string, CheckResult[]>()
    for (const r of g.results) {
      const key = `${r.status} ${r.id}`
      const same = byId.get(key)
      if (same) same.push(r)
      else byId.set(key, [r])
    }
    for (const rs of byId.values()) {
      const r = rs[0] as CheckResult
      const nodes = rs.flatMap((x) => (x.node ? [safeText(x.node, 80)] : []))
      const msg =
        rs.length === 1 ? safeText(r.message, 300) : `${nodes.join(', ')}: ${safeText(r.message, 200)}`
      const text = `${r.id}${rs.length === 1 && r.node ? ` [${safeText(r.node, 80)}]` : ''} — ${msg}`
      const lines = wrap(text, width, INDENT + 2, INDENT + 4)
      out.push(`    ${paint(c, r.status)(STATUS_LABEL[r.status].padEnd(LABEL_W - 1))} ${lines[0] ?? ''}`)
      for (const l of lines.slice(1)) out.push(' '.repeat(INDENT + 4) + c.gray(l))
    }
  }
}

function summary(run: AuditRun, c: ChalkInstance, width: number, out: string[]): void {
  const s = counts(run.summary)
  const v = verdict(s)
  const vc = v === 'PASSED' ? c.green.bold : v === 'FAILED' ? c.red.bold : c.magenta.bold
  out.push('')
  const view = viewOf(run)
  out.push(
    `${vc(v)}  ${countsLine(s)}` +
      c.gray(` (exit ${exitCodeFor(run.results)})`) +
      (view?.degraded ? c.red.bold(`  · cluster DEGRADED: ${criticalNodes(view) || 'see above'}`) : ''),
  )
  const rows: [string, Status][] = [
    ['failed', 'fail'],
    ['errors', 'error'],
    ['warnings', 'warn'],
    ['waived', 'waived'],
  ]
  for (const [label, status] of rows) {
    const names = namesOf(run.results, status)
    if (!names.length) continue
    const first = `  ${label}:`.padEnd(12)
    for (const [i, l] of wrap(safeText(names.join(', '), 2000), width, 12, 12).entries())
      out.push((i === 0 ? first : ' '.repeat(12)) + paint(c, status)(l))
  }
  if (s.fail + s.error + s.warn > 0) out.push(c.gray('  why and how to fix one: hacheck checks explain ID'))
}
