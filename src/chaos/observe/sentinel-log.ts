/**
 * Redis Sentinel's own log as the clock of a session-store failover. After a run, hacheck reads the
 * Sentinel log of every node with role session (/var/log/redis/redis-sentinel.log, Debian's default, or the
 * journal of redis-sentinel) and turns the failover events into timeline events (source `sentinel-log`),
 * the node's clock mapped onto the controller's. Pure parsing; the line form (Redis 5-7):
 *
 *   4711:X 07 Dec 2026 15:01:02.123 # +switch-master sessions 198.18.2.61 6379 198.18.2.62 6379
 *
 * Phases: `+sdown master` → store-sdown (this Sentinel thinks the master is down), `+odown master` →
 * store-odown (the quorum agrees), `+switch-master` → store-switched (the replica is promoted and every
 * client asking the Sentinels now gets the new master). The earliest line over all Sentinels counts.
 */
import type {CommandRunner, NodeSpec} from '../../core/types.js'
import type {ClockOffset} from './clock.js'
import {readDaemonLogs} from './daemon-logs.js'
import type {ClusterEvent, ClusterPhase} from '../timeline.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export function parseSentinelLine(
  line: string,
  tzOffsetMin: number,
): {t: number; event: string; args: string[]} | undefined {
  const m =
    /^\d+:X (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) [#*.-] ([+-][\w-]+) ?(.*)$/.exec(
      line,
    )
  if (!m) return undefined
  const [, dd = '', mon = '', yyyy = '', hh = '', mi = '', ss = '', ms = '', event = '', rest = ''] = m
  const month = MONTHS.indexOf(mon)
  if (month < 0) return undefined
  const t =
    Date.UTC(Number(yyyy), month, Number(dd), Number(hh), Number(mi), Number(ss), Number(ms)) -
    tzOffsetMin * 60_000
  return {t, event, args: rest.split(/\s+/).filter((x) => x !== '')}
}

function phaseOf(event: string, args: readonly string[]): ClusterPhase | undefined {
  if (event === '+sdown' && args[0] === 'master') return 'store-sdown'
  if (event === '+odown' && args[0] === 'master') return 'store-odown'
  if (event === '+switch-master') return 'store-switched'
  return undefined
}

/** Failover events of one node's Sentinel log between fromT and toT (controller clock). */
export function sentinelPhaseEvents(
  text: string,
  opts: {node: string; tzOffsetMin: number; offsetMs: number; fromT: number; toT: number},
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  for (const raw of text.split('\n')) {
    const l = parseSentinelLine(raw.trim(), opts.tzOffsetMin)
    if (!l) continue
    const t = l.t - opts.offsetMs
    if (t < opts.fromT || t > opts.toT) continue
    const phase = phaseOf(l.event, l.args)
    if (!phase) continue
    const e: ClusterEvent = {
      kind: 'cluster',
      t,
      phase,
      source: 'sentinel-log',
      detail: `${opts.node} sentinel: ${l.event} ${l.args.join(' ')}`.slice(0, 300),
    }
    // +switch-master NAME OLDIP OLDPORT NEWIP NEWPORT: the new master's address is the "node".
    if (phase === 'store-switched' && l.args[3]) e.node = `${l.args[3]}:${l.args[4] ?? ''}`
    if (phase !== 'store-switched' && l.args[2]) e.node = `${l.args[2]}:${l.args[3] ?? ''}`
    if (l.args[0] === 'master' && l.args[1]) e.resource = l.args[1]
    if (phase === 'store-switched' && l.args[0]) e.resource = l.args[0]
    out.push(e)
  }
  return out
}

export function sentinelLogScript(lines = 20_000): string {
  return [
    'date +%Y; date +%z',
    `f=/var/log/redis/redis-sentinel.log; if [ -f "$f" ]; then tail -n ${lines} "$f"; else journalctl -q --no-pager -o cat -u redis-sentinel -n ${lines} 2>/dev/null; fi`,
    'true',
  ].join('\n')
}

/** Sentinel failover events from every session node (the earliest of each phase first). */
export async function readSentinelLogs(
  runner: CommandRunner,
  nodes: readonly NodeSpec[],
  offsets: ReadonlyMap<string, ClockOffset>,
  fromT: number,
  toT: number,
): Promise<ClusterEvent[]> {
  const events = await readDaemonLogs(runner, nodes, offsets, sentinelLogScript(), (l) =>
    sentinelPhaseEvents(l.text, {...l, fromT, toT}),
  )
  // Every Sentinel logs the same transition: keep the earliest per phase.
  const best = new Map<string, ClusterEvent>()
  for (const e of events) {
    const prev = best.get(e.phase)
    if (!prev || e.t < prev.t) best.set(e.phase, e)
  }
  return [...best.values()].sort((a, b) => a.t - b.t)
}
