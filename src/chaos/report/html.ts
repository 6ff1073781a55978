/**
 * The HTML report: ONE self-contained file (inline CSS and SVG, no script, no
 * external asset, so it can be attached to a ticket or archived as is). Per
 * experiment: the failover timeline (lanes per source, see timeline-svg.ts)
 * with its numbered phases listed under it, split brain named with nodes and
 * UTC times, then metrics, expectations, the configuration in force, the
 * cluster's own log lines around each phase, revert, notes. Times are UTC. Pure.
 */
import {formatDuration} from '../../core/duration.js'
import {BASE_CSS, esc} from '../../reporters/html-common.js'
import type {ChaosResult} from '../measure/result.js'
import {abortLine, configRows, isKeyPhase, metricRows, splitBrainLines} from './sections.js'
import {timelineSvg, utcClock} from './timeline-svg.js'
import type {TimelineEvent} from '../timeline.js'

export {esc}

export interface HtmlExperiment {
  result: ChaosResult
  timeline: readonly TimelineEvent[]
}

function row(cells: string[], head = false): string {
  const tag = head ? 'th' : 'td'
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`
}

function section(e: HtmlExperiment): string {
  const r = e.result
  const metrics = metricRows(r).map(([k, v]) => [esc(k), esc(v)])
  const at = (ms: number): string => (r.injectedAt === null ? '' : `${utcClock(r.injectedAt + ms)}Z`)
  const phases = r.phases.map((p, i) => {
    const agree = r.phaseAgreement.find((a) => a.name === p.name)
    return row([
      `<span class="num">${i + 1}</span>`,
      esc(`+${(p.atMs / 1000).toFixed(3)}s`),
      esc(at(p.atMs)),
      `<span class="pname">${esc(`${p.name}${p.node ? ` ${p.node}` : ''} +${(p.atMs / 1000).toFixed(2)}s`)}</span>`,
      esc(p.resource ?? ''),
      esc(p.source ?? ''),
      agree?.deltaMs !== undefined ? esc(`${(agree.deltaMs / 1000).toFixed(2)}s`) : '',
    ])
  })
  const exps = r.expectations.map((x) =>
    row([
      `<span class="st st-${x.status}">${x.status.toUpperCase()}</span>`,
      esc(x.text),
      esc(x.observed),
      esc(x.message),
    ]),
  )
  const rv = r.revert
  const revert = !rv.planned
    ? 'no revert (declared by the fault)'
    : rv.verified
      ? `verified${rv.ledgerRemoved ? ', ledger removed' : ''}${rv.deadmanFired ? ', the dead-man fired' : ''}`
      : 'NOT VERIFIED — run hacheck chaos revert'
  const split = splitBrainLines(r)
  const excerpts = (r.logExcerpts ?? []).filter((x) => x.lines.length)
  return `<section class="experiment card">
<h2><span class="st st-${r.status}">${r.status.toUpperCase()}</span> ${esc(r.name ?? r.fault)} <small>${esc(r.target.join(', '))}</small></h2>
<p class="summary">${esc(r.summary)}</p>
${abortLine(r) ? `<p class="aborted"><strong>${esc(abortLine(r) ?? '')}</strong></p>` : ''}
<p class="meta">run ${esc(r.runId)} · cluster ${esc(r.cluster)} · started ${esc(r.startedAt)} (UTC)${r.injectedAt !== null ? ` · injected ${esc(new Date(r.injectedAt).toISOString())}` : ''} · ${esc(formatDuration(r.durationMs))}${r.workload ? ` · workload ${esc(r.workload)}` : ''}</p>
${split.length ? `<div class="split">${split.map((l) => `<p>${esc(l)}</p>`).join('')}</div>` : ''}
<figure>${timelineSvg(r, e.timeline)}<figcaption>Lanes: the fault (yellow band), the clients (green ok, red failed, orange mixed; purple ticks: acknowledged writes lost) and their latency, the VIP holder (named in each stretch; red: two or more holders), what each observing node saw (corosync: membership; crm_mon: Pacemaker status) and each node's Pacemaker log. Numbered lines are the phases below. Top axis UTC, bottom axis seconds after the injection.</figcaption></figure>
<h3>Phases</h3>${phases.length ? `<table class="phases">${row(['', 'after injection', 'UTC', 'phase', 'resource', 'source', 'observed − log'], true)}${phases.join('')}</table>` : '<p>none recorded</p>'}
<h3>Metrics</h3><table class="kv">${metrics.map(([k, v]) => row([esc(k ?? ''), v ?? ''])).join('')}</table>
<h3>Expectations</h3>${exps.length ? `<table>${row(['', 'expectation', 'observed', 'message'], true)}${exps.join('')}</table>` : '<p>none</p>'}
<h3>Configuration in force</h3>${
    r.config
      ? `<table class="kv">${configRows(r)
          .map(([k, v]) => row([esc(k), esc(v)]))
          .join('')}</table>`
      : '<p>not recorded (an older run, or --no-observe)</p>'
  }
<h3>Cluster log around each phase</h3>${excerpts.length ? excerpts.map((x) => `<details${isKeyPhase(x.phase) ? ' open' : ''}><summary>${esc(`${x.phase} +${(x.atMs / 1000).toFixed(2)}s`)} <small>${x.lines.length} line(s)</small></summary><table class="log">${x.lines.map((l) => row([esc(`${at(l.atMs)}`), esc(l.node), esc(l.daemon), `<span class="lv-${esc(l.level)}">${esc(l.level)}</span>`, esc(l.message)])).join('')}</table></details>`).join('') : '<p>not read (no log lines of this run, --no-logs, or an older run)</p>'}
<h3>Revert</h3><p>${esc(revert)}</p>
${r.notes.length ? `<h3>Notes</h3><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${r.errors.length ? `<h3>Errors</h3><ul class="errors">${r.errors.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</section>`
}

const CSS = `${BASE_CSS}
section.experiment{margin:18px 0}figure{margin:12px 0;overflow-x:auto}figcaption{font-size:12px;color:#57606a}
table.kv td:first-child{width:280px;color:#57606a}.summary{margin:0}.errors li{color:#cf222e}
.num{display:inline-block;width:18px;height:18px;border-radius:9px;background:#3b5bdb;color:#fff;font-size:11px;font-weight:700;text-align:center;line-height:18px}
.split{background:#ffebe9;border:1px solid #cf222e;border-radius:6px;padding:6px 10px;color:#a40e26;font-weight:700;margin:8px 0}.split p{margin:2px 0}
table.log td{font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace;padding:1px 6px}.lv-error,.lv-crit,.lv-err{color:#cf222e;font-weight:700}.lv-warning{color:#9a6700;font-weight:700}.lv-notice{color:#0969da}
`

export function renderChaosHtml(
  experiments: readonly HtmlExperiment[],
  title = 'hacheck chaos report',
): string {
  const overall = experiments.map((e) => e.result.status)
  const worst = overall.includes('aborted')
    ? 'aborted'
    : overall.includes('error')
      ? 'error'
      : overall.includes('fail')
        ? 'fail'
        : 'pass'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><header class="card"><h1>${esc(title)}</h1><p class="meta">${experiments.length} experiment(s) · overall <span class="st st-${worst}">${worst.toUpperCase()}</span> · times in UTC · generated by hacheck</p></header>
${experiments.map(section).join('\n')}
</body></html>
`
}
