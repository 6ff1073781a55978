/**
 * pg-replication: the streaming-replication state of every PostgreSQL server
 * running on the node, read with one read-only query per server.
 *
 * Discovery: a running postmaster is a process whose working directory (the
 * data directory) holds a postmaster.pid whose first line is its own PID; the
 * file also gives the port (line 4) and the socket directory (line 5). So
 * several clusters on one node (Debian pg_createcluster) and non-default ports
 * are all found, and nothing is guessed. Reading /proc/<pid>/cwd needs root
 * (the audit runs as root or through sudo).
 *
 * Each server is queried as the OS user that owns its data directory (peer
 * authentication over the socket, no password): `runuser -u <owner> -- psql`,
 * with default_transaction_read_only=on and a statement timeout, so the query
 * cannot change anything even by mistake. The query returns ONE jsonb document
 * (one line, exact to parse): pg_is_in_recovery(), version,
 * synchronous_standby_names, synchronous_commit, the WAL positions, the age of
 * the last replayed transaction, pg_stat_replication (lags in seconds and
 * bytes), pg_stat_wal_receiver (conninfo removed: it may carry a password,
 * even masked) and pg_replication_slots. PostgreSQL 10 or later.
 *
 * Output: per server two framed parts, `postmaster.pid <pid>` (the file) and
 * `psql <pid>` (the JSON, or psql's error text: stderr is folded into the part
 * so the instance says why it could not be read).
 *
 * Outcomes: psql absent → not-installed; no server running and none configured
 * → ABSENT_RC (not-applicable); a server configured but none running → exit 1
 * with that sentence (an error: a db node whose PostgreSQL is down cannot be
 * judged as a standby).
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {splitParts} from './parts.js'
import {isRecord, lines, num, str, toInt} from './util.js'

/** One row of pg_stat_replication (a WAL sender: a connected standby or pg_basebackup). */
export interface PgStandby {
  pid?: number
  applicationName: string
  clientAddr?: string
  clientHostname?: string
  /** startup | catchup | streaming | backup | stopping */
  state?: string
  /** async | potential | sync | quorum */
  syncState?: string
  syncPriority?: number
  sentLsn?: string
  writeLsn?: string
  flushLsn?: string
  replayLsn?: string
  /** Seconds; null in PostgreSQL when the standby is idle and caught up. */
  writeLagS?: number
  flushLagS?: number
  replayLagS?: number
  /** Bytes between the server's current WAL position and the standby's replay position. */
  replayLagBytes?: number
  replyTime?: string
}

/** pg_stat_wal_receiver on a standby (absent when no WAL receiver runs). */
export interface PgWalReceiver {
  pid?: number
  /** streaming | starting | waiting | restarting | stopping */
  status?: string
  senderHost?: string
  senderPort?: number
  slotName?: string
  /** flushed_lsn (PostgreSQL 13+) or received_lsn (10-12). */
  flushedLsn?: string
  latestEndLsn?: string
  latestEndTime?: string
  lastMsgReceiptTime?: string
  /** Seconds since the last message from the primary. */
  lastMsgAgeS?: number
}

export interface PgSlot {
  slotName: string
  slotType?: string
  active?: boolean
  restartLsn?: string
  /** WAL kept for the slot, in bytes. */
  retainedBytes?: number
  /** reserved | extended | unreserved | lost (PostgreSQL 13+). */
  walStatus?: string
}

export interface PgServer {
  versionNum: number
  version: string
  inRecovery: boolean
  clusterName?: string
  /** SHOW synchronous_standby_names ('' when unset). */
  synchronousStandbyNames: string
  /** SHOW synchronous_commit: on | remote_apply | remote_write | local | off. */
  synchronousCommit: string
  now?: string
  /** pg_current_wal_lsn() on a primary. */
  currentLsn?: string
  receiveLsn?: string
  replayLsn?: string
  replayPaused?: boolean
  lastReplayAt?: string
  /** now() - pg_last_xact_replay_timestamp(), seconds (grows on an idle primary too). */
  lastReplayAgeS?: number
  standbys: PgStandby[]
  walReceiver?: PgWalReceiver
  slots: PgSlot[]
}

export interface PgInstance {
  /** PID of the postmaster. */
  pid: number
  dataDir?: string
  port?: number
  socketDir?: string
  listenAddresses?: string
  /** Set when the server could not be queried (psql's own words). */
  error?: string
  server?: PgServer
}

export interface PgReplication {
  instances: PgInstance[]
}

/** synchronous_standby_names, read the way PostgreSQL reads it. */
export interface SyncStandbyNames {
  method: 'first' | 'any'
  num: number
  names: string[]
}

/** Parses synchronous_standby_names ("FIRST 1 (a, b)", "ANY 2 (*)", "2 (a,b)", "a, b"); undefined when unset. */
export function parseSyncStandbyNames(v: string): SyncStandbyNames | undefined {
  const t = v.trim()
  if (t === '') return undefined
  const m = /^(?:(first|any)\s+)?(\d+)\s*\((.*)\)$/is.exec(t)
  const list = (s: string): string[] =>
    s
      .split(',')
      .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
      .filter((x) => x !== '')
  if (m) {
    return {
      method: (m[1]?.toLowerCase() ?? 'first') as 'first' | 'any',
      num: Number(m[2]),
      names: list(m[3] ?? ''),
    }
  }
  // The pre-9.6 form: a plain list means FIRST 1.
  return {method: 'first', num: 1, names: list(t)}
}

/** Reads a JSON number that PostgreSQL may print as a number or a numeric string. */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v)) return Number(v)
  return num(v)
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined
}

function rows(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : []
}

/** The psql part: one jsonb document (other lines, such as a WARNING, are ignored). */
export function parsePgServerJson(text: string): PgServer {
  const line = lines(text).find((l) => l.startsWith('{'))
  if (line === undefined) throw new ParseError('psql printed no JSON document')
  let doc: unknown
  try {
    doc = JSON.parse(line)
  } catch (err) {
    throw new ParseError(`psql output is not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (!isRecord(doc)) throw new ParseError('psql output is not a JSON object')
  const versionNum = numeric(doc['version_num'])
  const inRecovery = bool(doc['in_recovery'])
  if (versionNum === undefined || inRecovery === undefined)
    throw new ParseError('psql output lacks version_num or in_recovery')
  const w = isRecord(doc['wal_receiver']) ? doc['wal_receiver'] : undefined
  return {
    versionNum,
    version: str(doc['version']) ?? String(versionNum),
    inRecovery,
    clusterName: str(doc['cluster_name']) || undefined,
    synchronousStandbyNames: str(doc['synchronous_standby_names']) ?? '',
    synchronousCommit: str(doc['synchronous_commit']) ?? '',
    now: str(doc['now']),
    currentLsn: str(doc['current_lsn']),
    receiveLsn: str(doc['receive_lsn']),
    replayLsn: str(doc['replay_lsn']),
    replayPaused: bool(doc['replay_paused']),
    lastReplayAt: str(doc['last_replay_at']),
    lastReplayAgeS: numeric(doc['last_replay_age_s']),
    standbys: rows(doc['replication']).map((r) => ({
      pid: num(r['pid']),
      applicationName: str(r['application_name']) ?? '',
      clientAddr: str(r['client_addr']),
      clientHostname: str(r['client_hostname']),
      state: str(r['state']),
      syncState: str(r['sync_state']),
      syncPriority: num(r['sync_priority']),
      sentLsn: str(r['sent_lsn']),
      writeLsn: str(r['write_lsn']),
      flushLsn: str(r['flush_lsn']),
      replayLsn: str(r['replay_lsn']),
      writeLagS: numeric(r['write_lag_s']),
      flushLagS: numeric(r['flush_lag_s']),
      replayLagS: numeric(r['replay_lag_s']),
      replayLagBytes: numeric(r['replay_lag_bytes']),
      replyTime: str(r['reply_time']),
    })),
    walReceiver: w && {
      pid: num(w['pid']),
      status: str(w['status']),
      senderHost: str(w['sender_host']),
      senderPort: num(w['sender_port']),
      slotName: str(w['slot_name']),
      flushedLsn: str(w['flushed_lsn']) ?? str(w['received_lsn']),
      latestEndLsn: str(w['latest_end_lsn']),
      latestEndTime: str(w['latest_end_time']),
      lastMsgReceiptTime: str(w['last_msg_receipt_time']),
      lastMsgAgeS: numeric(w['last_msg_age_s']),
    },
    slots: rows(doc['slots']).map((s) => ({
      slotName: str(s['slot_name']) ?? '',
      slotType: str(s['slot_type']),
      active: bool(s['active']),
      restartLsn: str(s['restart_lsn']),
      retainedBytes: numeric(s['retained_bytes']),
      walStatus: str(s['wal_status']),
    })),
  }
}

/** postmaster.pid: pid, data directory, start time, port, socket directory, listen address, … */
function parsePidFile(text: string): Omit<PgInstance, 'pid' | 'server' | 'error'> {
  const l = lines(text)
  return {
    dataDir: l[1] || undefined,
    port: toInt(l[3]),
    socketDir: l[4] || undefined,
    listenAddresses: l[5] || undefined,
  }
}

export function parsePgReplication(stdout: string): PgReplication {
  const parts = splitParts(stdout)
  const byPid = new Map<number, PgInstance>()
  const get = (pid: number): PgInstance => {
    const i = byPid.get(pid) ?? {pid}
    byPid.set(pid, i)
    return i
  }
  for (const p of parts) {
    const m = /^(postmaster\.pid|psql) (\d+)$/.exec(p.name)
    if (!m) continue
    const inst = get(Number(m[2]))
    if (m[1] === 'postmaster.pid') {
      Object.assign(inst, parsePidFile(p.body))
      continue
    }
    if (p.exitCode !== 0) {
      inst.error = lines(p.body).join(' ').trim() || `psql exited ${p.exitCode ?? 'without a status'}`
      continue
    }
    try {
      inst.server = parsePgServerJson(p.body)
    } catch (err) {
      inst.error = err instanceof Error ? err.message : String(err)
    }
  }
  if (byPid.size === 0) throw new ParseError('no PostgreSQL server in the output')
  return {instances: [...byPid.values()]}
}

/** The read-only query; one jsonb line. No double quotes, $ or backslashes: it sits in a bash "…" string. */
const SQL = [
  'SELECT jsonb_build_object(',
  "'version_num', current_setting('server_version_num')::int,",
  "'version', current_setting('server_version'),",
  "'in_recovery', pg_is_in_recovery(),",
  "'cluster_name', current_setting('cluster_name'),",
  "'synchronous_standby_names', current_setting('synchronous_standby_names'),",
  "'synchronous_commit', current_setting('synchronous_commit'),",
  "'now', now(),",
  "'current_lsn', CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END,",
  "'receive_lsn', pg_last_wal_receive_lsn(),",
  "'replay_lsn', pg_last_wal_replay_lsn(),",
  "'replay_paused', CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END,",
  "'last_replay_at', pg_last_xact_replay_timestamp(),",
  "'last_replay_age_s', extract(epoch FROM now() - pg_last_xact_replay_timestamp()),",
  "'replication', (SELECT coalesce(jsonb_agg(to_jsonb(r) || jsonb_build_object(",
  "'write_lag_s', extract(epoch FROM r.write_lag), 'flush_lag_s', extract(epoch FROM r.flush_lag),",
  "'replay_lag_s', extract(epoch FROM r.replay_lag), 'replay_lag_bytes', pg_wal_lsn_diff(",
  'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, r.replay_lsn))',
  "ORDER BY r.application_name), '[]'::jsonb) FROM pg_stat_replication r),",
  "'wal_receiver', (SELECT (to_jsonb(w) - 'conninfo') || jsonb_build_object(",
  "'last_msg_age_s', extract(epoch FROM now() - w.last_msg_receipt_time)) FROM pg_stat_wal_receiver w),",
  "'slots', (SELECT coalesce(jsonb_agg(jsonb_build_object('slot_name', s.slot_name, 'slot_type', s.slot_type,",
  "'active', s.active, 'restart_lsn', s.restart_lsn, 'wal_status', to_jsonb(s) -> 'wal_status',",
  "'retained_bytes', pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()",
  "ELSE pg_current_wal_lsn() END, s.restart_lsn)) ORDER BY s.slot_name), '[]'::jsonb) FROM pg_replication_slots s))",
].join(' ')

const BEGIN = '@@hacheck-part:begin'
const END = '@@hacheck-part:end'

export const pgReplication = defineGatherer<PgReplication>({
  id: 'pg-replication',
  description:
    'PostgreSQL replication state of every running server (pg_stat_replication, pg_stat_wal_receiver, sync settings)',
  command:
    'psql -c "SELECT … pg_is_in_recovery(), pg_stat_replication, pg_stat_wal_receiver …" (read-only) for each running postmaster',
  script: [
    `q="${SQL}"`,
    'n=0',
    'for p in /proc/[0-9]*; do',
    '  read -r c 2>/dev/null <"$p/comm" || continue',
    '  case $c in postgres|postmaster) ;; *) continue ;; esac',
    '  f=$p/cwd/postmaster.pid; pid=${p#/proc/}',
    '  [ "$(head -n 1 "$f" 2>/dev/null)" = "$pid" ] || continue',
    '  n=$((n+1)); port=$(sed -n 4p "$f"); sock=$(sed -n 5p "$f"); u=$(stat -c %U "$f")',
    `  printf '${BEGIN} postmaster.pid %s@@\\n' "$pid"; cat -- "$f"; printf '\\n${END} %d@@\\n' $?`,
    `  printf '${BEGIN} psql %s@@\\n' "$pid"`,
    '  runuser -u "$u" -- env PGCONNECT_TIMEOUT=5 PGOPTIONS=\'-c default_transaction_read_only=on -c statement_timeout=10000\' \\',
    '    psql -X -q -A -t -v ON_ERROR_STOP=1 -h "${sock:-localhost}" -p "$port" -d postgres -c "$q" 2>&1',
    `  printf '\\n${END} %d@@\\n' $?`,
    'done',
    '[ "$n" -gt 0 ] && exit 0',
    'for c in /etc/postgresql/*/*/postgresql.conf /var/lib/pgsql/data/PG_VERSION /var/lib/pgsql/*/data/PG_VERSION; do',
    '  [ -e "$c" ] && { echo "PostgreSQL is configured on this node ($c) but no server is running" >&2; exit 1; }',
    'done',
    `exit ${ABSENT_RC}`,
  ].join('\n'),
  requires: ['psql'],
  whenAbsent: 'no PostgreSQL server on this node',
  parse: (out) => parsePgReplication(out.stdout),
})
