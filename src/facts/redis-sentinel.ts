/**
 * redis-sentinel: what every Redis Sentinel running on the node says about the masters it monitors:
 * `INFO sentinel` (one `masterN:name=…,status=…,address=H:P,slaves=N,sentinels=N` line per master), then
 * per master `SENTINEL master NAME` (quorum, flags, num-other-sentinels, down-after-milliseconds),
 * `SENTINEL sentinels NAME` (the other Sentinels it knows, with their addresses) and
 * `SENTINEL ckquorum NAME` (whether the quorum and a majority are reachable now). All read-only.
 *
 * Discovery: listening TCP sockets of redis-server/redis-sentinel processes (`ss -tlp`) whose
 * `INFO server` says `redis_mode:sentinel`. redis-cli writes raw replies when not on a terminal: a map
 * is one key line then one value line; an array of maps repeats that, each map starting with `name`.
 * Framed parts: `info H:P`, `master H:P NAME`, `sentinels H:P NAME`, `ckquorum H:P NAME`.
 *
 * Outcomes: no redis-cli → not-installed; no Sentinel listening → ABSENT_RC (not a Sentinel node).
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScriptFor, splitParts} from './parts.js'
import {dict, lines, toInt} from './util.js'

export interface SentinelPeer {
  name?: string
  ip?: string
  port?: number
  flags: string[]
  lastHelloMs?: number
}

export interface SentinelMaster {
  name: string
  /** ok | odown | sdown … (INFO sentinel) */
  status?: string
  ip?: string
  port?: number
  flags: string[]
  quorum?: number
  /** Sentinels this one knows besides itself. */
  numOtherSentinels?: number
  numReplicas?: number
  downAfterMs?: number
  failoverTimeoutMs?: number
  peers: SentinelPeer[]
  /** SENTINEL ckquorum: true when it answered OK. */
  ckquorumOk?: boolean
  ckquorum?: string
  /** Every key of `SENTINEL master NAME`. */
  fields: Record<string, string>
}

export interface SentinelInstance {
  /** host:port as connected to. */
  address: string
  error?: string
  masters: SentinelMaster[]
}

export interface RedisSentinel {
  sentinels: SentinelInstance[]
}

const clean = (body: string): string[] => lines(body).map((l) => l.replace(/\r$/, ''))

/** Raw redis-cli key/value lines → maps (a new map starts at every `first` key). */
export function rawMaps(body: string, first = 'name'): Record<string, string>[] {
  const ls = clean(body).filter((l, i, a) => !(l === '' && i === a.length - 1))
  const out: Record<string, string>[] = []
  for (let i = 0; i + 1 < ls.length; i += 2) {
    const k = ls[i] as string
    const v = ls[i + 1] as string
    if (k === first || out.length === 0) out.push(dict<string>())
    ;(out[out.length - 1] as Record<string, string>)[k] = v
  }
  return out
}

/** `name=sessions,status=ok,address=198.18.2.61:6379,slaves=2,sentinels=3` → fields. */
function infoMaster(v: string): Record<string, string> {
  const kv = dict<string>()
  for (const p of v.split(',')) {
    const i = p.indexOf('=')
    if (i > 0) kv[p.slice(0, i)] = p.slice(i + 1)
  }
  return kv
}

function replyError(body: string, rc: number | null): string | undefined {
  const first = clean(body).find((l) => l.trim() !== '')
  if (rc !== 0) return first ?? `redis-cli exited ${rc ?? 'without a status'}`
  if (first !== undefined && /^(\(error\) )?(ERR|NOAUTH|WRONGPASS|NOPERM|LOADING)\b/.test(first)) return first
  return undefined
}

export function parseRedisSentinel(stdout: string): RedisSentinel {
  const byAddr = new Map<string, SentinelInstance>()
  const inst = (a: string): SentinelInstance => {
    const x = byAddr.get(a) ?? {address: a, masters: []}
    byAddr.set(a, x)
    return x
  }
  const master = (s: SentinelInstance, name: string): SentinelMaster => {
    let m = s.masters.find((x) => x.name === name)
    if (!m) {
      m = {name, flags: [], peers: [], fields: dict<string>()}
      s.masters.push(m)
    }
    return m
  }
  for (const p of splitParts(stdout)) {
    const m = /^(info|master|sentinels|ckquorum) (\S+)(?: (.+))?$/.exec(p.name)
    if (!m) continue
    const [, kind = '', addr = '', name = ''] = m
    const s = inst(addr)
    if (kind === 'ckquorum') {
      const text = clean(p.body).find((l) => l.trim() !== '') ?? ''
      const mm = master(s, name)
      mm.ckquorum = text
      mm.ckquorumOk = p.exitCode === 0 && /^OK\b/.test(text)
      continue
    }
    const err = replyError(p.body, p.exitCode)
    if (err !== undefined) {
      s.error ??= `${kind}${name ? ` ${name}` : ''}: ${err}`
      continue
    }
    if (kind === 'info') {
      for (const l of clean(p.body)) {
        const i = /^master\d+:(.*)$/.exec(l)
        if (!i) continue
        const kv = infoMaster(i[1] ?? '')
        if (!kv['name']) throw new ParseError(`INFO sentinel master line without a name: ${l}`)
        const mm = master(s, kv['name'])
        mm.status = kv['status']
        const a = /^(.*):(\d+)$/.exec(kv['address'] ?? '')
        if (a) {
          mm.ip = a[1]
          mm.port = Number(a[2])
        }
      }
      continue
    }
    if (kind === 'master') {
      const f = rawMaps(p.body)[0] ?? dict<string>()
      const mm = master(s, name)
      mm.fields = f
      mm.ip = f['ip'] ?? mm.ip
      mm.port = toInt(f['port']) ?? mm.port
      mm.flags = (f['flags'] ?? '').split(',').filter((x) => x !== '')
      mm.quorum = toInt(f['quorum'])
      mm.numOtherSentinels = toInt(f['num-other-sentinels'])
      mm.numReplicas = toInt(f['num-slaves'])
      mm.downAfterMs = toInt(f['down-after-milliseconds'])
      mm.failoverTimeoutMs = toInt(f['failover-timeout'])
      continue
    }
    master(s, name).peers = rawMaps(p.body).map((f) => ({
      name: f['name'],
      ip: f['ip'],
      port: toInt(f['port']),
      flags: (f['flags'] ?? '').split(',').filter((x) => x !== ''),
      lastHelloMs: toInt(f['last-hello-message']),
    }))
  }
  if (byAddr.size === 0) throw new ParseError('no Sentinel in the output')
  return {sentinels: [...byAddr.values()]}
}

const LISTENERS =
  `ss -tlpnH 2>/dev/null | awk '/users:\\(\\("redis-(server|sentinel)"/ { a=$4; p=a; sub(/.*:/, "", p); h=a; sub(/:[^:]*$/, "", h); ` +
  `gsub(/[][]/, "", h); if (h=="*" || h=="0.0.0.0" || h=="::" || h=="::1") h="127.0.0.1"; ` +
  `if (!(p in H) || h=="127.0.0.1") H[p]=h } END { for (p in H) print H[p] ":" p }' | sort`

const cli = 'redis-cli --no-auth-warning -h "${a%:*}" -p "${a##*:}"'

export const redisSentinel = defineGatherer<RedisSentinel>({
  id: 'redis-sentinel',
  command:
    'redis-cli -p <port> INFO sentinel, SENTINEL master|sentinels|ckquorum <name> for each listening Sentinel',
  description: 'Redis Sentinel: the masters each Sentinel monitors, its quorum, the other Sentinels it knows',
  script: [
    'n=0',
    `for a in $(${LISTENERS}); do`,
    `  ${cli} INFO server 2>/dev/null | grep -q '^redis_mode:sentinel' || continue; n=$((n+1))`,
    `  ${partScriptFor('"info $a"', `${cli} INFO sentinel 2>&1`)}`,
    `  for m in $(${cli} INFO sentinel 2>/dev/null | sed -n 's/^master[0-9]*:name=\\([^,]*\\),.*/\\1/p'); do`,
    `    ${partScriptFor('"master $a $m"', `${cli} SENTINEL master "$m" 2>&1`)}`,
    `    ${partScriptFor('"sentinels $a $m"', `${cli} SENTINEL sentinels "$m" 2>&1`)}`,
    `    ${partScriptFor('"ckquorum $a $m"', `${cli} SENTINEL ckquorum "$m" 2>&1`)}`,
    '  done',
    'done',
    `[ "$n" -gt 0 ] || exit ${ABSENT_RC}`,
  ].join('\n'),
  requires: ['redis-cli'],
  whenAbsent: 'no Redis Sentinel runs on this node',
  parse: (out) => parseRedisSentinel(out.stdout),
})
