/**
 * mysql-replica: replication state of every MySQL or MariaDB server running on
 * the node, from its own client over its Unix socket.
 *
 * Discovery: the listening Unix sockets of mysqld/mariadbd processes
 * (`ss -xlp`), so several instances and non-default socket paths are found.
 * The client runs as root with its usual option files (root's ~/.my.cnf;
 * MariaDB and Debian/Ubuntu MySQL let root in over the socket with
 * unix_socket/auth_socket, no password). Statements are SHOW and SELECT only.
 *
 * Per server, four framed parts named `<what> <socket>`:
 * - `replica-status`: `SHOW REPLICA STATUS\G` (MySQL 8.0.22+, MariaDB
 *   10.5.1+), falling back to `SHOW SLAVE STATUS\G`; field names are kept as
 *   printed (Replica_IO_Running or Slave_IO_Running, Source_Host or
 *   Master_Host, Seconds_Behind_Source or Seconds_Behind_Master) and read
 *   under either spelling. Empty on a server that is not a replica.
 * - `variables`: SHOW GLOBAL VARIABLES (version, server_id, read_only,
 *   rpl_semi_sync_*: both the master/slave and source/replica spellings).
 * - `status`: SHOW GLOBAL STATUS Rpl_semi_sync_* (is semi-sync actually on).
 * - `replicas`: the binlog dump threads (replicas connected to this server).
 *
 * Outcomes: no client → 127 (not-installed); no server running and no server
 * installed → ABSENT_RC; installed but not running → exit 1 with that sentence.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScriptFor, splitParts} from './parts.js'
import {dict, lines, toBool, toInt} from './util.js'

/** One replication channel (one row of SHOW REPLICA STATUS). */
export interface MysqlChannel {
  /** Channel_Name (MySQL) or Connection_name (MariaDB); '' for the default channel. */
  channel: string
  sourceHost?: string
  sourcePort?: number
  sourceUser?: string
  /** Yes | No | Connecting */
  ioRunning?: string
  /** Yes | No */
  sqlRunning?: string
  /** Seconds_Behind_Source/Master; null when the server prints NULL (a thread is stopped). */
  secondsBehind: number | null
  ioState?: string
  lastIoErrno?: number
  lastIoError?: string
  lastSqlErrno?: number
  lastSqlError?: string
  /** Every field as printed. */
  fields: Record<string, string>
}

export interface MysqlSemiSync {
  /** rpl_semi_sync_source_enabled / rpl_semi_sync_master_enabled. */
  sourceEnabled?: boolean
  replicaEnabled?: boolean
  /** Rpl_semi_sync_source_status / Rpl_semi_sync_master_status: semi-sync is in force now. */
  sourceActive?: boolean
  replicaActive?: boolean
  sourceClients?: number
  timeoutMs?: number
  waitPoint?: string
}

/** A connected replica seen from the source (a Binlog Dump thread). */
export interface MysqlDumpThread {
  id?: number
  user: string
  host: string
  timeS?: number
  state: string
}

export interface MysqlInstance {
  socket: string
  /** The client's own words when a statement could not run. */
  error?: string
  version?: string
  flavor?: 'mariadb' | 'mysql'
  serverId?: number
  readOnly?: boolean
  channels: MysqlChannel[]
  semiSync: MysqlSemiSync
  replicas: MysqlDumpThread[]
  variables: Record<string, string>
  status: Record<string, string>
}

export interface MysqlReplica {
  instances: MysqlInstance[]
}

/** Parses `\G` vertical output into rows of field → value (multi-line values joined with "\n"). */
export function parseVertical(text: string): Record<string, string>[] {
  const rows: Record<string, string>[] = []
  let row: Record<string, string> | undefined
  let last: string | undefined
  for (const l of lines(text)) {
    if (/^\*+ \d+\. row \*+$/.test(l)) {
      row = dict<string>()
      rows.push(row)
      last = undefined
      continue
    }
    if (!row) {
      if (l.trim() === '') continue
      throw new ParseError(`unexpected text before the first row: ${l}`)
    }
    const m = /^\s*(\w+):(?: (.*))?$/.exec(l)
    if (m) {
      last = m[1] ?? ''
      row[last] = m[2] ?? ''
    } else if (last !== undefined) {
      row[last] += `\n${l}`
    }
  }
  return rows
}

/** Tab-separated `name\tvalue` lines of `mysql -B -N`. */
function parsePairs(text: string): Record<string, string> {
  const out = dict<string>()
  for (const l of lines(text)) {
    const i = l.indexOf('\t')
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1)
  }
  return out
}

const pick = (f: Record<string, string>, ...names: string[]): string | undefined => {
  for (const n of names) if (f[n] !== undefined) return f[n]
  return undefined
}

export function toChannel(f: Record<string, string>): MysqlChannel {
  const behind = pick(f, 'Seconds_Behind_Source', 'Seconds_Behind_Master')
  const nonEmpty = (v: string | undefined): string | undefined =>
    v === undefined || v === '' ? undefined : v
  return {
    channel: pick(f, 'Channel_Name', 'Connection_name') ?? '',
    sourceHost: nonEmpty(pick(f, 'Source_Host', 'Master_Host')),
    sourcePort: toInt(pick(f, 'Source_Port', 'Master_Port')),
    sourceUser: nonEmpty(pick(f, 'Source_User', 'Master_User')),
    ioRunning: pick(f, 'Replica_IO_Running', 'Slave_IO_Running'),
    sqlRunning: pick(f, 'Replica_SQL_Running', 'Slave_SQL_Running'),
    secondsBehind: toInt(behind) ?? null,
    ioState: nonEmpty(pick(f, 'Replica_IO_State', 'Slave_IO_State')),
    lastIoErrno: toInt(f['Last_IO_Errno']),
    lastIoError: nonEmpty(f['Last_IO_Error']),
    lastSqlErrno: toInt(f['Last_SQL_Errno']),
    lastSqlError: nonEmpty(f['Last_SQL_Error']),
    fields: f,
  }
}

function semiSync(v: Record<string, string>, s: Record<string, string>): MysqlSemiSync {
  const b = (x: string | undefined): boolean | undefined => toBool(x)
  return {
    sourceEnabled: b(pick(v, 'rpl_semi_sync_source_enabled', 'rpl_semi_sync_master_enabled')),
    replicaEnabled: b(pick(v, 'rpl_semi_sync_replica_enabled', 'rpl_semi_sync_slave_enabled')),
    sourceActive: b(pick(s, 'Rpl_semi_sync_source_status', 'Rpl_semi_sync_master_status')),
    replicaActive: b(pick(s, 'Rpl_semi_sync_replica_status', 'Rpl_semi_sync_slave_status')),
    sourceClients: toInt(pick(s, 'Rpl_semi_sync_source_clients', 'Rpl_semi_sync_master_clients')),
    timeoutMs: toInt(pick(v, 'rpl_semi_sync_source_timeout', 'rpl_semi_sync_master_timeout')),
    waitPoint: pick(v, 'rpl_semi_sync_source_wait_point', 'rpl_semi_sync_master_wait_point'),
  }
}

const errText = (body: string, rc: number | null): string =>
  lines(body).join(' ').trim() || `mysql exited ${rc ?? 'without a status'}`

export function parseMysqlReplica(stdout: string): MysqlReplica {
  const parts = splitParts(stdout)
  const bySocket = new Map<string, MysqlInstance>()
  for (const p of parts) {
    const m = /^(replica-status|variables|status|replicas) (.+)$/.exec(p.name)
    if (!m) continue
    const what = m[1]
    const socket = m[2] ?? ''
    const inst: MysqlInstance = bySocket.get(socket) ?? {
      socket,
      channels: [],
      semiSync: {},
      replicas: [],
      variables: dict<string>(),
      status: dict<string>(),
    }
    bySocket.set(socket, inst)
    if (p.exitCode !== 0) {
      inst.error ??= `${what}: ${errText(p.body, p.exitCode)}`
      continue
    }
    if (what === 'replica-status') inst.channels = parseVertical(p.body).map(toChannel)
    else if (what === 'variables') inst.variables = parsePairs(p.body)
    else if (what === 'status') inst.status = parsePairs(p.body)
    else {
      inst.replicas = lines(p.body)
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const [id, user, host, time, state] = l.split('\t')
          return {id: toInt(id), user: user ?? '', host: host ?? '', timeS: toInt(time), state: state ?? ''}
        })
    }
  }
  if (bySocket.size === 0) throw new ParseError('no MySQL/MariaDB server in the output')
  for (const inst of bySocket.values()) {
    const v = inst.variables
    inst.version = v['version']
    if (inst.version !== undefined)
      inst.flavor = /mariadb/i.test(`${inst.version} ${v['version_comment'] ?? ''}`) ? 'mariadb' : 'mysql'
    inst.serverId = toInt(v['server_id'])
    inst.readOnly = toBool(v['read_only'])
    inst.semiSync = semiSync(v, inst.status)
  }
  return {instances: [...bySocket.values()]}
}

const VARS =
  "SHOW GLOBAL VARIABLES WHERE Variable_name LIKE 'rpl_semi_sync%' OR Variable_name IN " +
  "('version','version_comment','server_id','read_only','log_bin','gtid_mode','gtid_strict_mode')"
const STATUS = "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Rpl_semi_sync%'"
const DUMPS =
  "SELECT ID, USER, HOST, TIME, STATE FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' ORDER BY ID"

/**
 * Snippet lines that set $m (the client) and $s (the Unix sockets of the running mysqld/mariadbd servers),
 * or exit: 127 without a client, ABSENT_RC with no server installed, 1 with one installed but not running.
 * Shared by the gatherers that talk to every MySQL/MariaDB server of a node (mysql-replica, galera).
 */
export const MYSQL_SOCKETS_SCRIPT: readonly string[] = [
  'm=$(command -v mariadb || command -v mysql) || { echo "mysql: command not found" >&2; exit 127; }',
  `s=$(ss -xlpH 2>/dev/null | awk '/users:\\(\\("(mysqld|mariadbd)"/ {print $5}' | sort -u)`,
  'if [ -z "$s" ]; then',
  `  command -v mysqld >/dev/null 2>&1 || command -v mariadbd >/dev/null 2>&1 || exit ${ABSENT_RC}`,
  '  echo "MySQL/MariaDB is installed on this node but no server is running (no mysqld/mariadbd socket)" >&2; exit 1',
  'fi',
]

export const mysqlReplica = defineGatherer<MysqlReplica>({
  id: 'mysql-replica',
  description:
    'MySQL/MariaDB replica status, semi-sync settings and connected replicas of every running server',
  command:
    "mysql -S <socket> -e 'SHOW REPLICA STATUS\\G' (and semi-sync variables, status, connected replicas) for each running server",
  script: [
    ...MYSQL_SOCKETS_SCRIPT,
    'for k in $s; do',
    '  c="$m --connect-timeout=5 -S $k"',
    `  ${partScriptFor('"replica-status $k"', "$c -e 'SHOW REPLICA STATUS\\G' 2>/dev/null || $c -e 'SHOW SLAVE STATUS\\G' 2>&1")}`,
    `  ${partScriptFor('"variables $k"', `$c -B -N -e "${VARS}" 2>&1`)}`,
    `  ${partScriptFor('"status $k"', `$c -B -N -e "${STATUS}" 2>&1`)}`,
    `  ${partScriptFor('"replicas $k"', `$c -B -N -e "${DUMPS}" 2>&1`)}`,
    'done',
  ].join('\n'),
  whenAbsent: 'no MySQL/MariaDB server on this node',
  parse: (out) => parseMysqlReplica(out.stdout),
})
