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
import {SCRUBBED, scrubCib} from '../../facts/cibadmin.js'
import {parseLogLine} from '../../facts/pacemaker-log.js'
import type {ClusterEvent, ClusterPhase} from '../timeline.js'

export {parseReadLog, readLogScript} from '../../facts/pacemaker-log.js'

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

/** The same selection as LOG_GREP, for log text read whole (the run's own slice of the log). */
export const LOG_PHASE_RE =
  /state is now (lost|member)|Requesting fencing|wants to fence|Operation .*(targeting|for host)|was terminated|Result of (start|stop) operation|Quorum (lost|acquired|regained)/

export const LOG_FILE = '/var/log/pacemaker/pacemaker.log'

/** Prints the log's size in bytes (where the run's own lines will begin). */
export function logSizeScript(file = LOG_FILE): string {
  return `stat -c %s ${file} 2>/dev/null || echo 0`
}

/**
 * Year, zone and the lines written since the log had `fromByte` bytes (the
 * whole file when it shrank: rotated), at most `maxBytes`.
 */
export function readLogSliceScript(fromByte: number, file = LOG_FILE, maxBytes = 4_000_000): string {
  const off = Math.max(0, Math.floor(fromByte))
  return [
    'date +%Y; date +%z',
    `s=$(stat -c %s ${file} 2>/dev/null || echo 0)`,
    `if [ "$s" -ge ${off} ]; then tail -c +${off + 1} ${file}; else cat ${file}; fi 2>/dev/null | head -c ${maxBytes}`,
    'true',
  ].join('; ')
}

/** One line of a node's Pacemaker log, on the controller's clock. */
export interface NodeLogLine {
  node: string
  t: number
  daemon: string
  level: string
  message: string
}

/** Every line of a log slice that parses, with the node's clock offset removed (pure). */
export function parseLogSlice(
  text: string,
  opts: {node: string; year: number; tzOffsetMin: number; offsetMs: number},
): NodeLogLine[] {
  const out: NodeLogLine[] = []
  for (const raw of text.split('\n')) {
    const l = parseLogLine(raw, opts.year, opts.tzOffsetMin)
    if (l)
      out.push({
        node: opts.node,
        t: l.t - opts.offsetMs,
        daemon: l.daemon,
        level: l.level,
        message: l.message,
      })
  }
  return out
}

export interface LogExcerptLine {
  node: string
  /** ms after the injection. */
  atMs: number
  daemon: string
  level: string
  message: string
}

export interface LogExcerpt {
  /** The phase, or phases close enough to share their lines ("node-lost + fence-requested"). */
  phase: string
  atMs: number
  lines: LogExcerptLine[]
}

const LEVEL_RANK: Record<string, number> = {
  crit: 0,
  error: 0,
  err: 0,
  warning: 1,
  warn: 1,
  notice: 2,
  info: 3,
}

/**
 * A log message with secrets taken out: the value of a secret-looking CIB
 * nvpair (Pacemaker logs CIB diffs) and of `name=value` words whose name looks
 * like a secret (fence agent arguments).
 */
export function scrubLogMessage(message: string): string {
  return scrubCib(message).replace(
    /\b([\w-]*(?:pass|secret|token|credential|community)[\w-]*)=("[^"]*"|'[^']*'|\S+)/gi,
    `$1=${SCRUBBED}`,
  )
}

/**
 * The cluster's own log lines around each phase (pure): the lines within
 * [phase − beforeMs, phase + afterMs]; phases closer together than afterMs
 * share one excerpt. The most severe lines are kept when there are more than
 * `max` (per phase in the excerpt, at most 2 × max), shown in time order,
 * secrets scrubbed, messages cut at 300 characters.
 */
export function logExcerpts(
  lines: readonly NodeLogLine[],
  phases: readonly {name: string; atMs: number}[],
  injectedAt: number,
  opts: {beforeMs?: number; afterMs?: number; max?: number} = {},
): LogExcerpt[] {
  const before = opts.beforeMs ?? 1500
  const after = opts.afterMs ?? 1500
  const max = opts.max ?? 12
  const groups: {names: string[]; first: number; last: number}[] = []
  for (const p of [...phases].sort((a, b) => a.atMs - b.atMs)) {
    const g = groups[groups.length - 1]
    if (g && p.atMs - g.last <= after) {
      g.names.push(p.name)
      g.last = p.atMs
    } else groups.push({names: [p.name], first: p.atMs, last: p.atMs})
  }
  return groups.map((g) => {
    const from = injectedAt + g.first - before
    const to = injectedAt + g.last + after
    const mid = injectedAt + (g.first + g.last) / 2
    const cap = Math.min(2 * max, max * g.names.length)
    const near = lines.filter((l) => l.t >= from && l.t <= to)
    const kept =
      near.length <= cap
        ? near
        : [...near]
            .sort(
              (a, b) =>
                (LEVEL_RANK[a.level] ?? 4) - (LEVEL_RANK[b.level] ?? 4) ||
                Math.abs(a.t - mid) - Math.abs(b.t - mid),
            )
            .slice(0, cap)
    return {
      phase: g.names.join(' + '),
      atMs: g.first,
      lines: [...kept]
        .sort((a, b) => a.t - b.t)
        .map((l) => {
          const message = scrubLogMessage(l.message)
          return {
            node: l.node,
            atMs: Math.round(l.t - injectedAt),
            daemon: l.daemon,
            level: l.level,
            message: message.length > 300 ? `${message.slice(0, 300)}…` : message,
          }
        }),
    }
  })
}
