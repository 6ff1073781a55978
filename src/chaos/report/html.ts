/**
 * The HTML report: ONE self-contained file (inline CSS and SVG, no script, no
 * external asset, so it can be attached to a ticket or archived as is). Per
 * experiment: the failover timeline as an SVG chart (probe outcomes and
 * latency over time, VIP holders, the fault window and the phase markers),
 * then metrics, phases, expectations and notes. Pure.
 */
import {formatDuration} from '../../core/duration.js'
import type {ChaosResult} from '../result.js'
import {clientProbes} from '../metrics.js'
import type {ClusterEvent, FaultEvent, TimelineEvent, WriteEvent} from '../timeline.js'

export interface HtmlExperiment {
  result: ChaosResult
  timeline: readonly TimelineEvent[]
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const W = 1000
const M = {left: 64, right: 24, top: 84, bottom: 34}
const LANE_PROBE = 26
const LANE_VIP = 14
const LANE_LAT = 110
const GAP = 12
const H = M.top + LANE_PROBE + GAP + LANE_VIP + GAP + LANE_LAT + M.bottom

const COLOR = {
  ok: '#2e9d4f',
  fail: '#d33c3c',
  mixed: '#e69a28',
  fault: '#fff3c4',
  phase: '#3b5bdb',
  grid: '#e3e6ea',
  text: '#1f2328',
  vip1: '#4c8bf5',
  vip2: '#b3261e',
  vip0: '#c5c9cf',
  lost: '#8250df',
}

function niceStep(spanS: number): number {
  const target = spanS / 10
  for (const s of [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600]) if (s >= target) return s
  return 1200
}

/** The failover timeline chart (inline SVG). x is seconds after the injection. */
export function timelineSvg(r: ChaosResult, timeline: readonly TimelineEvent[]): string {
  const origin = r.injectedAt ?? timeline[0]?.t ?? 0
  // Writes (pg-write) are drawn as probes: acknowledged = green.
  const probes = clientProbes(timeline)
  const lostSeqs = new Set(r.metrics.writes?.lostSeqs ?? [])
  const lost = timeline.filter((e): e is WriteEvent => e.kind === 'write' && e.ok && lostSeqs.has(e.seq))
  const faults = timeline.filter((e): e is FaultEvent => e.kind === 'fault')
  const vips = timeline.filter((e): e is ClusterEvent => e.kind === 'cluster' && e.phase === 'vip-holders')
  const ts = timeline.map((e) => e.t)
  const minT = ts.length ? Math.min(...ts) : origin
  const maxT = ts.length ? Math.max(...ts) : origin + 1000
  const x0 = (Math.min(minT, origin) - origin) / 1000
  const x1 = Math.max((maxT - origin) / 1000, x0 + 1)
  const plotW = W - M.left - M.right
  const sx = (s: number): number => M.left + ((s - x0) / (x1 - x0)) * plotW
  const yProbe = M.top
  const yVip = yProbe + LANE_PROBE + GAP
  const yLat = yVip + LANE_VIP + GAP
  const parts: string[] = []
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`)
  // Fault window: injected → reverted.
  const inj = faults.find((f) => f.phase === 'injected')
  const rev = faults.find((f) => f.phase === 'reverted' || f.phase === 'revert-verified')
  if (inj) {
    const a = sx((inj.t - origin) / 1000)
    const b = sx(((rev?.t ?? maxT) - origin) / 1000)
    parts.push(
      `<rect class="fault-window" x="${a.toFixed(1)}" y="${M.top - 8}" width="${Math.max(1, b - a).toFixed(1)}" height="${H - M.top - M.bottom + 8}" fill="${COLOR.fault}"/>`,
    )
  }
  // Grid and axis.
  const step = niceStep(x1 - x0)
  for (let s = Math.ceil(x0 / step) * step; s <= x1; s += step) {
    const x = sx(s).toFixed(1)
    parts.push(
      `<line x1="${x}" y1="${M.top - 8}" x2="${x}" y2="${H - M.bottom}" stroke="${COLOR.grid}" stroke-width="1"/>`,
    )
    parts.push(
      `<text x="${x}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle" fill="${COLOR.text}">${s > 0 ? '+' : ''}${Number(s.toFixed(1))}s</text>`,
    )
  }
  parts.push(
    `<text x="8" y="${yProbe + 17}" font-size="11" fill="${COLOR.text}">${r.metrics.writes ? 'writes' : 'probes'}</text>`,
  )
  parts.push(`<text x="8" y="${yVip + 11}" font-size="11" fill="${COLOR.text}">VIP</text>`)
  parts.push(`<text x="8" y="${yLat + LANE_LAT / 2}" font-size="11" fill="${COLOR.text}">latency</text>`)
  // Probe lane: binned by 2 px columns; colour by the share of failures.
  const cols = Math.max(1, Math.floor(plotW / 2))
  const bins = Array.from({length: cols}, () => ({ok: 0, fail: 0, maxLat: 0}))
  for (const p of probes) {
    const i = Math.min(
      cols - 1,
      Math.max(0, Math.floor(((sx((p.t - origin) / 1000) - M.left) / plotW) * cols)),
    )
    const b = bins[i] as {ok: number; fail: number; maxLat: number}
    if (p.ok) {
      b.ok++
      b.maxLat = Math.max(b.maxLat, p.latencyMs)
    } else b.fail++
  }
  const latMax = Math.max(10, ...probes.filter((p) => p.ok).map((p) => p.latencyMs)) * 1.1
  const ly = (ms: number): number => yLat + LANE_LAT - (Math.min(ms, latMax) / latMax) * LANE_LAT
  bins.forEach((b, i) => {
    if (b.ok + b.fail === 0) return
    const x = M.left + (i * plotW) / cols
    const color = b.fail === 0 ? COLOR.ok : b.ok === 0 ? COLOR.fail : COLOR.mixed
    const cls = b.fail === 0 ? 'probe-ok' : b.ok === 0 ? 'probe-fail' : 'probe-mixed'
    parts.push(
      `<rect class="${cls}" x="${x.toFixed(1)}" y="${yProbe}" width="${(plotW / cols + 0.3).toFixed(2)}" height="${LANE_PROBE}" fill="${color}"/>`,
    )
    if (b.ok > 0)
      parts.push(
        `<circle cx="${(x + 1).toFixed(1)}" cy="${ly(b.maxLat).toFixed(1)}" r="1.6" fill="${COLOR.ok}"/>`,
      )
    if (b.fail > 0)
      parts.push(`<rect x="${x.toFixed(1)}" y="${yLat}" width="2" height="6" fill="${COLOR.fail}"/>`)
  })
  parts.push(
    `<line x1="${M.left}" y1="${yLat + LANE_LAT}" x2="${W - M.right}" y2="${yLat + LANE_LAT}" stroke="#8c959f"/>`,
  )
  parts.push(
    `<text x="${M.left - 6}" y="${yLat + 4}" font-size="10" text-anchor="end" fill="${COLOR.text}">${Math.round(latMax)}ms</text>`,
  )
  parts.push(
    `<text x="${M.left - 6}" y="${yLat + LANE_LAT}" font-size="10" text-anchor="end" fill="${COLOR.text}">0</text>`,
  )
  // Acknowledged writes that were lost: a purple tick above the lane each.
  for (const w of lost) {
    const x = sx((w.t - origin) / 1000).toFixed(1)
    parts.push(
      `<rect class="write-lost" x="${x}" y="${yProbe - 7}" width="1.5" height="6" fill="${COLOR.lost}"><title>lost write seq ${w.seq}</title></rect>`,
    )
  }
  if (probes.length === 0)
    parts.push(
      `<text x="${M.left + 8}" y="${yProbe + 17}" font-size="11" fill="#6e7781">no workload in this run</text>`,
    )
  // VIP lane: one mark per sample, colour by the number of holders.
  vips.forEach((v, i) => {
    const next = vips[i + 1]
    const a = sx((v.t - origin) / 1000)
    const b = next ? sx((next.t - origin) / 1000) : a + 2
    const n = v.holders?.length ?? 0
    const color = n === 0 ? COLOR.vip0 : n === 1 ? COLOR.vip1 : COLOR.vip2
    const title = n ? v.holders?.join(', ') : 'nobody'
    parts.push(
      `<rect class="vip-${Math.min(n, 2)}" x="${a.toFixed(1)}" y="${yVip}" width="${Math.max(1, b - a).toFixed(1)}" height="${LANE_VIP}" fill="${color}"><title>${esc(title ?? '')}</title></rect>`,
    )
  })
  // Phase markers; each label goes on the first row where it does not overlap the previous one there.
  const rowEnds: number[] = []
  const ROWS = 5
  r.phases.forEach((p, i) => {
    const xNum = sx(p.atMs / 1000)
    const x = xNum.toFixed(1)
    const label = `${p.name}${p.node ? ` ${p.node}` : ''} +${(p.atMs / 1000).toFixed(2)}s`
    const width = label.length * 5.6
    const left = xNum - width / 2
    let row = rowEnds.findIndex((end) => end < left - 4)
    if (row < 0) row = rowEnds.length < ROWS ? rowEnds.length : i % ROWS
    rowEnds[row] = xNum + width / 2
    const y = M.top - 14 - (ROWS - 1 - row) * 12
    parts.push(
      `<line class="phase" x1="${x}" y1="${y + 3}" x2="${x}" y2="${H - M.bottom}" stroke="${COLOR.phase}" stroke-width="1" stroke-dasharray="3,2"/>`,
    )
    parts.push(
      `<text x="${x}" y="${y}" font-size="10" fill="${COLOR.phase}" text-anchor="middle">${esc(label)}</text>`,
    )
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="failover timeline">${parts.join('')}</svg>`
}

function row(cells: string[], head = false): string {
  const tag = head ? 'th' : 'td'
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`
}

function dur(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : esc(formatDuration(ms))
}

function writeRows(r: ChaosResult): string[][] {
  const m = r.metrics
  const w = m.writes
  if (!w) return []
  const measured = typeof m.lostWrites === 'number'
  return [
    [
      'writes',
      esc(`${w.attempted} sent: ${w.acked} acknowledged, ${w.failed} failed, ${w.unknown} unknown outcome`),
    ],
    [
      'lost acknowledged writes',
      measured
        ? esc(
            `${m.lostWrites} of ${w.acked}${m.lostWrites ? ` (seq ${m.firstLostSeq ?? '?'}…${m.lastLostSeq ?? '?'})` : ''}`,
          )
        : 'not measured (the writes could not be read back)',
    ],
    ['RPO measured (first lost sent → last lost acknowledged)', measured ? dur(m.rpoMs) : '—'],
    ['RPO objective', dur(r.objectives.rpoMs)],
    [
      'read back',
      measured
        ? esc(
            `${w.present ?? 0} rows from ${w.readFrom ?? '?'}; ${w.presentUnacked} committed without an acknowledgement${w.dropped ? '; table dropped' : ''}`,
          )
        : '—',
    ],
    ['primaries (in order)', esc(w.primaries.join(' → ') || '—')],
    ['split-brain writes', String(m.splitBrainWrites ?? 0)],
  ]
}

function section(e: HtmlExperiment): string {
  const r = e.result
  const m = r.metrics
  const metrics = [
    [
      'client outage',
      m.probes
        ? m.clientOutageMs === null
          ? 'never recovered'
          : `${dur(m.clientOutageMs)} (at least ${dur(m.clientOutageMinMs)})`
        : 'no workload',
    ],
    ['recovery after injection', dur(m.recoveryMs)],
    ['failed probes', `${m.failedProbes} of ${m.probes}`],
    [
      'latency p50 / p95 / p99 / max',
      m.latency ? [m.latency.p50, m.latency.p95, m.latency.p99, m.latency.max].map(dur).join(' / ') : '—',
    ],
    ...writeRows(r),
    ['VIP holders (max per sample)', `${m.maxVipHolders} in ${m.vipSamples} samples`],
    ['RTO objective', dur(r.objectives.rtoMs)],
    [
      'floor (token + consensus + fencing)',
      r.floor ? `${dur(r.floor.floorMs)} — ${esc(r.floor.message)}` : '—',
    ],
  ]
  const phases = r.phases.map((p) => {
    const agree = r.phaseAgreement.find((a) => a.name === p.name)
    return row([
      esc(`+${(p.atMs / 1000).toFixed(3)}s`),
      esc(p.name),
      esc([p.node, p.resource].filter(Boolean).join(' ')),
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
  return `<section class="experiment">
<h2><span class="st st-${r.status}">${r.status.toUpperCase()}</span> ${esc(r.name ?? r.fault)} <small>${esc(r.target.join(', '))}</small></h2>
<p class="summary">${esc(r.summary)}</p>
<p class="meta">run ${esc(r.runId)} · cluster ${esc(r.cluster)} · started ${esc(r.startedAt)} · ${esc(formatDuration(r.durationMs))}${r.workload ? ` · workload ${esc(r.workload)}` : ''}</p>
<figure>${timelineSvg(r, e.timeline)}<figcaption>Probes or writes (green ok/acknowledged, red failed, orange mixed; purple ticks: acknowledged writes lost), VIP holders (blue one, red two or more, grey none), latency of successful probes; the yellow band is the fault, dashed lines are the phases. Times are seconds after the injection.</figcaption></figure>
<h3>Metrics</h3><table class="kv">${metrics.map(([k, v]) => row([esc(k ?? ''), v ?? ''])).join('')}</table>
<h3>Phases</h3>${phases.length ? `<table>${row(['after injection', 'phase', 'where', 'source', 'observed − log'], true)}${phases.join('')}</table>` : '<p>none recorded</p>'}
<h3>Expectations</h3>${exps.length ? `<table>${row(['', 'expectation', 'observed', 'message'], true)}${exps.join('')}</table>` : '<p>none</p>'}
<h3>Revert</h3><p>${esc(revert)}</p>
${r.notes.length ? `<h3>Notes</h3><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${r.errors.length ? `<h3>Errors</h3><ul class="errors">${r.errors.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</section>`
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1060px;padding:0 16px;background:#f6f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 6px}h3{font-size:14px;margin:18px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
section.experiment{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:18px;margin:18px 0}
figure{margin:12px 0;overflow-x:auto}figcaption{font-size:12px;color:#57606a}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}
table.kv td:first-child{width:260px;color:#57606a}.st{display:inline-block;padding:1px 6px;border-radius:4px;font-size:12px;font-weight:600;color:#fff}
.st-pass{background:#1a7f37}.st-fail{background:#cf222e}.st-error,.st-aborted{background:#9a6700}.summary{margin:0}.meta{color:#57606a;font-size:12px;margin:2px 0 0}
.errors li{color:#cf222e}small{color:#57606a;font-weight:400}`

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
<body><header><h1>${esc(title)}</h1><p class="meta">${experiments.length} experiment(s) · overall <span class="st st-${worst}">${worst.toUpperCase()}</span> · generated by hacheck</p></header>
${experiments.map(section).join('\n')}
</body></html>
`
}
