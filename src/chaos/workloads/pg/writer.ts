/**
 * pg-write's writes: one autocommit INSERT per sequence number on a pooled
 * connection, classified acked / failed / unknown (docs/chaos.md says why).
 */
import pg from 'pg'

import {now, type WriteEvent, type WriteOutcome} from '../../timeline.js'
import {fixedRate, type RunningWorkload} from '../schedule.js'
import {MAX_CONNECT_MS, pgPassword, type PgTarget, type PgWriteSpec} from './target.js'

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

export function clientConfig(t: PgTarget, password: string | undefined, connectMs: number): Conn {
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
export function discard(client: pg.Client): void {
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
