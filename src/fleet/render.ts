/**
 * Fleet reports (pure): console and Markdown. One line per cluster (verdict,
 * counts, what fails), then the checks that fail across the fleet with the
 * clusters they fail on — "which clusters fail what". Per-cluster detail is in
 * each cluster's own audit report (`--output-dir`).
 */
import type {Status} from '../core/results.js'
import {plainText} from '../core/text.js'
import type {FleetCheckRow, FleetClusterResult, FleetRun} from './summary.js'

const VERDICT_LABEL: Record<FleetClusterResult['verdict'], string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
  invalid: 'INVALID',
}

function counts(c: FleetClusterResult): string {
  const s = c.run?.summary
  if (!s) return '—'
  return `${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.error} error`
}

function reach(c: FleetClusterResult): string {
  const n = c.run?.nodes
  if (!n) return '—'
  return `${n.filter((x) => x.reachable).length}/${n.length}`
}

/** The checks failing (then in error) on a cluster, at most `max`. */
export function failingChecks(c: FleetClusterResult, max = 4): string {
  if (c.error) return plainText(c.error, 160)
  const by = (s: Status): string[] => [
    ...new Set((c.run?.results ?? []).filter((r) => r.status === s).map((r) => r.id)),
  ]
  const list = [...by('fail'), ...by('error').map((id) => `${id} (error)`)]
  if (!list.length) return ''
  return list.length > max ? `${list.slice(0, max).join(', ')} +${list.length - max} more` : list.join(', ')
}

/** The clusters a check does not pass on: `a, b (error), c (warn)`. */
function whereNotPassing(row: FleetCheckRow): string {
  return Object.entries(row.clusters)
    .map(([name, s]) => (s === 'fail' ? name : `${name} (${s})`))
    .join(', ')
}

function headline(f: FleetRun): string {
  const s = f.summary
  return `${s.clusters} clusters: ${s.passed} passed, ${s.failed} failed, ${s.incomplete} incomplete, ${s.invalid} invalid (exit ${s.exitCode})`
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

export function renderFleetConsole(f: FleetRun, opts: {color: boolean}): string {
  const paint = (v: FleetClusterResult['verdict'], t: string): string => {
    if (!opts.color) return t
    const code = v === 'passed' ? 32 : v === 'failed' ? 31 : 33
    return `\u001b[${code}m${t}\u001b[0m`
  }
  const out: string[] = []
  out.push(`hacheck audit — fleet ${plainText(f.name)}`)
  out.push(headline(f))
  out.push(
    `budget ${f.budget.nodes} nodes at once (peak ${f.budget.peakNodes}); took ${(f.durationMs / 1000).toFixed(1)} s`,
  )
  out.push('')
  const w = Math.min(40, Math.max(7, ...f.clusters.map((c) => plainText(c.name).length)))
  for (const c of f.clusters) {
    const line = `${pad(plainText(c.name), w)}  ${paint(c.verdict, pad(VERDICT_LABEL[c.verdict], 10))}  nodes ${pad(reach(c), 5)}  ${counts(c)}`
    out.push(line)
    const what = failingChecks(c)
    if (what) out.push(`${' '.repeat(w + 2)}${c.error ? 'error: ' : 'fails: '}${what}`)
  }
  if (f.summary.checks.length) {
    out.push('')
    out.push('Checks not passing across the fleet (most failing clusters first):')
    for (const row of f.summary.checks)
      out.push(
        `  ${row.id} [${row.severity}] fail ${row.fail}, error ${row.error}, warn ${row.warn}: ${plainText(whereNotPassing(row), 400)}`,
      )
  }
  return out.join('\n') + '\n'
}

const cell = (s: string): string => plainText(s, 400).replace(/\|/g, '\\|')

export function renderFleetMarkdown(f: FleetRun): string {
  const out: string[] = []
  out.push(`# hacheck audit — fleet \`${cell(f.name)}\``)
  out.push('')
  out.push(`**${headline(f)}**`)
  out.push('')
  out.push(
    `Started ${f.startedAt}, took ${(f.durationMs / 1000).toFixed(1)} s; budget ${f.budget.nodes} nodes at once (peak ${f.budget.peakNodes}).`,
  )
  out.push('')
  out.push('| cluster | verdict | exit | nodes reachable | results | fails |')
  out.push('| --- | --- | --- | --- | --- | --- |')
  for (const c of f.clusters) {
    out.push(
      `| \`${cell(c.name)}\` | ${VERDICT_LABEL[c.verdict]} | ${c.exitCode} | ${reach(c)} | ${counts(c)} | ${cell(failingChecks(c, 8))} |`,
    )
  }
  if (f.summary.checks.length) {
    out.push('')
    out.push('## Checks not passing across the fleet')
    out.push('')
    out.push('| check | severity | fail | error | warn | clusters |')
    out.push('| --- | --- | --- | --- | --- | --- |')
    for (const row of f.summary.checks)
      out.push(
        `| \`${row.id}\` ${cell(row.title)} | ${row.severity} | ${row.fail} | ${row.error} | ${row.warn} | ${cell(whereNotPassing(row))} |`,
      )
  }
  return out.join('\n') + '\n'
}
