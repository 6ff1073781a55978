/**
 * `hacheck report trend` renderers (pure): console, Markdown and a standalone
 * HTML page with one small inline SVG chart per cluster (failing, error and
 * warning results per audit). No scripts, no external assets; every text from
 * a node or a file is escaped.
 */
import {sanitizeDeep} from '../core/sanitize.js'
import {plainText} from '../core/text.js'
import type {Change, ClusterTrend, Comparison, SeriesPoint, TrendReport} from './trend.js'

const ARROW = '→'

function changeLine(c: Change): string {
  const where = c.node ? ` on ${c.node}` : ''
  const what = `${c.from ?? 'absent'} ${ARROW} ${c.to ?? 'absent'}`
  return `${c.kind.toUpperCase()} ${c.check}${where} [${c.severity}]: ${what} — ${plainText(c.message, 160)}`
}

function comparisonText(title: string, cmp: Comparison | undefined, note?: string): string[] {
  if (!cmp) return [`  ${title}: only one audit on record`]
  const out = [
    `  ${title} (${cmp.from} ${ARROW} ${cmp.to}): ${cmp.regressions} regression(s), ${cmp.changes.length} change(s)`,
  ]
  if (note) out.push(`    (${note})`)
  for (const c of cmp.changes) out.push(`    ${changeLine(c)}`)
  return out
}

function latestText(p: SeriesPoint): string {
  return `exit ${p.exitCode}: ${p.pass} pass, ${p.fail} fail, ${p.warn} warn, ${p.skip} skip, ${p.error} error`
}

// Each renderer takes the report through the sanitising boundary first: the history is files on disk,
// and every string in it (cluster names, messages, check ids) came from a node or a saved run.

export function renderTrendConsole(raw: TrendReport): string {
  const t = sanitizeDeep(raw)
  const out: string[] = []
  out.push(
    `hacheck report trend — ${t.clusters.length} cluster(s), ${t.regressions} regression(s)${t.since ? ` since ${t.since}` : ' since the previous audit'}`,
  )
  for (const c of t.clusters) {
    out.push('')
    out.push(
      `${plainText(c.cluster)}: ${c.runs} audit(s); latest ${c.latest.startedAt}, ${latestText(c.latest)}`,
    )
    out.push(...comparisonText('since the previous audit', c.sinceLast))
    if (t.since) out.push(...comparisonText(`since ${t.since}`, c.sinceDate, c.sinceDate?.note))
  }
  return out.join('\n') + '\n'
}

const md = (s: string): string => plainText(s, 300).replace(/\|/g, '\\|')

function comparisonMd(title: string, cmp: Comparison | undefined, note?: string): string[] {
  if (!cmp) return [`**${title}**: only one audit on record.`, '']
  const out = [`**${title}** (${cmp.from} ${ARROW} ${cmp.to}): ${cmp.regressions} regression(s).`, '']
  if (note) out.push(`_${md(note)}_`, '')
  if (!cmp.changes.length) return [...out, 'No change.', '']
  out.push(
    '| change | check | node | severity | was | now | message |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  )
  for (const c of cmp.changes)
    out.push(
      `| ${c.kind} | \`${c.check}\` | ${md(c.node ?? '—')} | ${c.severity} | ${c.from ?? '—'} | ${c.to ?? '—'} | ${md(c.message)} |`,
    )
  out.push('')
  return out
}

export function renderTrendMarkdown(raw: TrendReport): string {
  const t = sanitizeDeep(raw)
  const out: string[] = [`# hacheck posture trend`, '']
  out.push(
    `${t.clusters.length} cluster(s); **${t.regressions} regression(s)** ${t.since ? `since ${t.since}` : 'since the previous audit'}. Generated ${t.generatedAt}.`,
    '',
  )
  for (const c of t.clusters) {
    out.push(`## \`${md(c.cluster)}\``, '')
    out.push(`${c.runs} audit(s); latest ${c.latest.startedAt}: ${latestText(c.latest)}.`, '')
    out.push(...comparisonMd('Since the previous audit', c.sinceLast))
    if (t.since) out.push(...comparisonMd(`Since ${t.since}`, c.sinceDate, c.sinceDate?.note))
  }
  return out.join('\n')
}

function esc(s: string): string {
  return plainText(s, 400)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const SERIES: {key: 'fail' | 'error' | 'warn'; color: string}[] = [
  {key: 'fail', color: '#c62828'},
  {key: 'error', color: '#6a1b9a'},
  {key: 'warn', color: '#ef8f00'},
]

/** A small SVG line chart: failing, error and warning results per audit, oldest left. */
export function trendChart(series: readonly SeriesPoint[], width = 480, height = 120): string {
  const pad = 24
  const n = series.length
  const max = Math.max(1, ...series.flatMap((p) => SERIES.map((s) => p[s.key])))
  const x = (i: number): number => (n <= 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1))
  const y = (v: number): number => height - pad - (v * (height - 2 * pad)) / max
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="failing, error and warning results per audit">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/>`,
    `<text x="4" y="${pad - 6}" font-size="10" fill="#555">${max}</text>`,
    `<text x="4" y="${height - pad + 4}" font-size="10" fill="#555">0</text>`,
  ]
  for (const s of SERIES) {
    const pts = series.map((p, i) => `${x(i).toFixed(1)},${y(p[s.key]).toFixed(1)}`)
    if (n > 1)
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>`)
    series.forEach((p, i) =>
      parts.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(p[s.key]).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(p.startedAt)}: ${p[s.key]} ${s.key}</title></circle>`,
      ),
    )
  }
  if (n > 0) {
    parts.push(
      `<text x="${pad}" y="${height - 6}" font-size="10" fill="#555">${esc(series[0]!.startedAt.slice(0, 10))}</text>`,
    )
    parts.push(
      `<text x="${width - pad}" y="${height - 6}" font-size="10" fill="#555" text-anchor="end">${esc(series[n - 1]!.startedAt.slice(0, 10))}</text>`,
    )
  }
  parts.push('</svg>')
  return parts.join('')
}

function comparisonHtml(title: string, cmp: Comparison | undefined, note?: string): string {
  if (!cmp) return `<p><b>${esc(title)}</b>: only one audit on record.</p>`
  const rows = cmp.changes
    .map(
      (c) =>
        `<tr class="${c.kind}"><td>${c.kind}</td><td><code>${esc(c.check)}</code></td><td>${esc(c.node ?? '—')}</td><td>${c.severity}</td><td>${c.from ?? '—'}</td><td>${c.to ?? '—'}</td><td>${esc(c.message)}</td></tr>`,
    )
    .join('')
  return [
    `<p><b>${esc(title)}</b> (${esc(cmp.from)} → ${esc(cmp.to)}): ${cmp.regressions} regression(s).</p>`,
    note ? `<p><i>${esc(note)}</i></p>` : '',
    cmp.changes.length
      ? `<table><thead><tr><th>change</th><th>check</th><th>node</th><th>severity</th><th>was</th><th>now</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p>No change.</p>',
  ].join('')
}

function clusterHtml(c: ClusterTrend, since: string | undefined): string {
  return [
    `<section><h2>${esc(c.cluster)}</h2>`,
    `<p>${c.runs} audit(s); latest ${esc(c.latest.startedAt)}: ${esc(latestText(c.latest))}.</p>`,
    trendChart(c.series),
    `<p class="legend"><span style="color:#c62828">■ fail</span> <span style="color:#6a1b9a">■ error</span> <span style="color:#ef8f00">■ warn</span></p>`,
    comparisonHtml('Since the previous audit', c.sinceLast),
    since ? comparisonHtml(`Since ${since}`, c.sinceDate, c.sinceDate?.note) : '',
    '</section>',
  ].join('\n')
}

export function renderTrendHtml(raw: TrendReport): string {
  const t = sanitizeDeep(raw)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hacheck posture trend</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;font-size:.9em}
tr.regression td{background:#fdecea}tr.improvement td{background:#e8f5e9}
section{margin-bottom:2em}.legend{font-size:.85em}
</style></head><body>
<h1>hacheck posture trend</h1>
<p>${t.clusters.length} cluster(s); <b>${t.regressions} regression(s)</b> ${t.since ? `since ${esc(t.since)}` : 'since the previous audit'}. Generated ${esc(t.generatedAt)}.</p>
${t.clusters.map((c) => clusterHtml(c, t.since)).join('\n')}
</body></html>
`
}
