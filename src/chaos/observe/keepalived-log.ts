/**
 * keepalived's own log as the clock of a VRRP failover. After a run on an LB
 * pair, hacheck reads the keepalived lines of every LB's syslog and turns the
 * state transitions into timeline events (source `keepalived-log`), the node's
 * clock mapped onto the controller's by the measured offset. Parsing is pure.
 *
 * Where: the journal (`journalctl -t Keepalived_vrrp -o short-iso-precise`)
 * when it has the lines, else /var/log/syslog or /var/log/messages. Line forms
 * (the first two are rsyslog's RSYSLOG_FileFormat and journalctl's
 * short-iso-precise, both with sub-second time; the third is the traditional
 * format, whole seconds only):
 *
 *   2026-12-07T15:01:02.123456+00:00 lb2 Keepalived_vrrp[123]: (VI_WWW) Entering MASTER STATE
 *   2026-12-07T15:01:02.123456+0000 lb2 Keepalived_vrrp[123]: (VI_WWW) Entering MASTER STATE
 *   Dec  7 15:01:02 lb2 Keepalived_vrrp[123]: (VI_WWW) Entering MASTER STATE
 *
 * Phases: "(INSTANCE) Entering MASTER STATE" → vrrp-master (and vip-moved: a
 * MASTER adds its VIPs on entering the state), "Entering BACKUP STATE" →
 * vrrp-backup, "Entering FAULT STATE" → vrrp-fault, "Stopping" of the VRRP
 * child → vrrp-stopped. keepalived 1.x wrote "VRRP_Instance(VI_1) Entering …".
 */
import {parseTzOffset} from '../../facts/pacemaker-log.js'
import type {ClusterEvent, ClusterPhase} from '../timeline.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export interface KeepalivedLine {
  /** Epoch ms on the node's clock. */
  t: number
  /** The line had sub-second time. */
  precise: boolean
  host: string
  message: string
}

export function parseKeepalivedLine(
  line: string,
  year: number,
  tzOffsetMin: number,
): KeepalivedLine | undefined {
  let m =
    /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:?\d\d|Z) (\S+) (Keepalived\w*)\[\d+\]: (.*)$/.exec(
      line,
    )
  if (m) {
    const [, base = '', frac = '', tz = '', host = '', , message = ''] = m
    const off = tz === 'Z' ? 0 : parseTzOffset(tz)
    const t = Date.parse(`${base}Z`) - off * 60_000 + (frac ? Number(`0${frac}`) * 1000 : 0)
    if (Number.isNaN(t)) return undefined
    return {t, precise: frac !== '', host, message}
  }
  m =
    /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\S+) (Keepalived\w*)\[\d+\]: (.*)$/.exec(
      line,
    )
  if (!m) return undefined
  const [, mon = '', day = '', hh = '', mm = '', ss = '', frac = '', host = '', , message = ''] = m
  const month = MONTHS.indexOf(mon)
  if (month < 0) return undefined
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0
  const t = Date.UTC(year, month, Number(day), Number(hh), Number(mm), Number(ss), ms) - tzOffsetMin * 60_000
  return {t, precise: frac !== '', host, message}
}

/** The VRRP transition a keepalived message reports, with the instance name. */
export function classifyKeepalived(message: string): {phase: ClusterPhase; instance?: string} | undefined {
  const m = /^(?:VRRP_Instance)?\(([^)]+)\) Entering (MASTER|BACKUP|FAULT) STATE/.exec(message)
  if (m) {
    const phase = m[2] === 'MASTER' ? 'vrrp-master' : m[2] === 'BACKUP' ? 'vrrp-backup' : 'vrrp-fault'
    return {phase, instance: m[1]}
  }
  if (/^Stopping\b/.test(message)) return {phase: 'vrrp-stopped'}
  return undefined
}

/**
 * Phase events of one LB's keepalived log between fromT and toT (controller clock). A MASTER transition also
 * gives a `vip-moved` event: keepalived adds the VIPs as it enters MASTER.
 */
export function keepalivedPhaseEvents(
  text: string,
  opts: {node: string; year: number; tzOffsetMin: number; offsetMs: number; fromT: number; toT: number},
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  for (const raw of text.split('\n')) {
    const line = parseKeepalivedLine(raw, opts.year, opts.tzOffsetMin)
    if (!line) continue
    const t = line.t - opts.offsetMs
    if (t < opts.fromT || t > opts.toT) continue
    const c = classifyKeepalived(line.message)
    if (!c) continue
    const detail = `${opts.node}: ${line.message}${line.precise ? '' : ' (log time in whole seconds)'}`.slice(
      0,
      300,
    )
    const e: ClusterEvent = {
      kind: 'cluster',
      t,
      phase: c.phase,
      node: opts.node,
      source: 'keepalived-log',
      detail,
    }
    if (c.instance) e.resource = c.instance
    out.push(e)
    if (c.phase === 'vrrp-master') out.push({...e, phase: 'vip-moved'})
  }
  return out
}

/** Reads the node's year, time zone and keepalived lines (the journal when it has them, else syslog files). */
export function keepalivedLogScript(lines = 20_000): string {
  return [
    'date +%Y; date +%z',
    `j=$(journalctl -q --no-pager -o short-iso-precise -t Keepalived_vrrp -t Keepalived -n ${lines} 2>/dev/null)`,
    'if [ -n "$j" ]; then printf "%s\\n" "$j"; else',
    `  for f in /var/log/syslog /var/log/messages; do [ -f "$f" ] && tail -n ${lines * 5} "$f" | grep -a 'Keepalived'; done; fi`,
    'true',
  ].join('\n')
}
