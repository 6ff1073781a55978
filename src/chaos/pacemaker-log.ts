/**
 * Pacemaker's own log as a clock for the failover phases. After a run, hacheck
 * reads /var/log/pacemaker/pacemaker.log on the surviving nodes and turns the
 * lines that mark a phase into timeline events (source `pacemaker-log`), with
 * the node's clock mapped onto the controller's by the measured offset.
 * Lines are read by src/facts/pacemaker-log.ts (Pacemaker 2.1 format).
 *
 * Which lines mark which phase:
 * - node-lost:        "Node n1 state is now lost"
 * - node-rejoined:    "Node n1 state is now member" (after a loss)
 * - fence-requested:  "Requesting fencing (reboot) of node n1" (controld) or
 *                     "Client … wants to fence (reboot) n1" (fenced)
 * - fence-confirmed:  "Operation 'reboot' [..] targeting n1 … : OK" (fenced) or
 *                     "Peer n1 was terminated (reboot) by … : OK" (controld)
 * - fence-failed:     the same with a result other than OK
 * - resource-started: "Result of start operation for RSC on NODE: ok"
 * - resource-stopped: "Result of stop operation for RSC on NODE: ok"
 * - quorum-lost / -regained: "Quorum lost" / "Quorum acquired"
 */
import {parseLogLine} from '../facts/pacemaker-log.js'
import type {ClusterEvent, ClusterPhase} from './timeline.js'

export {parseReadLog, readLogScript} from '../facts/pacemaker-log.js'

interface Match {
  phase: ClusterPhase
  node?: string
  resource?: string
  detail?: string
}

export function classify(message: string, serviceResources?: ReadonlySet<string>): Match | undefined {
  let m = /^(?:\w+: )?Node (\S+) state is now (lost|member)/.exec(message)
  if (m) return {phase: m[2] === 'lost' ? 'node-lost' : 'node-rejoined', node: m[1]}
  m = /Requesting fencing \((\w+)\) (?:of node|targeting node) (\S+)/.exec(message)
  if (m) return {phase: 'fence-requested', node: m[2], detail: m[1]}
  m = /Client \S+ wants to fence \((\w+)\) '?([^'\s]+)'?/.exec(message)
  if (m) return {phase: 'fence-requested', node: m[2], detail: m[1]}
  m =
    /^Operation '?(\w+)'? (?:\[\d+\] )?targeting (\S+?)(?: using \S+)?(?: by \S+)?(?: for \S+)?: ([^(|]+?)\s*(?:\(|\||$)/.exec(
      message,
    )
  if (m) {
    const result = (m[3] ?? '').trim()
    const ok = result === 'OK' || result === 'complete'
    return {phase: ok ? 'fence-confirmed' : 'fence-failed', node: m[2], detail: `${m[1]}: ${result}`}
  }
  m = /^Operation '?(\w+)'? \[\d+\] targeting (\S+) using \S+ returned (-?\d+)/.exec(message)
  if (m)
    return {
      phase: m[3] === '0' ? 'fence-confirmed' : 'fence-failed',
      node: m[2],
      detail: `${m[1]}: rc ${m[3]}`,
    }
  m = /Peer (\S+) was terminated \((\w+)\) by \S+ on behalf of \S+: (.+?)(?: \||$)/.exec(message)
  if (m)
    return {phase: m[3] === 'OK' ? 'fence-confirmed' : 'fence-failed', node: m[1], detail: `${m[2]}: ${m[3]}`}
  m = /Result of (start|stop) operation for (\S+) on (\S+): (\S+)/.exec(message)
  if (m && (m[4] === 'ok' || m[4] === 'OK')) {
    if (serviceResources && !serviceResources.has(m[2] as string)) return undefined
    return {phase: m[1] === 'start' ? 'resource-started' : 'resource-stopped', resource: m[2], node: m[3]}
  }
  if (/\bQuorum lost\b/i.test(message)) return {phase: 'quorum-lost'}
  if (/\bQuorum (acquired|regained)\b/i.test(message)) return {phase: 'quorum-regained'}
  return undefined
}

/**
 * Phase events from one node's log lines, between `fromT` and `toT`
 * (controller clock), with the node's clock offset (node − controller, ms)
 * removed. Only the first line per (phase, node, resource) is kept: the same
 * fact is logged by several daemons.
 */
export function logPhaseEvents(
  text: string,
  opts: {
    node: string
    year: number
    tzOffsetMin: number
    offsetMs: number
    fromT: number
    toT: number
    serviceResources?: ReadonlySet<string>
  },
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  const seen = new Set<string>()
  for (const raw of text.split('\n')) {
    const line = parseLogLine(raw, opts.year, opts.tzOffsetMin)
    if (!line) continue
    const t = line.t - opts.offsetMs
    if (t < opts.fromT || t > opts.toT) continue
    const c = classify(line.message, opts.serviceResources)
    if (!c) continue
    const key = `${c.phase}|${c.node ?? ''}|${c.resource ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    const e: ClusterEvent = {
      kind: 'cluster',
      t,
      phase: c.phase,
      source: 'pacemaker-log',
      detail: `${opts.node} ${line.daemon}: ${line.message}`.slice(0, 300),
    }
    if (c.node) e.node = c.node
    if (c.resource) e.resource = c.resource
    out.push(e)
  }
  return out
}
