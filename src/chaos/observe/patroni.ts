/**
 * The Patroni observer of a data-tier experiment (pure): each member's role and state polled from its own
 * REST API (`GET /patroni`, curl on the node: no Python started per poll), and the failover phases from
 * Patroni's log (millisecond timestamps): the leader lock lost or not renewed, the leader race, promotion,
 * demotion, PostgreSQL found down and restarted.
 */
import type {PhaseEvent, SystemObserver} from './data.js'

export const PATRONI_LOG = '/var/log/patroni/patroni.log'
const CONFIG = '/etc/patroni/config.yml'

/** "2026-12-07 16:19:30,123 INFO: …" */
const LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3}) (\w+): (.*)$/

const PATTERNS: {re: RegExp; what(m: RegExpExecArray): string}[] = [
  {
    re: /^promoted self to leader by acquiring session lock/,
    what: () => 'promoted: acquired the leader lock',
  },
  {re: /^Got response from (\S+) /, what: (m) => `leader race: ${m[1] ?? ''} answered`},
  {re: /^Could not take out TTL lock|^failed to (?:update|acquire) leader lock/, what: (m) => m[0]},
  {re: /^(?:Demoting self|demoting self because|Demoting) ?\(?(\w+)?/, what: () => 'demoting self'},
  {re: /^starting as a secondary/, what: () => 'starting as a replica'},
  {
    re: /^starting as readonly because i had the session lock/,
    what: () => 'restarting PostgreSQL, still holding the leader lock',
  },
  {
    re: /^(?:postmaster|PostgreSQL) (?:pid \d+ )?(?:is )?not running|^Postgresql is not running/i,
    what: () => 'PostgreSQL found not running',
  },
  {re: /^(?:doing crash recovery in a single user mode|Crash recovery)/i, what: () => 'crash recovery'},
  {re: /^(?:Lock owner: (\S+); I am (\S+))$/, what: (m) => `lock owner ${m[1] ?? ''}`},
  {re: /^no action\. I am \((\S+)\), the leader with the lock$/, what: () => 'leader with the lock'},
  {
    re: /^no action\. I am \((\S+)\), a secondary, and following a leader \((\S+)\)$/,
    what: (m) => `following ${m[2] ?? ''}`,
  },
]

export function parsePatroniLog(node: string, text: string): PhaseEvent[] {
  const out: PhaseEvent[] = []
  let last = ''
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trimEnd())
    if (!m) continue
    const t = Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}.${m[3] ?? '000'}Z`)
    const msg = m[5] ?? ''
    for (const p of PATTERNS) {
      const pm = p.re.exec(msg)
      if (!pm) continue
      const what = p.what(pm)
      // Patroni repeats its steady state every loop_wait: keep only changes.
      if (what !== last) out.push({t, node, system: 'patroni', what, source: 'log', resolutionMs: 1})
      last = what
      break
    }
  }
  return out
}

export function parsePatroniPoll(stdout: string, exitCode: number | null): string {
  if (exitCode !== 0 || !stdout.trim().startsWith('{')) return 'REST API not answering'
  try {
    const j = JSON.parse(stdout) as {role?: string; state?: string; timeline?: number}
    return `${j.role ?? '?'} ${j.state ?? '?'}${j.timeline !== undefined ? ` tl${j.timeline}` : ''}`
  } catch {
    return 'REST API answer not understood'
  }
}

export const patroniObserver: SystemObserver = {
  system: 'patroni',
  pollScript: [
    `rest=$(awk '/^restapi:/{f=1;next} f&&/^[^ #]/{f=0} f&&$1=="connect_address:"{print $2; exit}' ${CONFIG})`,
    'curl -s --max-time 2 "http://$rest/patroni"',
  ].join('\n'),
  parsePoll: parsePatroniPoll,
  logScript: (sinceS) =>
    [
      `s=$(date -u -d @${Math.floor(sinceS)} '+%Y-%m-%d %H:%M:%S')`,
      `awk -v s="$s" 'substr($0,1,19) >= s' ${PATRONI_LOG}`,
    ].join('\n'),
  parseLog: parsePatroniLog,
}

/** The members as Patroni's DCS lists them (run on any member, as root). */
export const PATRONI_LIST_SCRIPT = `patronictl -c ${CONFIG} list -f json`

export interface PatroniMember {
  Member: string
  Role: string
  State: string
}

/** `patronictl list -f json` → its members, or undefined when the output is not that list. */
export function parsePatroniList(stdout: string): PatroniMember[] | undefined {
  try {
    const j = JSON.parse(stdout) as unknown
    if (!Array.isArray(j)) return undefined
    return j
      .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
      .map((m) => ({Member: String(m.Member), Role: String(m.Role), State: String(m.State)}))
  } catch {
    return undefined
  }
}

/**
 * Why the Patroni cluster is not whole, or undefined: all `expected` members listed running or streaming, one of
 * them the leader. `mayStayOut` (a deposed asynchronous leader: diverged, no pg_rewind) may end in 'start
 * failed', never in a passing state.
 */
export function patroniNotWhole(
  ms: readonly PatroniMember[],
  o: {expected: number; mayStayOut?: string},
): string | undefined {
  const bad = ms.filter(
    (m) =>
      m.State !== 'running' &&
      m.State !== 'streaming' &&
      !(m.Member === o.mayStayOut && m.State === 'start failed'),
  )
  if (ms.length !== o.expected || bad.length)
    return `members: ${ms.map((m) => `${m.Member} ${m.Role} ${m.State}`).join(', ') || 'none listed'}`
  return ms.some((m) => m.Role === 'Leader') ? undefined : 'no leader'
}

/** Longer than Patroni's loop_wait (10 s): every member has rewritten its key in the DCS since. */
export const PATRONI_SETTLED_MS = 12_000

/**
 * Whole for longer than one Patroni loop: right after a partition heals the list can still show a member key
 * written before or during the cut (the deposed leader listed, then gone while its key expires, then
 * 'starting'); every member rewrites its key once per loop_wait. Feed it each verdict of patroniNotWhole.
 */
export function settledFor(ms: number): (why: string | undefined, nowMs: number) => string | undefined {
  let since: number | undefined
  return (why, nowMs) => {
    if (why !== undefined) {
      since = undefined
      return why
    }
    since ??= nowMs
    const held = nowMs - since
    return held >= ms ? undefined : `settled for ${held} ms of ${ms}`
  }
}
