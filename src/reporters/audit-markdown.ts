import {formatDuration} from '../core/duration.js'
import {exitCodeFor, type AuditRun, type Status} from '../core/results.js'
import {evidenceLine, groupByRef, STATUS_LABEL, verdict} from './common.js'

const ICON: Record<Status, string> = {pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '⛔'}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** A human report for change reviews and post-mortems. */
export function renderAuditMarkdown(run: AuditRun, itemTitles: Record<string, string> = {}): string {
  const s = run.summary
  const out: string[] = []
  out.push(`# hacheck audit — cluster \`${run.cluster.name}\``)
  out.push('')
  out.push(
    `**${verdict(s)}** (exit ${exitCodeFor(run.results)}): ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.error} error.`,
  )
  out.push('')
  if (run.view) {
    out.push(`> ${run.view.degraded ? '**' : ''}${cell(run.view.headline)}${run.view.degraded ? '**' : ''}`)
    for (const n of run.view.notices.filter((x) => x.severity !== 'info'))
      out.push(`> - ${n.severity === 'critical' ? '❗' : '⚠️'} ${cell(n.message)}`)
    out.push('')
  }
  out.push(`- Checklist: \`${run.checklist.id}\` v${run.checklist.version} — ${run.checklist.title}`)
  out.push(`- Stack: ${run.cluster.stack}; started ${run.startedAt}; took ${formatDuration(run.durationMs)}`)
  out.push(
    `- Source: ${run.source.mode === 'capture' ? `capture \`${run.source.capture}\`` : `live, inventory \`${run.source.inventory ?? '-'}\``}`,
  )
  out.push(
    `- Nodes: ${run.nodes.map((n) => `${n.name} (${n.roles.join(', ')})${n.reachable ? '' : ' — unreachable'}`).join('; ')}`,
  )
  out.push('')
  out.push('| item | check | node | status | message |')
  out.push('| --- | --- | --- | --- | --- |')
  for (const g of groupByRef(run.results, itemTitles)) {
    for (const r of g.results) {
      out.push(
        `| ${cell(g.ref)} ${cell(g.title)} | \`${r.id}\` | ${r.node ?? '—'} | ${ICON[r.status]} ${STATUS_LABEL[r.status]} | ${cell(r.message)} |`,
      )
    }
  }
  const nonPass = run.results.filter((r) => r.status !== 'pass' && r.status !== 'skip')
  if (nonPass.length) {
    out.push('')
    out.push('## Findings')
    for (const r of nonPass) {
      out.push('')
      out.push(
        `### ${ICON[r.status]} ${r.checklistRef} · \`${r.id}\`${r.node ? ` on ${r.node}` : ''}: ${r.title}`,
      )
      out.push('')
      out.push(r.message)
      if (r.evidence.length) {
        out.push('')
        out.push('Evidence:')
        for (const e of r.evidence)
          out.push(`- ${evidenceLine(e)}${e.command ? ` (\`${e.command.split('\n')[0]}\`)` : ''}`)
      }
      if (r.remediation) {
        out.push('')
        // Demote the remediation's own headings below this finding's heading.
        out.push(r.remediation.replace(/^## /gm, '#### '))
      }
    }
  }
  return out.join('\n') + '\n'
}
