/**
 * The `pg-write` workload: PostgreSQL writes through the VIP at a fixed rate,
 * and the lost-write accounting after the failover.
 *
 * - Before the fault, one table per run is created on the primary
 *   (`hacheck_writes_<runId>`: seq bigint primary key, run, at, primary_id).
 *   Its own table, so dropping it afterwards can never touch another run.
 * - Write i (seq = i, from 1) is sent at start + (i-1)/rate whether or not
 *   earlier writes answered (open loop, like load.ts), as one autocommit
 *   INSERT … RETURNING the identity of the server that committed it. Writes
 *   run concurrently, each on its own connection taken from a pool like an
 *   application's: a connection that answered is reused, one that failed in
 *   any way is destroyed, so after a failover every write reconnects (connect
 *   timeout ≤ 1 s) to whoever holds the VIP now.
 * - Every attempt is a `write` event on the run timeline, with its outcome:
 *     acked    the INSERT returned its row: the database acknowledged the commit;
 *     failed   definitely not committed: the connection could not be opened (the
 *              INSERT was never sent), or the server answered it with an ERROR
 *              (the transaction aborted, e.g. read-only standby);
 *     unknown  sent, but no answer: timeout, connection cut, FATAL/PANIC. It may
 *              or may not have committed; it is never counted as acknowledged.
 * - After the revert and the recovery, the table is read back from the new
 *   primary through the VIP and dropped. lost = acked and not read back.
 *
 * The identity of a primary is `<system identifier>/tl<timeline>/<postmaster
 * start>`: a promoted standby shares the system identifier but runs on a new
 * timeline; a restarted server has a new start time.
 */
import pg from 'pg'

import {IncompleteError, InputError} from '../../core/errors.js'
import {registerSecret} from '../../core/secrets.js'
import type {Inventory} from '../../core/types.js'
import {fixedRate, type RunningWorkload} from './schedule.js'
import {now, type WriteEvent, type WriteOutcome} from '../timeline.js'

export interface PgTarget {
  host: string
  port: number
  database: string
  user: string
  /** Name of the environment variable holding the password (else libpq's PGPASSWORD / ~/.pgpass). */
  passwordEnv?: string
}

export interface PgWriteSpec {
  kind: 'pg-write'
  target: PgTarget
  ratePerS: number
  /** Whole-write timeout (connect + INSERT); the connect part is at most 1 s. */
  timeoutMs: number
  /** Leave the table after the run (for an independent read-back); hacheck then does not drop it. */
  keepTable?: boolean
}

export const DEFAULT_WRITE_TIMEOUT_MS = 2000
export const MAX_CONNECT_MS = 1000
export const DEFAULT_PG_PORT = 5432

/** The run's own table: hacheck_writes_<runId>, folded to a safe, unquoted identifier (≤ 63 bytes). */
export function writesTable(runId: string): string {
  const id = runId.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  return `hacheck_writes_${id}`.slice(0, 63)
}

export function describePgTarget(t: PgTarget): string {
  return `postgres://${t.user}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/${t.database}`
}

export function describePgWrite(w: PgWriteSpec): string {
  return `pg-write ${describePgTarget(w.target)} at ${w.ratePerS}/s (timeout ${w.timeoutMs} ms, a failed connection is never reused)`
}

interface DatabaseSection {
  kind?: string
  host?: string
  port?: number
  name?: string
  user?: string
  passwordEnv?: string
}

/**
 * Where pg-write connects: --pg-url first, then the inventory's
 * `cluster.database` (host defaults to cluster.vip), else the VIP with the
 * defaults (port 5432, database postgres, user postgres) when nodes have the
 * `db` role. A password in the URL is refused: it would show in ps and shell
 * history; it goes in an environment variable (passwordEnv or PGPASSWORD).
 */
export function pgTargetFrom(inv: Inventory, url?: string): PgTarget {
  const db = inv.cluster.database as DatabaseSection | undefined
  if (db?.kind !== undefined && db.kind !== 'postgresql')
    throw new InputError(
      `--workload pg-write: cluster.database.kind is ${db.kind}; pg-write needs postgresql`,
    )
  const base: PgTarget = {
    host: db?.host ?? inv.cluster.vip ?? '',
    port: db?.port ?? DEFAULT_PG_PORT,
    database: db?.name ?? 'postgres',
    user: db?.user ?? 'postgres',
    ...(db?.passwordEnv ? {passwordEnv: db.passwordEnv} : {}),
  }
  if (url !== undefined) {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      throw new InputError(`--pg-url ${url}: expected postgres://USER@HOST:PORT/DATABASE`)
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
      throw new InputError(`--pg-url ${url}: expected postgres://USER@HOST:PORT/DATABASE`)
    if (u.password)
      throw new InputError(
        '--pg-url: a password in the URL would show in process lists and shell history; put it in an environment variable (cluster.database.passwordEnv names it, or PGPASSWORD)',
      )
    if (u.hostname) base.host = u.hostname.replace(/^\[|\]$/g, '')
    if (u.port) base.port = Number(u.port)
    if (u.username) base.user = decodeURIComponent(u.username)
    const path = decodeURIComponent(u.pathname.replace(/^\//, ''))
    if (path) base.database = path
    return checkTarget(base, '--pg-url')
  }
  if (!db && !inv.nodes.some((n) => n.roles.includes('db')))
    throw new InputError(
      '--workload pg-write: the inventory describes no database (no cluster.database, no node with the db role); give --pg-url postgres://USER@VIP:5432/DB (in a game day: workload: {pg-write: postgres://USER@VIP:5432/DB})',
    )
  return checkTarget(base, 'cluster.database')
}

function checkTarget(t: PgTarget, what: string): PgTarget {
  if (!t.host)
    throw new InputError(
      `--workload pg-write: no address to write to (${what}: no host, and the inventory has no cluster.vip)`,
    )
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    throw new InputError(`--workload pg-write: ${what}: port ${t.port} is not a TCP port`)
  return t
}

/** The password from the environment variable the target names (checked before anything runs). */
export function pgPassword(t: PgTarget, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!t.passwordEnv) return undefined
  const v = env[t.passwordEnv]
  if (v === undefined || v === '')
    throw new InputError(
      `--workload pg-write: the database password is read from $${t.passwordEnv} (cluster.database.passwordEnv), which is not set`,
    )
  registerSecret(v)
  return v
}

/** SQL text of the identity of the server that runs it (see the header). */
export const PRIMARY_ID_SQL =
  "(SELECT system_identifier FROM pg_control_system())::text || '/tl' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) || '/' || extract(epoch FROM pg_postmaster_start_time())::text"

export function createTableSql(table: string): string {
  return `CREATE TABLE ${table} (seq bigint PRIMARY KEY, run text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), primary_id text NOT NULL)`
}

export function insertSql(table: string): string {
  return `INSERT INTO ${table} (seq, run, primary_id) VALUES ($1, $2, ${PRIMARY_ID_SQL}) RETURNING primary_id`
}

/**
 * The outcome of a write that did not return its row. Before the INSERT was
 * sent (connect stage) nothing can have committed; an ERROR answer aborts the
 * transaction. Anything else after sending (timeout, cut connection, FATAL —
 * e.g. the server terminated while waiting for a synchronous standby, after
 * the local commit) is unknown.
 */
export function classifyWriteError(err: unknown, stage: 'connect' | 'query'): 'failed' | 'unknown' {
  if (stage === 'connect') return 'failed'
  const severity = (err as {severity?: unknown}).severity
  return severity === 'ERROR' ? 'failed' : 'unknown'
}

export function writeErrorText(err: unknown): string {
  if (err instanceof WriteTimeout) return 'timeout'
  const e = err as {code?: unknown; message?: unknown}
  const msg = typeof e.message === 'string' ? e.message : String(err)
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)
    ? `${e.code} ${msg}`
    : typeof e.code === 'string'
      ? e.code
      : msg
}

class WriteTimeout extends Error {}

type Conn = pg.ClientConfig

function clientConfig(t: PgTarget, password: string | undefined, connectMs: number): Conn {
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    ...(password !== undefined ? {password} : {}),
    connectionTimeoutMillis: Math.max(1, Math.round(connectMs)),
    application_name: 'hacheck-pg-write',
    keepAlive: false,
  }
}

/** Closes a client without waiting on a dead server: the socket is destroyed. */
function discard(client: pg.Client): void {
  const stream = (client as unknown as {connection?: {stream?: {destroy?: () => void}}}).connection?.stream
  if (stream?.destroy) stream.destroy()
  else client.end().catch(() => {})
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** At most this many connections are being opened at once (no connection storm on a recovering server). */
export const MAX_CONNECTING = 4

interface Lease {
  client: pg.Client
  /** A new connection: it must still be opened (and its connect slot released). */
  fresh: boolean
}

/** A write waiting for a connection; `alive()` turns false (synchronously) the moment its time is up. */
interface Waiter {
  alive(): boolean
  hand(l: Lease): void
}

/**
 * The writer's connections, like an application's pool: a connection that
 * answered is reused; one that failed in any way (error, timeout, closed by
 * the server) is destroyed and never reused, so the next write opens a new
 * one to whoever holds the VIP now. At most MAX_CONNECTING connections are
 * being opened at a time; a write waits for an idle connection or a connect
 * slot (within its own timeout: if none comes, it was never sent), the newest
 * waiting write first.
 */
export class WriterPool {
  private idle: pg.Client[] = []
  private readonly broken = new WeakSet<pg.Client>()
  private readonly waiters: Waiter[] = []
  private connecting = 0
  private closed = false
  opened = 0

  constructor(
    private readonly w: PgWriteSpec,
    private readonly password: string | undefined,
  ) {}

  private take(): pg.Client | undefined {
    for (;;) {
      const c = this.idle.pop()
      if (!c) return undefined
      if (!this.broken.has(c)) return c
      discard(c)
    }
  }

  private create(): pg.Client {
    const c = new pg.Client(
      clientConfig(this.w.target, this.password, Math.min(MAX_CONNECT_MS, this.w.timeoutMs)),
    )
    const mark = (): void => {
      this.broken.add(c)
    }
    c.on('error', mark)
    c.on('end', mark)
    this.opened++
    this.connecting++
    return c
  }

  /**
   * An idle connection, else a new one (a connect slot), else wait for either until `timeout`
   * rejects. `expired` says synchronously that the write's time is up: a connection or slot is
   * never handed to a write that already gave up (the slot would be lost for good; enough lost
   * slots and no write could ever connect again).
   */
  acquire(timeout: Promise<never>, expired: () => boolean): Promise<Lease> {
    const c = this.take()
    if (c) return Promise.resolve({client: c, fresh: false})
    if (this.connecting < MAX_CONNECTING) return Promise.resolve({client: this.create(), fresh: true})
    return new Promise<Lease>((resolve, reject) => {
      let settled = false
      const waiter: Waiter = {
        alive: () => !settled && !expired(),
        hand: (l) => {
          settled = true
          resolve(l)
        },
      }
      this.waiters.push(waiter)
      timeout.catch((err: unknown) => {
        settled = true
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(err instanceof Error ? err : new Error(String(err)))
      })
    })
  }

  /**
   * The write that waits for a connection with the most time left: the newest. First come, first
   * served would starve everyone after an outage: with a backlog, the oldest waiter gets the slot
   * with a few ms left, times out before it connects, and the next oldest does the same, so no
   * write succeeds even once the new primary answers. Older waiters time out (they would anyway).
   */
  private nextWaiter(): Waiter | undefined {
    for (;;) {
      const w = this.waiters.pop()
      if (!w || w.alive()) return w
    }
  }

  /** A fresh connection is open (or failed to open): its connect slot goes to the next waiter. */
  connected(): void {
    this.connecting--
    this.nextWaiter()?.hand({client: this.create(), fresh: true})
  }

  give(c: pg.Client): void {
    if (this.closed || this.broken.has(c)) {
      discard(c)
      return
    }
    const next = this.nextWaiter()
    if (next) next.hand({client: c, fresh: false})
    else this.idle.push(c)
  }

  drop(c: pg.Client): void {
    this.broken.add(c)
    discard(c)
  }

  async close(): Promise<void> {
    this.closed = true
    const all = this.idle.splice(0)
    await Promise.allSettled(
      all.map((c) =>
        Promise.race([c.end(), new Promise<void>((r) => setTimeout(r, 1000))]).finally(() => discard(c)),
      ),
    )
  }
}

/** One write: on a pooled connection, or a new one. Never throws. */
export async function writeOnce(
  pool: WriterPool,
  w: PgWriteSpec,
  table: string,
  runId: string,
  seq: number,
): Promise<WriteEvent> {
  const t = now()
  let client: pg.Client | undefined
  let stage: 'connect' | 'query' = 'connect'
  let timer: NodeJS.Timeout | undefined
  let expired = false
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true
      reject(new WriteTimeout('timeout'))
    }, w.timeoutMs)
  })
  timeout.catch(() => {})
  const ev = (outcome: WriteOutcome, extra: Partial<WriteEvent>): WriteEvent => ({
    kind: 'write',
    t,
    seq,
    ok: outcome === 'acked',
    outcome,
    latencyMs: round(now() - t),
    ...extra,
  })
  try {
    const lease = await pool.acquire(timeout, () => expired)
    if (expired && !lease.fresh) {
      // Handed over just as the time ran out: not sent, the connection stays good.
      pool.give(lease.client)
      throw new WriteTimeout('timeout')
    }
    client = lease.client
    if (lease.fresh) {
      const connecting = client.connect()
      connecting.catch(() => {})
      try {
        await Promise.race([connecting, timeout])
      } finally {
        pool.connected()
      }
    }
    if (expired) throw new WriteTimeout('timeout')
    stage = 'query'
    const querying = client.query<{primary_id: string}>(insertSql(table), [seq, runId])
    querying.catch(() => {})
    const r = await Promise.race([querying, timeout])
    const primary = r.rows[0]?.primary_id
    clearTimeout(timer)
    pool.give(client)
    return ev('acked', primary ? {primary} : {})
  } catch (err) {
    clearTimeout(timer)
    if (client) pool.drop(client)
    return ev(classifyWriteError(err, stage), {error: writeErrorText(err)})
  }
}

async function withClient<T>(
  w: PgWriteSpec,
  password: string | undefined,
  timeoutMs: number,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    ...clientConfig(w.target, password, Math.min(timeoutMs, 5000)),
    statement_timeout: timeoutMs,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    const out = await fn(client)
    await client.end()
    return out
  } catch (err) {
    discard(client)
    throw err
  }
}

export interface PrimaryInfo {
  primary: string
  inRecovery: boolean
  /** Server version (server_version_num). */
  version: number
}

async function primaryInfo(c: pg.Client): Promise<PrimaryInfo> {
  const r = await c.query<{rec: boolean; v: string}>(
    "SELECT pg_is_in_recovery() AS rec, current_setting('server_version_num') AS v",
  )
  const rec = r.rows[0]?.rec === true
  let primary = ''
  if (!rec) {
    const p = await c.query<{id: string}>(`SELECT ${PRIMARY_ID_SQL} AS id`)
    primary = p.rows[0]?.id ?? ''
  }
  return {primary, inRecovery: rec, version: Number(r.rows[0]?.v ?? 0)}
}

/** Before the fault: the table on the primary the VIP leads to. Throws IncompleteError when it cannot. */
export async function preparePgWrites(
  w: PgWriteSpec,
  table: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PrimaryInfo> {
  const password = pgPassword(w.target, env)
  try {
    return await withClient(w, password, 10_000, async (c) => {
      const info = await primaryInfo(c)
      if (info.inRecovery)
        throw new IncompleteError(
          `${describePgTarget(w.target)} leads to a server in recovery (a standby), not to the primary`,
        )
      await c.query(createTableSql(table))
      return info
    })
  } catch (err) {
    if (err instanceof IncompleteError) throw err
    throw new IncompleteError(
      `pg-write: cannot create ${table} through ${describePgTarget(w.target)}: ${writeErrorText(err)}`,
      {code: 'workload-failed'},
    )
  }
}

/** Starts the open-loop writes; every attempt goes to `record`. */
export function startPgWrites(
  w: PgWriteSpec,
  table: string,
  runId: string,
  record: (e: WriteEvent) => void,
  env: NodeJS.ProcessEnv = process.env,
): RunningWorkload {
  const pool = new WriterPool(w, pgPassword(w.target, env))
  const writes = fixedRate(w.ratePerS, async (seq) => record(await writeOnce(pool, w, table, runId, seq)))
  return {
    async stop() {
      await writes.stop()
      await pool.close()
    },
    sent: () => writes.sent(),
  }
}

export interface WriteReadback {
  table: string
  /** seq → primary_id of every row read back; undefined when the read-back failed. */
  present?: Map<number, string>
  /** Identity of the primary the rows were read from. */
  readFrom?: string
  /** The table was missing on the new primary (every acknowledged write is lost). */
  tableMissing?: boolean
  dropped: boolean
  kept: boolean
  error?: string
  /** Problems cleaning up (the table could not be dropped). */
  cleanupError?: string
}

/**
 * After the recovery: reads every row from the primary the VIP leads to now
 * (retrying until one answers and is not in recovery, or the deadline), then
 * drops the table (unless keepTable) and checks it is gone.
 */
export async function readBackWrites(
  w: PgWriteSpec,
  table: string,
  opts: {timeoutMs: number; env?: NodeJS.ProcessEnv; retryMs?: number},
): Promise<WriteReadback> {
  const password = pgPassword(w.target, opts.env)
  const deadline = Date.now() + opts.timeoutMs
  let lastError = 'no attempt'
  for (;;) {
    try {
      return await withClient(w, password, 30_000, async (c) => {
        const info = await primaryInfo(c)
        if (info.inRecovery) throw new Error('the VIP leads to a server in recovery (no primary yet)')
        const exists = await c.query<{t: string | null}>('SELECT to_regclass($1)::text AS t', [table])
        const out: WriteReadback = {table, readFrom: info.primary, dropped: false, kept: w.keepTable === true}
        if (!exists.rows[0]?.t) {
          out.present = new Map()
          out.tableMissing = true
          return out
        }
        const rows = await c.query<{seq: string; primary_id: string}>(
          `SELECT seq::text AS seq, primary_id FROM ${table}`,
        )
        out.present = new Map(rows.rows.map((r) => [Number(r.seq), r.primary_id]))
        if (!w.keepTable) {
          try {
            await c.query(`DROP TABLE IF EXISTS ${table}`)
            const gone = await c.query<{t: string | null}>('SELECT to_regclass($1)::text AS t', [table])
            out.dropped = !gone.rows[0]?.t
            if (!out.dropped) out.cleanupError = `${table} is still there after DROP TABLE`
          } catch (err) {
            out.cleanupError = `cannot drop ${table}: ${writeErrorText(err)}`
          }
        }
        return out
      })
    } catch (err) {
      lastError = writeErrorText(err)
    }
    if (Date.now() >= deadline) {
      return {
        table,
        dropped: false,
        kept: w.keepTable === true,
        error: `could not read the writes back through ${describePgTarget(w.target)} within ${Math.round(opts.timeoutMs / 1000)} s: ${lastError}`,
      }
    }
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 1000))
  }
}
