/**
 * The Galera observer of a data-tier experiment (pure): each node's state polled with the mariadb client
 * (cluster status, size, local state), and the failover phases from MariaDB's error log: a peer lost
 * (suspected, timed out, declared inactive, forgotten), each new component (PRIM / NON_PRIM with its member count),
 * and the node's own state machine (SYNCED → OPEN, … → SYNCED). MariaDB's error log has a 1-second
 * resolution; the polled changes carry their window.
 */
import {shellQuote} from '../../core/shell.js'
import type {PhaseEvent, SystemObserver} from './data.js'

export const GALERA_ERROR_LOG = '/var/log/mysql/error.log'

const POLL_SQL =
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_cluster_size','wsrep_local_state_comment')"

/** "2026-12-07 15:30:01 0 [Note] WSREP: …" → epoch ms (the node's local time, as the host's: UTC here). */
const LINE = /^(\d{4}-\d{2}-\d{2}) {1,2}(\d{1,2}:\d{2}:\d{2}) +\d+ \[(\w+)\] WSREP: (.*)$/

interface Pattern {
  re: RegExp
  what(m: RegExpExecArray): string
}

const PATTERNS: Pattern[] = [
  {re: /suspecting node: (\S+)/, what: (m) => `suspects ${m[1] ?? ''}`},
  {re: /connection to peer \S+ with addr (\S+) timed out/, what: (m) => `peer ${m[1] ?? ''} timed out`},
  {
    re: /suspected node without join message, declaring inactive/,
    what: () => 'declares the suspected node inactive',
  },
  {re: /^forgetting (\S+) \((\S+)\)/, what: (m) => `forgets ${m[1] ?? ''} (${m[2] ?? ''})`},
  {
    re: /^view\(view_id\((PRIM|NON_PRIM),\S+?,(\d+)\)/,
    what: (m) => `view ${m[2] ?? '?'}: ${m[1] === 'PRIM' ? 'primary' : 'non-primary'} component`,
  },
  {
    re: /^New COMPONENT: primary = (yes|no),.*memb_num = (\d+)/,
    what: (m) => `new component: ${m[1] === 'yes' ? 'Primary' : 'non-Primary'}, ${m[2] ?? '?'} members`,
  },
  {re: /^Shifting (\S+) -> (\S+)/, what: (m) => `state ${m[1] ?? ''} → ${m[2] ?? ''}`},
  {re: /^Synchronized with group, ready for connections/, what: () => 'synced, ready for connections'},
]

export function parseGaleraLog(node: string, text: string): PhaseEvent[] {
  const out: PhaseEvent[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trimEnd())
    if (!m) continue
    const t = Date.parse(`${m[1] ?? ''}T${(m[2] ?? '').padStart(8, '0')}Z`)
    const msg = m[4] ?? ''
    for (const p of PATTERNS) {
      const pm = p.re.exec(msg)
      if (!pm) continue
      out.push({t, node, system: 'galera', what: p.what(pm), source: 'log', resolutionMs: 1000})
      break
    }
  }
  return out
}

export function parseGaleraPoll(stdout: string, exitCode: number | null): string {
  if (exitCode !== 0) return 'down'
  const v = new Map<string, string>()
  for (const l of stdout.split('\n')) {
    const i = l.indexOf('\t')
    if (i > 0) v.set(l.slice(0, i), l.slice(i + 1).trim())
  }
  const status = v.get('wsrep_cluster_status')
  if (status === undefined) return 'no wsrep status'
  return `${status} size ${v.get('wsrep_cluster_size') ?? '?'} ${v.get('wsrep_local_state_comment') ?? '?'}`
}

export const galeraObserver: SystemObserver = {
  system: 'galera',
  pollScript: `mariadb --connect-timeout=3 -N -B -e ${shellQuote(POLL_SQL)}`,
  parsePoll: parseGaleraPoll,
  logScript: (sinceS) => galeraLogScript(sinceS),
  parseLog: parseGaleraLog,
}

/**
 * The WSREP lines of MariaDB's error log from `sinceS` (epoch seconds) on. MariaDB pads the hour with a SPACE
 * ("2026-12-08  1:39:02"), so the line's own first 19 characters cannot be compared with a zero-padded time:
 * between 00:00 and 09:59 every line compared as earlier and the log was read empty. The time is padded first.
 */
export function galeraLogScript(sinceS: number, file = GALERA_ERROR_LOG): string {
  return [
    `s=$(date -u -d @${Math.floor(sinceS)} '+%Y-%m-%d %H:%M:%S')`,
    `awk -v s="$s" '/WSREP: / { t = $2; if (length(t) == 7) t = "0" t; if ($1 " " t >= s) print }' ${shellQuote(file)}`,
  ].join('\n')
}

/**
 * The recovered() predicate of a Galera experiment: undefined once every node's poll (galeraObserver.pollScript
 * run on it, read with parseGaleraPoll) is Primary, Synced, in one component of all of them; else why not.
 */
export function galeraNotWhole(states: readonly {node: string; state: string}[]): string | undefined {
  const whole = `Primary size ${states.length} Synced`
  const bad = states.filter((s) => s.state !== whole)
  return bad.length ? bad.map((s) => `${s.node}: ${s.state}`).join(', ') : undefined
}
