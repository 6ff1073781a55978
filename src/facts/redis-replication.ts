/**
 * redis-replication: `INFO replication` (and `INFO server` for the version and
 * mode) of every redis-server listening on the node.
 *
 * Discovery: the listening TCP sockets of redis-server processes (`ss -tlp`),
 * one per port; a wildcard or loopback bind is reached on 127.0.0.1, any other
 * bind on its own address. When /etc/redis/redis.conf (or /etc/redis.conf)
 * sets `requirepass`, the snippet passes it to redis-cli in REDISCLI_AUTH (the
 * environment, never argv, and it never leaves the node). INFO only reads.
 *
 * Per server two framed parts named `server <host>:<port>` and
 * `replication <host>:<port>`; INFO is `key:value` lines under `# Section`
 * headers, with CRLF line ends. A replica line on the master looks like
 * `slave0:ip=198.18.5.12,port=6379,state=online,offset=1234,lag=0`.
 *
 * Outcomes: no redis-cli → not-installed; no server running and redis-server
 * not installed → ABSENT_RC; installed but not running → exit 1.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScriptFor, splitParts} from './parts.js'
import {dict, lines, toInt} from './util.js'

/** A replica as the master sees it (slaveN line). */
export interface RedisReplicaLink {
  ip?: string
  port?: number
  /** online | wait_bgsave | send_bulk | … */
  state?: string
  offset?: number
  /** Seconds since the replica's last ack. */
  lagS?: number
}

export interface RedisInstance {
  /** host:port as connected to. */
  address: string
  error?: string
  version?: string
  /** standalone | cluster | sentinel */
  mode?: string
  /** master | slave */
  role?: string
  connectedReplicas?: number
  replicas: RedisReplicaLink[]
  masterHost?: string
  masterPort?: number
  /** up | down (on a replica). */
  masterLinkStatus?: string
  masterLastIoSecondsAgo?: number
  masterSyncInProgress?: boolean
  masterLinkDownSinceSeconds?: number
  masterReplOffset?: number
  /** slave_repl_offset on a replica. */
  replicaReplOffset?: number
  minReplicasGoodReplicas?: number
  /** `CONFIG GET min-replicas-*` (absent when CONFIG is disabled or renamed, or on a Sentinel). */
  minReplicasToWrite?: number
  minReplicasMaxLagS?: number
  /** Every key of INFO replication as printed. */
  fields: Record<string, string>
}

export interface RedisReplication {
  instances: RedisInstance[]
}

/** INFO text → key → value (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out = dict<string>()
  for (const raw of lines(text)) {
    const l = raw.replace(/\r$/, '')
    if (l === '' || l.startsWith('#')) continue
    const i = l.indexOf(':')
    if (i <= 0) throw new ParseError(`not an INFO line: ${l}`)
    out[l.slice(0, i)] = l.slice(i + 1)
  }
  return out
}

/** "ip=198.18.5.12,port=6379,state=online,offset=1234,lag=0" → the link. */
export function parseReplicaLink(v: string): RedisReplicaLink {
  const kv = dict<string>()
  for (const p of v.split(',')) {
    const i = p.indexOf('=')
    if (i > 0) kv[p.slice(0, i)] = p.slice(i + 1)
  }
  return {
    ip: kv['ip'],
    port: toInt(kv['port']),
    state: kv['state'],
    offset: toInt(kv['offset']),
    lagS: toInt(kv['lag']),
  }
}

function errorOf(body: string, rc: number | null): string | undefined {
  const first = lines(body)
    .map((l) => l.replace(/\r$/, '').trim())
    .find((l) => l !== '')
  if (rc !== 0) return first ?? `redis-cli exited ${rc ?? 'without a status'}`
  // redis-cli exits 0 on a server error reply (NOAUTH, ERR …) and prints the reply.
  if (first !== undefined && /^(\(error\) )?(ERR|NOAUTH|WRONGPASS|NOPERM|LOADING|MASTERDOWN)\b/.test(first))
    return first
  return undefined
}

export function parseRedisReplication(stdout: string): RedisReplication {
  const byAddr = new Map<string, RedisInstance>()
  for (const p of splitParts(stdout)) {
    const m = /^(server|replication|config) (.+)$/.exec(p.name)
    if (!m) continue
    const address = m[2] ?? ''
    const inst: RedisInstance = byAddr.get(address) ?? {address, replicas: [], fields: dict<string>()}
    byAddr.set(address, inst)
    if (m[1] === 'config') {
      // Raw reply: key line, value line. An error (CONFIG renamed, a Sentinel) only leaves these unknown.
      if (p.exitCode !== 0 || errorOf(p.body, p.exitCode) !== undefined) continue
      const ls = lines(p.body).map((l) => l.replace(/\r$/, ''))
      for (let i = 0; i + 1 < ls.length; i += 2) {
        if (ls[i] === 'min-replicas-to-write') inst.minReplicasToWrite = toInt(ls[i + 1])
        if (ls[i] === 'min-replicas-max-lag') inst.minReplicasMaxLagS = toInt(ls[i + 1])
      }
      continue
    }
    const err = errorOf(p.body, p.exitCode)
    if (err !== undefined) {
      inst.error ??= err
      continue
    }
    const kv = parseInfo(p.body)
    if (m[1] === 'server') {
      inst.version = kv['redis_version']
      inst.mode = kv['redis_mode']
      continue
    }
    inst.fields = kv
    inst.role = kv['role']
    inst.connectedReplicas = toInt(kv['connected_slaves'])
    inst.replicas = Object.keys(kv)
      .filter((k) => /^slave\d+$/.test(k))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((k) => parseReplicaLink(kv[k] ?? ''))
    inst.masterHost = kv['master_host']
    inst.masterPort = toInt(kv['master_port'])
    inst.masterLinkStatus = kv['master_link_status']
    inst.masterLastIoSecondsAgo = toInt(kv['master_last_io_seconds_ago'])
    inst.masterSyncInProgress =
      kv['master_sync_in_progress'] === undefined ? undefined : kv['master_sync_in_progress'] === '1'
    inst.masterLinkDownSinceSeconds = toInt(kv['master_link_down_since_seconds'])
    inst.masterReplOffset = toInt(kv['master_repl_offset'])
    inst.replicaReplOffset = toInt(kv['slave_repl_offset'])
    inst.minReplicasGoodReplicas = toInt(kv['min_slaves_good_slaves'])
  }
  if (byAddr.size === 0) throw new ParseError('no Redis server in the output')
  for (const inst of byAddr.values())
    if (inst.error === undefined && inst.role === undefined && inst.mode !== 'sentinel')
      inst.error = 'INFO replication has no role line'
  return {instances: [...byAddr.values()]}
}

const LISTENERS =
  `ss -tlpnH 2>/dev/null | awk '/users:\\(\\("redis-server"/ { a=$4; p=a; sub(/.*:/, "", p); h=a; sub(/:[^:]*$/, "", h); ` +
  `gsub(/[][]/, "", h); if (h=="*" || h=="0.0.0.0" || h=="::" || h=="::1") h="127.0.0.1"; ` +
  `if (!(p in H) || h=="127.0.0.1") H[p]=h } END { for (p in H) print H[p] ":" p }' | sort`

export const redisReplication = defineGatherer<RedisReplication>({
  id: 'redis-replication',
  description: 'Redis INFO replication (role, replicas and their lag, master link) of every running server',
  command:
    'redis-cli -h <addr> -p <port> INFO replication (and INFO server, CONFIG GET min-replicas-*) for each listening redis-server',
  script: [
    `l=$(${LISTENERS})`,
    'if [ -z "$l" ]; then',
    `  command -v redis-server >/dev/null 2>&1 || exit ${ABSENT_RC}`,
    '  echo "redis-server is installed on this node but no server is listening" >&2; exit 1',
    'fi',
    'for f in /etc/redis/redis.conf /etc/redis.conf; do',
    `  k=$(awk '$1=="requirepass" {print $2; exit}' "$f" 2>/dev/null)`,
    '  [ -n "$k" ] && { k=${k#\\"}; export REDISCLI_AUTH="${k%\\"}"; break; }',
    'done',
    'for a in $l; do',
    `  ${partScriptFor('"server $a"', 'redis-cli --no-auth-warning -h "${a%:*}" -p "${a##*:}" INFO server 2>&1')}`,
    `  ${partScriptFor('"replication $a"', 'redis-cli --no-auth-warning -h "${a%:*}" -p "${a##*:}" INFO replication 2>&1')}`,
    `  ${partScriptFor('"config $a"', `redis-cli --no-auth-warning -h "\${a%:*}" -p "\${a##*:}" CONFIG GET 'min-replicas-*' 2>&1`)}`,
    'done',
  ].join('\n'),
  requires: ['redis-cli'],
  whenAbsent: 'no Redis server on this node',
  parse: (out) => parseRedisReplication(out.stdout),
})
