/**
 * The etcd observer of a data-tier experiment (pure): each member's own view polled from its local
 * endpoint (`etcdctl endpoint status -w json`: leader or follower, raft term), and the leader election
 * from etcd's own log: elections started, leaders elected or lost (per member, with the term), leadership
 * transfers, peers becoming unreachable.
 *
 * etcd writes two log formats: capnslog (3.4's default: `2026-12-07 18:09:32.912862 I | pkg: msg`, its raft
 * lines `raft2026/12/07 18:09:27 INFO: msg` with 1 s resolution) and zap (`--logger=zap`, 3.5's default: one
 * JSON object a line, ms resolution). Both carry the same raft messages. Member ids (16 hex digits) are
 * named with the member list the log script prints first (`#member` lines). Timestamps are read as UTC.
 */
import type {PhaseEvent, SystemObserver} from './data.js'

/** The lab's etcd writes its output there (lab/services.sh); elsewhere etcd logs to the journal. */
export const ETCD_LAB_LOG = '/var/log/hacheck/etcd.out'

const ID = '([0-9a-f]{1,16})'

const PATTERNS: {re: RegExp; what(m: RegExpExecArray, name: (id: string) => string): string}[] = [
  {
    re: new RegExp(`^raft\\.node: ${ID} elected leader ${ID} at term (\\d+)`),
    what: (m, name) => `elected leader ${name(m[2] ?? '')} (term ${m[3] ?? '?'})`,
  },
  {
    re: new RegExp(`^raft\\.node: ${ID} lost leader ${ID} at term (\\d+)`),
    what: (m, name) => `lost leader ${name(m[2] ?? '')} (term ${m[3] ?? '?'})`,
  },
  {
    re: new RegExp(`^${ID} is starting a new election at term (\\d+)`),
    what: (m) => `election started (term ${m[2] ?? '?'})`,
  },
  {re: new RegExp(`^${ID} became leader at term (\\d+)`), what: (m) => `became leader (term ${m[2] ?? '?'})`},
  {
    re: new RegExp(`^${ID} starts leadership transfer from ${ID} to ${ID}`),
    what: (m, name) => `leadership transfer ${name(m[2] ?? '')} → ${name(m[3] ?? '')}`,
  },
  {re: /^skipped leadership transfer/, what: () => 'leadership transfer skipped'},
  {
    re: new RegExp(`^peer ${ID} became inactive`),
    what: (m, name) => `peer ${name(m[1] ?? '')} unreachable`,
  },
  {re: new RegExp(`^peer ${ID} became active`), what: (m, name) => `peer ${name(m[1] ?? '')} reachable`},
  {re: /^received (\w+) signal, shutting down/, what: (m) => `shutting down (${m[1] ?? '?'} signal)`},
]

/** capnslog: "2026-12-07 18:09:32.912862 I | etcdserver: msg" */
const CAPNS = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{3})\d* [A-Z] \| [\w.-]+: (.*)$/
/** capnslog's raft logger: "raft2026/12/07 18:09:27 INFO: msg" */
const RAFT = /^raft(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}) [A-Z]+: (.*)$/

function lineOf(line: string): {t: number; msg: string; resolutionMs: number} | undefined {
  let m = CAPNS.exec(line)
  if (m)
    return {t: Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}.${m[3] ?? ''}Z`), msg: m[4] ?? '', resolutionMs: 1}
  m = RAFT.exec(line)
  if (m)
    return {
      t: Date.parse(`${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}T${m[4] ?? ''}Z`),
      msg: m[5] ?? '',
      resolutionMs: 1000,
    }
  if (!line.startsWith('{')) return undefined
  try {
    const j = JSON.parse(line) as {ts?: unknown; msg?: unknown}
    const t = typeof j.ts === 'string' ? Date.parse(j.ts) : NaN
    if (Number.isNaN(t) || typeof j.msg !== 'string') return undefined
    return {t, msg: j.msg, resolutionMs: 1}
  } catch {
    return undefined
  }
}

/** "#member 2e1259d415f2a040, started, p1, http://…, http://…, false" → id → name. */
function memberNames(text: string): Map<string, string> {
  const names = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^#member ([0-9a-f]+), \w+, ([^,]+),/.exec(line)
    if (m?.[1] && m[2]) names.set(m[1], m[2].trim())
  }
  return names
}

export function parseEtcdLog(node: string, text: string): PhaseEvent[] {
  const names = memberNames(text)
  const name = (id: string): string => names.get(id) ?? id
  const out: PhaseEvent[] = []
  for (const raw of text.split('\n')) {
    const l = lineOf(raw.trimEnd())
    if (!l || Number.isNaN(l.t)) continue
    for (const p of PATTERNS) {
      const m = p.re.exec(l.msg)
      if (!m) continue
      out.push({
        t: l.t,
        node,
        system: 'etcd',
        what: p.what(m, name),
        source: 'log',
        resolutionMs: l.resolutionMs,
      })
      break
    }
  }
  return out
}

/** `etcdctl endpoint status -w json` of the local member: "leader term 3", "follower term 3" (ids as text: uint64). */
export function parseEtcdPoll(stdout: string, exitCode: number | null): string {
  if (exitCode !== 0) return 'etcd not answering'
  const member = /"member_id":(\d+)/.exec(stdout)?.[1]
  const leader = /"leader":(\d+)/.exec(stdout)?.[1]
  const term = /"raft_term":(\d+)/.exec(stdout)?.[1]
  if (!member || !leader) return 'etcd status not understood'
  return `${member === leader ? 'leader' : leader === '0' ? 'no leader' : 'follower'} term ${term ?? '?'}`
}

const SINCE_AWK = [
  '{ t = ""',
  'if ($0 ~ /^raft[0-9][0-9][0-9][0-9]\\//) t = substr($0, 5, 19)',
  'else if ($0 ~ /^[0-9][0-9][0-9][0-9]-/) t = substr($0, 1, 19)',
  'else if (match($0, /"ts":"[^"]*"/)) t = substr($0, RSTART + 6, 19)',
  'gsub(/\\//, "-", t); sub(/T/, " ", t)',
  'if (t != "" && t >= s) print }',
].join('; ')

export const etcdObserver: SystemObserver = {
  system: 'etcd',
  pollScript: 'etcdctl --command-timeout=2s endpoint status -w json',
  parsePoll: parseEtcdPoll,
  logScript: (sinceS) =>
    [
      `s=$(date -u -d @${Math.floor(sinceS)} '+%Y-%m-%d %H:%M:%S')`,
      "etcdctl --command-timeout=3s member list 2>/dev/null | sed 's/^/#member /'",
      // Lines of every format at or after s (their time rewritten as "YYYY-MM-DD HH:MM:SS" to compare).
      `since() { awk -v s="$s" '${SINCE_AWK}'; }`,
      `if [ -f ${ETCD_LAB_LOG} ]; then since < ${ETCD_LAB_LOG}; else journalctl -u etcd -o cat --no-pager --since "$s" 2>/dev/null; fi`,
    ].join('\n'),
  parseLog: parseEtcdLog,
}
