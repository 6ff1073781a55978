/**
 * The failover timeline as an inline SVG, readable without hovering: one lane
 * per source — the fault, the clients (probe or write outcomes, latency), the
 * VIP holder (the holder's name written in each stretch), what each observing
 * node saw (Corosync membership, crm_mon) and each node's Pacemaker log — with
 * every event labelled in place (labels that would overlap go to another
 * row), the phases as numbered dashed lines listed under the chart, split
 * brain as a red band naming the nodes. x is seconds after the injection
 * (bottom axis) and UTC wall-clock time (top axis). Pure.
 */
import type {ChaosResult} from '../measure/result.js'
import {clientProbes, splitBrainWindows} from '../measure/metrics.js'
import type {ClusterEvent, FaultEvent, TimelineEvent, WriteEvent} from '../timeline.js'
import {esc} from '../../reporters/html-common.js'

export const COLOR = {
  ok: '#2e9d4f',
  fail: '#d33c3c',
  mixed: '#e69a28',
  fault: '#fff3c4',
  faultBar: '#e3b341',
  phase: '#3b5bdb',
  grid: '#e3e6ea',
  text: '#1f2328',
  muted: '#6e7781',
  none: '#c5c9cf',
  split: '#b3261e',
  lost: '#8250df',
  event: '#0b5cad',
}

/** Distinct, readable fills for VIP holders (in order of first appearance). */
const HOLDER_FILLS = ['#4c8bf5', '#1aa39a', '#9c5de0', '#d9822b', '#5b7083', '#c2477e']

const W = 1000
const LEFT = 118
const RIGHT = 20
const PLOT_W = W - LEFT - RIGHT
const ROW_H = 13
const CHAR_W = 5.9

function niceStep(spanS: number): number {
  const target = spanS / 10
  for (const s of [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600]) if (s >= target) return s
  return 1200
}

/** Places labels (centre x, width) on the first row where they do not overlap; -1 when no row has room. */
export function placeLabels(items: readonly {x: number; width: number}[], rows: number): number[] {
  const ends: number[] = []
  return items.map((it) => {
    const left = it.x - it.width / 2
    let row = ends.findIndex((end) => end < left - 3)
    if (row < 0 && ends.length < rows) row = ends.length
    if (row < 0) return -1
    ends[row] = it.x + it.width / 2
    return row
  })
}

/** A short label for a cluster event, e.g. "fenced n1", "start p-web@n2". */
export function eventLabel(e: ClusterEvent): string {
  const n = e.node ?? ''
  switch (e.phase) {
    case 'node-lost':
      return `lost ${n}`
    case 'node-unclean':
      return `unclean ${n}`
    case 'node-rejoined':
      return `rejoined ${n}`
    case 'quorum-lost':
      return 'quorum lost'
    case 'quorum-regained':
      return 'quorum back'
    case 'fence-requested':
      return `fence? ${n}`
    case 'fence-confirmed':
      return `fenced ${n}`
    case 'fence-failed':
      return `FENCE FAILED ${n}`
    case 'resource-stopped':
      return `stop ${e.resource ?? ''}${n ? `@${n}` : ''}`
    case 'resource-started':
      return `start ${e.resource ?? ''}${n ? `@${n}` : ''}`
    case 'vip-moved':
      return `VIP→${n}`
    case 'vip-holders':
      return 'VIP'
    case 'vrrp-master':
      return `MASTER ${n}`
    case 'vrrp-backup':
      return `BACKUP ${n}`
    case 'vrrp-fault':
      return `FAULT ${n}`
    case 'vrrp-stopped':
      return `keepalived stopped ${n}`
    case 'store-sdown':
      return `sdown ${n}`
    case 'store-odown':
      return `odown ${n}`
    case 'store-switched':
      return `master→${n}`
  }
}

/** The lane a cluster event belongs to: the node that saw it (view or log), or undefined. */
export function laneOf(e: ClusterEvent): string | undefined {
  if (e.phase === 'vip-holders' || e.source === 'ip-addr') return undefined
  if (e.source === 'pacemaker-log') return `${e.detail?.split(' ')[0] ?? '?'} log`
  // keepalived-log, sentinel-log: "NODE: message" / "NODE sentinel: …"
  if (e.source.endsWith('-log')) return `${e.detail?.split(/[: ]/)[0] ?? '?'} ${e.source.slice(0, -4)}`
  const m = /^(.+)@(.+)$/.exec(e.source)
  return m ? `${m[2]} ${m[1]}` : e.source
}

export const utcClock = (t: number): string => new Date(t).toISOString().slice(11, 23)

interface Ctx {
  origin: number
  x0: number
  x1: number
  sx(t: number): number
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`
}

/** What the lane functions draw into: SVG parts (behind, main, lane labels) and the time → x mapping. */
interface Draw {
  c: Ctx
  behind: string[]
  parts: string[]
  labels: string[]
  lane(name: string, top: number, h: number): void
}

/** The chart: lanes top to bottom, split-brain bands, numbered phases, axes. */
export function timelineSvg(r: ChaosResult, timeline: readonly TimelineEvent[]): string {
  const origin = r.injectedAt ?? timeline[0]?.t ?? 0
  const ts = timeline.map((e) => e.t)
  const minT = ts.length ? Math.min(...ts) : origin
  const maxT = ts.length ? Math.max(...ts) : origin + 1000
  const x0 = (Math.min(minT, origin) - origin) / 1000
  const x1 = Math.max((maxT - origin) / 1000, x0 + 1)
  const c: Ctx = {origin, x0, x1, sx: (t) => LEFT + (((t - origin) / 1000 - x0) / (x1 - x0)) * PLOT_W}
  const d: Draw = {
    c,
    behind: [],
    parts: [],
    labels: [],
    lane(name, top, h) {
      this.labels.push(text(8, top + h / 2 + 4, name, `font-size="11" fill="${COLOR.text}"`))
    },
  }
  const top = 40
  const faults = timeline.filter((e): e is FaultEvent => e.kind === 'fault')
  const inj = faults.find((f) => f.phase === 'injected')
  const rev = faults.find((f) => f.phase === 'reverted' || f.phase === 'revert-verified')
  let y = faultLane(d, r, inj, rev, top, maxT)
  y = clientsLane(r, timeline, c, y, d.parts, (n, t, h) => d.lane(n, t, h)) + 10
  y = vipLane(timeline, c, y, d.parts, (n, t, h) => d.lane(n, t, h)) + 10
  const bottom = nodeLanes(d, timeline, y, minT)
  splitBands(d, timeline, top, bottom)
  const axisY = phaseMarkers(d, r, top, bottom)
  axes(d, top, axisY)
  const H = axisY + 14
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="failover timeline"><rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>${faultWindow(inj, rev, c, top, axisY, maxT)}${d.behind.join('')}${d.parts.join('')}${d.labels.join('')}</svg>`
}

/** The fault as a bar from injection to revert, named. Returns the next lane's top. */
function faultLane(
  d: Draw,
  r: ChaosResult,
  inj: FaultEvent | undefined,
  rev: FaultEvent | undefined,
  y: number,
  maxT: number,
): number {
  d.lane('fault', y, 18)
  if (inj) {
    const a = d.c.sx(inj.t)
    const b = d.c.sx(rev?.t ?? maxT)
    const name = `${r.fault} ${r.target.join(', ')}${rev ? '' : ' (not reverted)'}`
    d.parts.push(
      `<rect class="fault-bar" x="${a.toFixed(1)}" y="${y}" width="${Math.max(2, b - a).toFixed(1)}" height="18" fill="${COLOR.faultBar}" rx="3"/>`,
    )
    const inside = b - a > name.length * CHAR_W + 8
    d.parts.push(text(inside ? a + 6 : b + 4, y + 13, name, `font-size="11" fill="${COLOR.text}"`))
  }
  return y + 18 + 10
}

/** One lane per node and source (n2 corosync, n2 crm_mon, n2 log), each event labelled in place. */
function nodeLanes(d: Draw, timeline: readonly TimelineEvent[], top: number, minT: number): number {
  let y = top
  const cluster = timeline.filter(
    (e): e is ClusterEvent => e.kind === 'cluster' && laneOf(e) !== undefined && e.t >= minT,
  )
  // Per node: what its observer saw (corosync membership, crm_mon), then its log.
  const rank = (lane: string): string =>
    lane
      .replace(/ corosync$/, ' 0')
      .replace(/ crm_mon$/, ' 1')
      .replace(/ log$/, ' 2')
  const lanes = [...new Set(cluster.map((e) => laneOf(e) as string))].sort((a, b) =>
    rank(a).localeCompare(rank(b)),
  )
  for (const lane of lanes) {
    const evs = cluster.filter((e) => laneOf(e) === lane).sort((a, b) => a.t - b.t)
    const items = evs.map((e) => ({x: d.c.sx(e.t), width: eventLabel(e).length * CHAR_W}))
    const rows = placeLabels(items, 4)
    const h = Math.max(1, ...rows.map((x) => x + 1)) * ROW_H + 8
    d.lane(lane, y, h)
    d.parts.push(
      `<rect x="${LEFT}" y="${y}" width="${PLOT_W}" height="${h}" fill="#f6f8fa" fill-opacity="0.85" stroke="${COLOR.grid}"/>`,
    )
    evs.forEach((e, i) => {
      const x = items[i]?.x ?? 0
      const row = rows[i] ?? -1
      const color = e.phase === 'fence-failed' || e.phase === 'node-lost' ? COLOR.fail : COLOR.event
      d.parts.push(
        `<path class="event" d="M${x.toFixed(1)} ${y + h - 7} l3 3 l-3 3 l-3 -3 z" fill="${color}"/>`,
      )
      if (row >= 0)
        d.parts.push(
          text(x, y + 11 + row * ROW_H, eventLabel(e), `font-size="10" text-anchor="middle" fill="${color}"`),
        )
    })
    y += h + 6
  }
  return y
}

/** Split brain: red bands over every lane, naming the nodes. */
function splitBands(d: Draw, timeline: readonly TimelineEvent[], top: number, bottom: number): void {
  for (const w of splitBrainWindows(timeline)) {
    const a = d.c.sx(w.fromT)
    const b = Math.max(a + 3, d.c.sx(w.toT))
    d.parts.push(
      `<rect class="split-brain" x="${a.toFixed(1)}" y="${top - 6}" width="${(b - a).toFixed(1)}" height="${bottom - top + 6}" fill="${COLOR.split}" fill-opacity="0.18" stroke="${COLOR.split}"/>`,
      text(
        a + 2,
        top - 9,
        `SPLIT BRAIN ${w.nodes.join('+')}`,
        `font-size="11" font-weight="700" fill="${COLOR.split}"`,
      ),
    )
  }
}

/** Phases as numbered dashed lines (the numbers are listed under the chart). Returns the axis' y. */
function phaseMarkers(d: Draw, r: ChaosResult, top: number, bottom: number): number {
  const nums = r.phases.map((p) => ({x: d.c.sx(d.c.origin + p.atMs), width: 16}))
  const rows = placeLabels(nums, 6).map((row, i) => (row < 0 ? i % 6 : row))
  r.phases.forEach((_p, i) => {
    const x = nums[i]?.x ?? 0
    const cy = bottom + 10 + (rows[i] ?? 0) * 16
    d.behind.push(
      `<line class="phase" x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${cy - 7}" stroke="${COLOR.phase}" stroke-width="1" stroke-dasharray="3,2" stroke-opacity="0.7"/>`,
    )
    d.parts.push(
      `<circle cx="${x.toFixed(1)}" cy="${cy}" r="7" fill="${COLOR.phase}"/>`,
      text(x, cy + 3.5, String(i + 1), 'font-size="9" font-weight="700" text-anchor="middle" fill="#fff"'),
    )
  })
  return bottom + 10 + Math.max(1, ...rows.map((x) => x + 1)) * 16 + 4
}

/** Seconds after the injection below, UTC above; the grid behind everything. */
function axes(d: Draw, top: number, axisY: number): void {
  const {c} = d
  const step = niceStep(c.x1 - c.x0)
  const grid: string[] = []
  for (let s = Math.ceil(c.x0 / step) * step; s <= c.x1 + 1e-9; s += step) {
    const x = c.sx(c.origin + s * 1000)
    grid.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${axisY - 8}" stroke="${COLOR.grid}" stroke-width="1"/>`,
      text(
        x,
        axisY + 6,
        `${s > 0 ? '+' : ''}${Number(s.toFixed(1))}s`,
        `font-size="11" text-anchor="middle" fill="${COLOR.text}"`,
      ),
      text(
        x,
        24,
        utcClock(c.origin + s * 1000).slice(0, step < 1 ? 10 : 8),
        `font-size="10" text-anchor="middle" fill="${COLOR.muted}"`,
      ),
    )
  }
  d.behind.unshift(...grid)
  d.labels.push(
    text(8, 24, 'UTC', `font-size="10" fill="${COLOR.muted}"`),
    text(8, axisY + 6, 'after injection', `font-size="10" fill="${COLOR.muted}"`),
  )
}

function faultWindow(
  inj: FaultEvent | undefined,
  rev: FaultEvent | undefined,
  c: Ctx,
  top: number,
  bottom: number,
  maxT: number,
): string {
  if (!inj) return ''
  const a = c.sx(inj.t)
  const b = c.sx(rev?.t ?? maxT)
  return `<rect class="fault-window" x="${a.toFixed(1)}" y="${top - 6}" width="${Math.max(1, b - a).toFixed(1)}" height="${bottom - top - 2}" fill="${COLOR.fault}"/>`
}

function clientsLane(
  r: ChaosResult,
  timeline: readonly TimelineEvent[],
  c: Ctx,
  y: number,
  parts: string[],
  laneLabel: (name: string, top: number, h: number) => void,
): number {
  const LANE = 24
  const LAT = 70
  const probes = clientProbes(timeline)
  laneLabel(r.metrics.writes ? 'writes' : 'clients', y, LANE)
  const cols = Math.max(1, Math.floor(PLOT_W / 2))
  const bins = Array.from({length: cols}, () => ({ok: 0, fail: 0, maxLat: 0}))
  for (const p of probes) {
    const i = Math.min(cols - 1, Math.max(0, Math.floor(((c.sx(p.t) - LEFT) / PLOT_W) * cols)))
    const b = bins[i] as {ok: number; fail: number; maxLat: number}
    if (p.ok) {
      b.ok++
      b.maxLat = Math.max(b.maxLat, p.latencyMs)
    } else b.fail++
  }
  const yLat = y + LANE + 6
  const latMax = Math.max(10, ...probes.filter((p) => p.ok).map((p) => p.latencyMs)) * 1.1
  const ly = (ms: number): number => yLat + LAT - (Math.min(ms, latMax) / latMax) * LAT
  bins.forEach((b, i) => {
    if (b.ok + b.fail === 0) return
    const x = LEFT + (i * PLOT_W) / cols
    const color = b.fail === 0 ? COLOR.ok : b.ok === 0 ? COLOR.fail : COLOR.mixed
    const cls = b.fail === 0 ? 'probe-ok' : b.ok === 0 ? 'probe-fail' : 'probe-mixed'
    parts.push(
      `<rect class="${cls}" x="${x.toFixed(1)}" y="${y}" width="${(PLOT_W / cols + 0.3).toFixed(2)}" height="${LANE}" fill="${color}"/>`,
    )
    if (b.ok > 0)
      parts.push(
        `<circle cx="${(x + 1).toFixed(1)}" cy="${ly(b.maxLat).toFixed(1)}" r="1.6" fill="${COLOR.ok}"/>`,
      )
  })
  if (probes.length === 0)
    parts.push(text(LEFT + 8, y + 16, 'no workload in this run', `font-size="11" fill="${COLOR.muted}"`))
  // Outage windows, named in place.
  for (const o of r.metrics.outages) {
    const a = c.sx(o.startT)
    const b = o.endT === null ? LEFT + PLOT_W : c.sx(o.endT)
    const label = o.ms === null ? 'outage: never recovered' : `outage ${(o.ms / 1000).toFixed(2)}s`
    if (b - a > label.length * CHAR_W + 6)
      parts.push(
        text((a + b) / 2, y + 16, label, 'font-size="11" font-weight="700" text-anchor="middle" fill="#fff"'),
      )
  }
  const lost = new Set(r.metrics.writes?.lostSeqs ?? [])
  for (const w of timeline.filter((e): e is WriteEvent => e.kind === 'write' && e.ok && lost.has(e.seq)))
    parts.push(
      `<rect class="write-lost" x="${c.sx(w.t).toFixed(1)}" y="${y - 7}" width="1.5" height="6" fill="${COLOR.lost}"/>`,
    )
  laneLabel('latency', yLat, LAT)
  parts.push(
    `<line x1="${LEFT}" y1="${yLat + LAT}" x2="${LEFT + PLOT_W}" y2="${yLat + LAT}" stroke="#8c959f"/>`,
    text(
      LEFT - 4,
      yLat + 8,
      `${Math.round(latMax)}ms`,
      `font-size="10" text-anchor="end" fill="${COLOR.text}"`,
    ),
    text(LEFT - 4, yLat + LAT, '0', `font-size="10" text-anchor="end" fill="${COLOR.text}"`),
  )
  return yLat + LAT
}

function vipLane(
  timeline: readonly TimelineEvent[],
  c: Ctx,
  y: number,
  parts: string[],
  laneLabel: (name: string, top: number, h: number) => void,
): number {
  const H = 20
  const samples = timeline
    .filter((e): e is ClusterEvent => e.kind === 'cluster' && e.phase === 'vip-holders')
    .sort((a, b) => a.t - b.t)
  laneLabel('VIP holder', y, H)
  if (!samples.length) {
    parts.push(text(LEFT + 8, y + 14, 'VIP not observed', `font-size="11" fill="${COLOR.muted}"`))
    return y + H
  }
  // Consecutive samples with the same holders form one stretch.
  const stretches: {holders: string[]; from: number; to: number}[] = []
  samples.forEach((s, i) => {
    const holders = [...(s.holders ?? [])].sort()
    const to = samples[i + 1]?.t ?? s.t + 500
    const last = stretches[stretches.length - 1]
    if (last && last.holders.join() === holders.join()) last.to = to
    else stretches.push({holders, from: s.t, to})
  })
  const fills = new Map<string, string>()
  for (const s of stretches)
    for (const h of s.holders)
      if (!fills.has(h)) fills.set(h, HOLDER_FILLS[fills.size % HOLDER_FILLS.length] as string)
  for (const s of stretches) {
    const a = c.sx(s.from)
    const b = Math.max(a + 1, c.sx(s.to))
    const n = s.holders.length
    const fill = n === 0 ? COLOR.none : n === 1 ? (fills.get(s.holders[0] as string) as string) : COLOR.split
    const name = n === 0 ? 'none' : s.holders.join('+')
    parts.push(
      `<rect class="vip-${Math.min(n, 2)}" x="${a.toFixed(1)}" y="${y}" width="${(b - a).toFixed(1)}" height="${H}" fill="${fill}"/>`,
    )
    if (b - a > name.length * CHAR_W + 4)
      parts.push(
        text(
          (a + b) / 2,
          y + 14,
          name,
          `font-size="11" font-weight="600" text-anchor="middle" fill="${n === 0 ? COLOR.text : '#fff'}"`,
        ),
      )
  }
  return y + H
}
