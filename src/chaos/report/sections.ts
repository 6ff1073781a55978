/** What the chaos reports (console, Markdown, HTML) say the same way: split brain and the configuration in force. Pure. */
import {formatDuration} from '../../core/duration.js'
import type {ChaosResult} from '../result.js'

const rel = (ms: number | null): string => (ms === null ? '' : ` (+${(ms / 1000).toFixed(2)}s)`)
const clock = (iso: string): string => iso.slice(11, 23)

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
