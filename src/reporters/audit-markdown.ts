/**
 * A human report for change reviews and post-mortems: the cluster view and
 * the verdict with the ids behind it, the findings first (failures, errors,
 * warnings, waived; each with a one-line fix, its evidence with the command
 * that produced it, and the full remediation), then every result by area and
 * the waivers applied. Text from nodes is escaped so it cannot break the
 * document (no raw HTML, no table or code-span breakouts). Pure.
 */
import {spofSentence} from '../audit/tiers.js'
import {formatDuration} from '../core/duration.js'
import {exitCodeFor, type AuditRun, type CheckResult, type Status} from '../core/results.js'
import {
  BY_AREA,
  counts,
  countsLine,
  evidenceLine,
  findings,
  groupResults,
  mdCode,
  mdText,
  namesOf,
  oneLineRemediation,
  shownCommand,
  STATUS_LABEL,
  verdict,
  viewOf,
  waiverLine,
  type Grouping,
} from './common.js'

const cell = (s: string): string => mdText(s, 400).replace(/\|/g, '\\|')

const ICON: Record<Status, string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭️',
  error: '⛔',
  waived: '🏳️',
}

export interface MarkdownOptions {
  grouping?: Grouping
}

function finding(r: CheckResult, out: string[]): void {
  out.push('')
  out.push(
    `### ${ICON[r.status]} ${r.checklistRef} · \`${r.id}\`${r.node ? ` on ${mdText(r.node)}` : ''}: ${mdText(r.title)}`,
  )
  out.push('')
  out.push(mdText(r.message))
  const w = waiverLine(r)
  if (w) {
    out.push('')
    out.push(`> ${mdText(w)}`)
  }
  const fix = oneLineRemediation(r.remediation)
  if (fix && r.status !== 'waived') {
    out.push('')
    out.push(`**Fix:** ${fix}`)
  }
  if (r.evidence.length) {
    out.push('')
    out.push('Evidence:')
    for (const e of r.evidence) {
      const cmd = shownCommand(e)
      out.push(`- ${mdText(evidenceLine(e))}${cmd ? ` — ran ${mdCode(cmd)}` : ''}`)
    }
  }
  if (r.remediation) {
    out.push('')
    // Demote the remediation's own headings below this finding's heading.
    out.push(r.remediation.replace(/^## /gm, '#### '))
  }
}

export function renderAuditMarkdown(
  run: AuditRun,
  _itemTitles: Record<string, string> = {},
  opts: MarkdownOptions = {},
): string {
  const out: string[] = []
  header(run, out)
  const f = findings(run.results)
  if (f.length) {
    out.push('')
    out.push('## Findings')
    for (const r of f) finding(r, out)
  }
  const grouping = opts.grouping ?? BY_AREA
  out.push('')
  out.push(`## Results by ${grouping.name}`)
  for (const g of groupResults(run.results, grouping)) {
    out.push('')
    out.push(`### ${mdText(g.title)}`)
    out.push('')
    out.push('| item | check | node | status | message |')
    out.push('| --- | --- | --- | --- | --- |')
    for (const r of g.results)
      out.push(
        `| ${cell(r.checklistRef)} | \`${r.id}\` | ${r.node ? cell(r.node) : '—'} | ${ICON[r.status]} ${STATUS_LABEL[r.status]} | ${cell(r.message)} |`,
      )
  }
  if (run.waivers) {
    out.push('')
    out.push(`## Waivers (${mdCode(run.waivers.file)})`)
    out.push('')
    out.push('| check | scope | state | expires | owner | results | reason |')
    out.push('| --- | --- | --- | --- | --- | --- | --- |')
    for (const w of run.waivers.entries)
      out.push(
        `| \`${w.check}\` | ${cell([w.cluster ?? 'any cluster', w.nodes ? w.nodes.join(', ') : 'all nodes'].join('; '))} | ${w.state === 'expired' ? '**EXPIRED**' : 'active'} | ${cell(w.expires)} | ${cell(w.owner)} | ${w.matched} | ${cell(w.reason)} |`,
      )
  }
  return out.join('\n') + '\n'
}

/** Title, cluster view, verdict with the ids behind it, and what was audited. */
function header(run: AuditRun, out: string[]): void {
  const s = counts(run.summary)
  out.push(`# hacheck audit — cluster \`${mdText(run.cluster.name)}\``)
  const view = viewOf(run)
  if (view) {
    out.push('')
    out.push(view.degraded ? `> **${mdText(view.headline)}**` : `> ${mdText(view.headline)}`)
    for (const n of view.notices.filter((x) => x.severity !== 'info'))
      out.push(`> - ${n.severity === 'critical' ? '❗' : '⚠️'} ${mdText(n.message)}`)
  }
  if (run.tiers?.length) {
    out.push('')
    out.push(`**Tiers**: ${mdText(spofSentence(run.tiers))}`)
    out.push('')
    out.push('| tier | nodes | status | pass | fail | warn | error | single point of failure |')
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const t of run.tiers)
      out.push(
        `| ${mdText(t.title)} | ${mdText(t.nodes.join(', ')) || '—'} | ${STATUS_LABEL[t.status]} | ${t.counts.pass} | ${t.counts.fail} | ${t.counts.warn} | ${t.counts.error} | ${t.spof ? `**yes**: ${mdText((t.spofWhy ?? []).join('; '))}` : 'no'} |`,
      )
  }
  out.push('')
  out.push(`**${verdict(s)}** (exit ${exitCodeFor(run.results)}): ${countsLine(s)}.`)
  const named: [string, Status][] = [
    ['Failed', 'fail'],
    ['Errors (could not tell)', 'error'],
    ['Warnings', 'warn'],
    ['Waived', 'waived'],
  ]
  const lists = named.filter(([, st]) => namesOf(run.results, st).length)
  if (lists.length) {
    out.push('')
    for (const [label, st] of lists)
      out.push(`- ${label}: ${namesOf(run.results, st).map(mdCode).join(', ')}`)
  }
  out.push('')
  out.push(`- Checklist: \`${run.checklist.id}\` v${run.checklist.version} — ${mdText(run.checklist.title)}`)
  out.push(`- Stack: ${run.cluster.stack}; started ${run.startedAt}; took ${formatDuration(run.durationMs)}`)
  out.push(
    `- Source: ${run.source.mode === 'capture' ? `capture ${mdCode(run.source.capture ?? '')}` : `live, inventory ${mdCode(run.source.inventory ?? '-')}`}`,
  )
  out.push(
    `- Nodes: ${run.nodes.map((n) => `${mdText(n.name)} (${n.roles.join(', ')})${n.reachable ? '' : ' — unreachable'}`).join('; ')}`,
  )
}
