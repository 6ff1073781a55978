/**
 * The audit as ONE self-contained HTML file (inline CSS, no script, no
 * external asset: it can be attached to a ticket or archived as is). Order:
 * the cluster view, the verdict with counts and ids, the findings (fail,
 * error, warn, waived) with a one-line fix, then every result grouped by area
 * (or tier) with its evidence in collapsible blocks, the waivers, and the
 * `hacheck checks explain` text of every check shown, which results link to.
 * Everything that came from a node is escaped and capped. Pure.
 */
import {formatDuration} from '../core/duration.js'
import {exitCodeFor, type AuditRun, type CheckResult, type Evidence, type Status} from '../core/results.js'
import {
  BY_AREA,
  counts,
  findings,
  formatValue,
  groupResults,
  namesOf,
  oneLineRemediation,
  shownCommand,
  STATUS_LABEL,
  verdict,
  viewOf,
  waiverLine,
  type Grouping,
} from './common.js'
import {BASE_CSS, capped, esc, markdownToHtml} from './html-common.js'

/** What the report says about a check (from `hacheck checks explain`). */
export interface Explanation {
  id: string
  title: string
  severity: string
  scope: string
  roles: string[]
  rationale: string
  gathers: {id: string; description: string; where: string}[]
  /** One line per gatherer: the command evidence shows. */
  shownCommands: string[]
  remediation: string
}

export interface HtmlOptions {
  explanations?: Record<string, Explanation>
  grouping?: Grouping
}

const MAX_VALUE = 20_000

const anchor = (id: string): string => `explain-${id.replace(/[^a-z0-9.-]/gi, '_')}`

function badge(s: Status): string {
  return `<span class="st st-${s}">${STATUS_LABEL[s]}</span>`
}

function checkLink(id: string, ex: HtmlOptions['explanations']): string {
  return ex?.[id] ? `<a href="#${anchor(id)}"><code>${esc(id)}</code></a>` : `<code>${esc(id)}</code>`
}

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : v === undefined ? '—' : JSON.stringify(v, null, 2)
  return `<pre>${esc(capped(text ?? formatValue(v), MAX_VALUE))}</pre>`
}

function evidenceTable(ev: readonly Evidence[]): string {
  if (!ev.length) return ''
  const rows = ev
    .map((e) => {
      const cmd = shownCommand(e)
      return `<tr><td>${esc(e.node ?? '')}</td><td>${esc(e.source ?? '')}${cmd ? `<br><code>${esc(cmd)}</code>` : ''}</td><td>${value(e.observed)}</td><td>${e.expected === undefined ? '' : value(e.expected)}</td><td>${esc(capped(e.note ?? '', 2000))}</td></tr>`
    })
    .join('')
  return `<details class="evidence"><summary>evidence (${ev.length})</summary><table><tr><th>node</th><th>source · command</th><th>observed</th><th>expected</th><th>note</th></tr>${rows}</table></details>`
}

function findingCard(r: CheckResult, ex: HtmlOptions['explanations']): string {
  const w = waiverLine(r)
  const fix = oneLineRemediation(r.remediation)
  return `<div class="finding f-${r.status}">
<div class="fh">${badge(r.status)} ${checkLink(r.id, ex)}${r.node ? ` <span class="node">${esc(r.node)}</span>` : ''} <small>${esc(r.title)}</small></div>
<p class="msg">${esc(capped(r.message, 4000))}</p>
${w ? `<p class="waiver${r.waiver?.state === 'expired' ? ' expired' : ''}">${esc(w)}</p>` : ''}
${fix && r.status !== 'waived' ? `<p class="fix"><strong>Fix:</strong> ${markdownToHtml(fix).replace(/^<p>|<\/p>$/g, '')}</p>` : ''}
${evidenceTable(r.evidence)}
${r.remediation ? `<details><summary>remediation</summary>${markdownToHtml(r.remediation)}</details>` : ''}
</div>`
}

function groupSection(title: string, rs: readonly CheckResult[], ex: HtmlOptions['explanations']): string {
  const worst = (['error', 'fail', 'warn', 'waived', 'pass', 'skip'] as Status[]).find((s) =>
    rs.some((r) => r.status === s),
  )
  const rows = rs
    .map(
      (r) =>
        `<tr class="r-${r.status}"><td>${badge(r.status)}</td><td>${checkLink(r.id, ex)}<br><small>${esc(r.checklistRef)} · ${esc(r.title)}</small></td><td>${esc(r.node ?? '—')}</td><td>${esc(capped(r.message, 2000))}${r.waiver ? `<br><small class="waiver-s">${esc(waiverLine(r) ?? '')}</small>` : ''}${evidenceTable(r.evidence)}</td></tr>`,
    )
    .join('')
  return `<section class="card group"><h3>${worst ? badge(worst) : ''} ${esc(title)} <small>${rs.length} result(s)</small></h3><table><tr><th style="width:70px">status</th><th style="width:260px">check</th><th style="width:70px">node</th><th>message and evidence</th></tr>${rows}</table></section>`
}

function explanationSection(x: Explanation): string {
  const gathers = x.gathers
    .map(
      (g, i) =>
        `<li><code>${esc(g.id)}</code> (${esc(g.where)}): ${esc(g.description)}<br><code>${esc(x.shownCommands[i] ?? '')}</code></li>`,
    )
    .join('')
  return `<section class="card explain" id="${anchor(x.id)}"><h3><code>${esc(x.id)}</code> — ${esc(x.title)}</h3>
<p class="meta">severity ${esc(x.severity)} · judged per ${esc(x.scope)} · nodes with role ${esc(x.roles.join(' or '))} · <code>hacheck checks explain ${esc(x.id)}</code></p>
${markdownToHtml(x.rationale)}
${gathers ? `<h4>Gathers (read-only)</h4><ul>${gathers}</ul>` : ''}
${markdownToHtml(x.remediation)}</section>`
}

const CSS = `${BASE_CSS}
.verdict{font-size:20px;font-weight:800;margin:6px 0}.v-PASSED{color:#1a7f37}.v-FAILED{color:#cf222e}.v-INCOMPLETE{color:#8250df}
.chips>span{display:inline-block;margin:2px 6px 2px 0;padding:2px 8px;border-radius:12px;background:#eff1f3;font-size:12px}
.view{border-left:6px solid #1a7f37;padding:6px 12px;margin:8px 0;background:#f6fff8}.view.degraded{background:#fff5f5}.view.degraded{border-left-color:#cf222e}.view h2{margin:0 0 4px;font-size:16px}.view ul{margin:4px 0}.view.degraded h2{color:#cf222e}.n-critical{color:#cf222e;font-weight:600}.n-warning{color:#9a6700}.n-info{color:#57606a}
.ids td:first-child{width:170px;color:#57606a}
.finding{border-left:5px solid #d0d7de;padding:6px 12px;margin:10px 0;background:#fff}.finding .fh{font-size:14px}.finding p{margin:4px 0}
.f-fail{border-color:#cf222e}.f-error{border-color:#8250df}.f-warn{border-color:#9a6700}.f-waived{border-color:#0969da}
.node{background:#ddf4ff;border-radius:4px;padding:0 5px;font-size:12px}.waiver{color:#0969da}.waiver.expired{color:#cf222e;font-weight:600}.waiver-s{color:#0969da}
.fix{font-size:13px}tr.r-pass td,tr.r-skip td{color:#57606a}`

/** The self-contained HTML audit report. */
export function renderAuditHtml(run: AuditRun, opts: HtmlOptions = {}): string {
  const s = counts(run.summary)
  const v = verdict(s)
  const ex = opts.explanations
  const view = viewOf(run)
  const title = `hacheck audit — cluster ${run.cluster.name}`
  const idRows = (
    [
      ['failed', 'fail'],
      ['errors (could not tell)', 'error'],
      ['warnings', 'warn'],
      ['waived', 'waived'],
    ] as [string, Status][]
  )
    .filter(([, st]) => namesOf(run.results, st).length)
    .map(
      ([label, st]) =>
        `<tr><td>${esc(label)}</td><td>${namesOf(run.results, st)
          .map((n) => `<code>${esc(n)}</code>`)
          .join(' ')}</td></tr>`,
    )
    .join('')
  const src =
    run.source.mode === 'capture'
      ? `capture ${run.source.capture ?? ''}`
      : `live, inventory ${run.source.inventory ?? '-'}`
  const viewHtml = view
    ? `<div class="view${view.degraded ? ' degraded' : ''}"><h2>${esc(view.headline)}</h2>${view.notices.length ? `<ul>${view.notices.map((n) => `<li class="n-${n.severity}">${esc(n.severity)}: ${esc(n.message)}</li>`).join('')}</ul>` : ''}</div>`
    : ''
  const header = `<header class="card"><h1>${esc(title)}</h1>${viewHtml}
<div class="verdict v-${v}">${v} <small>exit ${exitCodeFor(run.results)}</small></div>
<div class="chips">${(['fail', 'error', 'warn', 'waived', 'pass', 'skip'] as Status[]).map((st) => `<span>${badge(st)} ${s[st]}</span>`).join('')}<span>${s.total} results</span></div>
<p class="meta">checklist ${esc(run.checklist.id)} v${esc(run.checklist.version)} (${esc(run.checklist.title)}) · ${esc(run.cluster.stack)} · ${esc(src)} · started ${esc(run.startedAt)} (UTC) · took ${esc(formatDuration(run.durationMs))}</p>
<p class="meta">nodes: ${run.nodes.map((n) => `${esc(n.name)} <small>(${esc(n.roles.join(', '))}${n.reachable ? '' : ' — UNREACHABLE'})</small>`).join(' · ')}</p>
${idRows ? `<table class="ids">${idRows}</table>` : ''}</header>`
  const f = findings(run.results)
  const findingsHtml = f.length
    ? `<section class="card"><h2>Findings <small>${f.length}</small></h2>${f.map((r) => findingCard(r, ex)).join('\n')}</section>`
    : `<section class="card"><h2>Findings</h2><p>Nothing failed, no warning, nothing waived.</p></section>`
  const grouping = opts.grouping ?? BY_AREA
  const groups = groupResults(run.results, grouping)
    .map((g) => groupSection(g.title, g.results, ex))
    .join('\n')
  const waivers = run.waivers
    ? `<section class="card"><h2>Waivers <small>${esc(run.waivers.file)}</small></h2><table><tr><th>check</th><th>scope</th><th>state</th><th>expires</th><th>owner</th><th>results</th><th>reason</th></tr>${run.waivers.entries
        .map(
          (w) =>
            `<tr><td>${checkLink(w.check, ex)}</td><td>${esc(w.cluster ?? 'any cluster')}; ${esc(w.nodes?.join(', ') ?? 'all nodes')}</td><td>${w.state === 'expired' ? '<strong class="n-critical">EXPIRED</strong>' : 'active'}</td><td>${esc(w.expires)}</td><td>${esc(w.owner)}</td><td>${w.matched}</td><td>${esc(w.reason)}</td></tr>`,
        )
        .join('')}</table></section>`
    : ''
  const shown = [...new Set(run.results.map((r) => r.id))].flatMap((id) => (ex?.[id] ? [ex[id]] : []))
  const explain = shown.length
    ? `<h2 id="checks">Checks explained</h2>${shown.map(explanationSection).join('\n')}`
    : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head>
<body>
${header}
${findingsHtml}
<h2>Results by ${esc(grouping.name)}</h2>
${groups}
${waivers}
${explain}
<p class="meta">generated by hacheck ${esc(run.tool.version)}</p>
</body></html>
`
}
