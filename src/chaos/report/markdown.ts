/**
 * A chaos run as Markdown, for post-mortems and change reviews: verdict,
 * split brain, phases (after the injection and in UTC), metrics,
 * expectations, the configuration in force and the cluster's own log lines
 * around each phase. Text from nodes is escaped (no HTML, no broken tables or
 * code blocks). Pure.
 */
import {formatDuration} from '../../core/duration.js'
import {mdCode, mdText, safeText} from '../../reporters/common.js'
import type {ChaosResult} from '../measure/result.js'
import {abortLine, configRows, metricRows, splitBrainLines} from './sections.js'

const LABEL = {pass: 'PASSED', fail: 'FAILED', error: 'ERROR', aborted: 'ABORTED'} as const
const ICON = {pass: '✅', fail: '❌', error: '⛔'} as const

const cell = (s: string): string => mdText(s, 400).replace(/\|/g, '\\|')
function fenced(lines: readonly string[]): string[] {
  const longest = Math.max(
    2,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))),
  )
  const fence = '`'.repeat(longest + 1)
  return [fence, ...lines, fence]
}

/** A two-or-more column table: heading row, then rows (cells escaped). */
function table(out: string[], head: string[], rows: readonly string[][]): void {
  out.push('', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`)
  for (const r of rows) out.push(`| ${r.join(' | ')} |`)
}

function experiment(r: ChaosResult, out: string[]): void {
  const at = (ms: number): string =>
    r.injectedAt === null ? '' : `${new Date(r.injectedAt + ms).toISOString().slice(11, 23)}Z`
  out.push(`## ${LABEL[r.status]} · ${mdText(r.name ?? r.fault)} on ${mdText(r.target.join(', '))}`)
  out.push('', mdText(r.summary), '')
  const aborted = abortLine(r)
  if (aborted) out.push(`> **${mdText(aborted)}**`, '')
  out.push(`- Run ${mdCode(r.runId)}, cluster ${mdCode(r.cluster)}, fault ${mdCode(r.fault)}`)
  out.push(
    `- Started ${r.startedAt} (UTC)${r.injectedAt !== null ? `, injected ${new Date(r.injectedAt).toISOString()}` : ''}; took ${formatDuration(r.durationMs)}`,
  )
  if (r.workload) out.push(`- Workload: ${mdText(r.workload)}`)
  const split = splitBrainLines(r)
  if (split.length) out.push('', ...split.map((l) => `> **${mdText(l)}**`))
  out.push('', '### Metrics')
  table(
    out,
    ['metric', 'value'],
    metricRows(r).map(([k, v]) => [cell(k), cell(v)]),
  )
  if (r.phases.length) {
    out.push('', '### Phases')
    table(
      out,
      ['after injection', 'UTC', 'phase', 'where', 'source'],
      r.phases.map((p) => [
        `+${(p.atMs / 1000).toFixed(3)}s`,
        at(p.atMs),
        cell(p.name),
        cell([p.node, p.resource].filter(Boolean).join(' ')),
        cell(p.source ?? ''),
      ]),
    )
  }
  if (r.expectations.length) {
    out.push('', '### Expectations')
    table(
      out,
      ['', 'expectation', 'observed', 'message'],
      r.expectations.map((e) => [
        `${ICON[e.status]} ${e.status.toUpperCase()}`,
        cell(e.text),
        cell(e.observed),
        cell(e.message),
      ]),
    )
  }
  const config = configRows(r)
  if (config.length) {
    out.push('', '### Configuration in force')
    table(
      out,
      ['setting', 'value'],
      config.map(([k, v]) => [cell(k), cell(v)]),
    )
  }
  logAndRevert(r, out, at)
}

/** The cluster log around each phase, the revert, notes and errors. */
function logAndRevert(r: ChaosResult, out: string[], at: (ms: number) => string): void {
  const excerpts = (r.logExcerpts ?? []).filter((x) => x.lines.length)
  if (excerpts.length) {
    out.push('', '### Cluster log around each phase')
    for (const x of excerpts)
      out.push(
        '',
        `**${mdText(x.phase)}** +${(x.atMs / 1000).toFixed(2)}s`,
        '',
        ...fenced(
          x.lines.map(
            (l) => `${at(l.atMs)} ${safeText(`${l.node} ${l.daemon} ${l.level}: ${l.message}`, 400)}`,
          ),
        ),
      )
  }
  const rv = r.revert
  out.push(
    '',
    `**Revert:** ${!rv.planned ? 'no revert (declared by the fault)' : rv.verified ? `verified${rv.ledgerRemoved ? ', ledger removed' : ''}${rv.deadmanFired ? ', the dead-man fired' : ''}` : 'NOT VERIFIED — run `hacheck chaos revert`'}`,
  )
  if (r.notes.length) out.push('', ...r.notes.map((n) => `- note: ${mdText(n)}`))
  if (r.errors.length) out.push('', ...r.errors.map((e) => `- **error**: ${mdText(e)}`))
}

export function renderChaosMarkdown(results: readonly ChaosResult[], title = 'hacheck chaos report'): string {
  const out: string[] = [`# ${mdText(title)}`, '']
  const statuses = results.map((r) => r.status)
  const worst = (['aborted', 'error', 'fail', 'pass'] as const).find((s) => statuses.includes(s)) ?? 'pass'
  out.push(`**${LABEL[worst]}** — ${results.length} experiment(s); times in UTC.`)
  for (const r of results) {
    out.push('')
    experiment(r, out)
  }
  return out.join('\n') + '\n'
}
