/** What the chaos reports (console, Markdown, HTML) say the same way: split brain and the configuration in force. Pure. */
import {formatDuration} from '../../core/duration.js'
import type {ChaosResult} from '../measure/result.js'

const rel = (ms: number | null): string => (ms === null ? '' : ` (+${(ms / 1000).toFixed(2)}s)`)
const clock = (iso: string): string => iso.slice(11, 23)

/** "aborted: why" for a run that was aborted (a signal, or an abort condition that tripped), else undefined. */
export function abortLine(r: ChaosResult): string | undefined {
  const a = r.abort
  if (!a) return undefined
  const at = a.atMs !== undefined ? `, ${(a.atMs / 1000).toFixed(2)}s after the injection` : ''
  const cond =
    a.condition !== undefined
      ? ` (abort condition "${a.condition}"${at}; the fault was reverted at once)`
      : ''
  return `aborted: ${a.reason}${cond}`
}

/** One line per split-brain window: which nodes held the VIP at once, from when to when (UTC). */
export function splitBrainLines(r: ChaosResult): string[] {
  return (r.metrics.splitBrain ?? []).map(
    (w) =>
      `SPLIT BRAIN: ${w.nodes.join(' and ')} held the VIP at the same time from ${clock(w.from)}Z${rel(w.fromMs)} to ${clock(w.to)}Z${rel(w.toMs)} UTC, ${w.samples} sample(s)`,
  )
}

const ms = (v: number | undefined): string => (v === undefined ? 'unknown' : formatDuration(v))

/** The configuration in force as label/value rows. */
export function configRows(r: ChaosResult): [string, string][] {
  const c = r.config
  if (!c) return []
  const rows: [string, string][] = [
    ['Corosync token', ms(c.corosync.tokenMs)],
    ['Corosync consensus', ms(c.corosync.consensusMs)],
  ]
  if (c.corosync.tokenCoefficientMs !== undefined)
    rows.push(['Corosync token_coefficient', ms(c.corosync.tokenCoefficientMs)])
  const p = c.pacemaker
  rows.push(['stonith-enabled', p.stonithEnabled === undefined ? 'unknown' : String(p.stonithEnabled)])
  rows.push(['stonith-timeout', p.stonithTimeout ?? 'unknown'])
  if (p.noQuorumPolicy) rows.push(['no-quorum-policy', p.noQuorumPolicy])
  if (p.priorityFencingDelay) rows.push(['priority-fencing-delay', p.priorityFencingDelay])
  if (p.stonithWatchdogTimeout) rows.push(['stonith-watchdog-timeout', p.stonithWatchdogTimeout])
  for (const d of c.fenceDevices) {
    const bits = [
      d.agent,
      d.targets ? `fences ${d.targets.join(', ')}` : 'targets discovered dynamically',
      d.delayBase ? `pcmk_delay_base ${d.delayBase}` : '',
      d.delayMax ? `pcmk_delay_max ${d.delayMax}` : '',
      d.powerWait ? `power_wait ${d.powerWait}` : '',
      d.rebootTimeout ? `pcmk_reboot_timeout ${d.rebootTimeout}` : '',
      d.disabled ? 'DISABLED' : '',
    ].filter(Boolean)
    rows.push([`fence device ${d.id}`, bits.join(' · ')])
  }
  if (!c.fenceDevices.length) rows.push(['fence devices', 'none configured'])
  rows.push(['RTO objective', ms(c.objectives.rtoMs)])
  rows.push(['RPO objective', ms(c.objectives.rpoMs)])
  if (c.readFrom) rows.push(['read from', `the CIB of ${c.readFrom}, before the fault`])
  return rows
}

const dur = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : formatDuration(v)

/** The measured values of a run as label/value rows (client view, writes, VIP, objectives, floor). */
export function metricRows(r: ChaosResult): [string, string][] {
  const m = r.metrics
  const rows: [string, string][] = [
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
  ]
  const w = m.writes
  if (w) {
    const measured = typeof m.lostWrites === 'number'
    rows.push(
      [
        'writes',
        `${w.attempted} sent: ${w.acked} acknowledged, ${w.failed} failed, ${w.unknown} unknown outcome`,
      ],
      [
        'lost acknowledged writes',
        measured
          ? `${m.lostWrites} of ${w.acked}${m.lostWrites ? ` (seq ${m.firstLostSeq ?? '?'}…${m.lastLostSeq ?? '?'})` : ''}`
          : 'not measured (the writes could not be read back)',
      ],
      ['RPO measured (first lost sent → last lost acknowledged)', measured ? dur(m.rpoMs) : '—'],
      ['RPO objective', dur(r.objectives.rpoMs)],
      [
        'read back',
        measured
          ? `${w.present ?? 0} rows from ${w.readFrom ?? '?'}; ${w.presentUnacked} committed without an acknowledgement${w.dropped ? '; table dropped' : ''}`
          : '—',
      ],
      ['primaries (in order)', w.primaries.join(' → ') || '—'],
      ['split-brain writes', String(m.splitBrainWrites ?? 0)],
    )
  }
  rows.push(
    ['VIP holders (max per sample)', `${m.maxVipHolders} in ${m.vipSamples} samples`],
    ['RTO objective', dur(r.objectives.rtoMs)],
    ['floor (token + consensus + fencing)', r.floor ? `${dur(r.floor.floorMs)} — ${r.floor.message}` : '—'],
  )
  return rows
}

const KEY_PHASES = ['node-lost', 'fence-requested', 'fence-confirmed', 'fence-failed', 'resource-started']

/** An excerpt's phase (or "a + b" group) that includes a phase of the failover itself. */
export function isKeyPhase(phase: string): boolean {
  return phase.split(' + ').some((p) => KEY_PHASES.includes(p))
}
