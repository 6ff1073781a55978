/**
 * The `mariadb-write` workload: MariaDB/MySQL writes at a fixed rate (open loop), spread round-robin over
 * several endpoints (every Galera node, or a primary), each one autocommit INSERT of its write id, and the
 * read-back after the recovery.
 *
 * - The run's own table `hacheck.hk_writes_<runId>`: an AUTO_INCREMENT primary key (Galera needs one) and
 *   the write id NOT unique, so a write applied twice shows up as two rows (duplicated), plus the endpoint
 *   it was sent to and the server that committed it (@@hostname).
 * - Outcomes as in pg-write: `acked` the INSERT returned OK; `failed` definitely not committed (the
 *   connection could not be opened, so the INSERT was never sent, or the server answered with an error,
 *   e.g. Galera's 1047 "WSREP has not yet prepared node for application use" on a non-primary node);
 *   `unknown` sent without an answer (timeout, connection cut): it may or may not have committed.
 * - A connection that failed in any way is destroyed; one that answered is reused. Connecting waits at
 *   most 1 s.
 */
import mysql from 'mysql2/promise'

import {fixedRate, type RunningWorkload} from './schedule.js'
import {now, type WriteEvent} from '../timeline.js'
import {finishStore, type StoreWriter} from './store.js'
import {answerWithin, type ReadBack, type Workload, type WorkloadContext, type WorkloadEnd} from './types.js'

export interface MariadbEndpoint {
  /** Inventory node name (recorded with every write). */
  name: string
  host: string
  port: number
}

export interface MariadbWriteSpec {
  kind: 'mariadb-write'
  endpoints: MariadbEndpoint[]
  database: string
  user: string
  /** Name of the environment variable holding the password (none: no password). */
  passwordEnv?: string
  ratePerS: number
  /** Whole-write timeout (connect + INSERT). */
  timeoutMs: number
  /** Leave the table after the run (for an independent read-back). */
  keepTable?: boolean
}

export const MAX_CONNECT_MS = 1000

/** The run's own table, folded to a safe identifier (≤ 64 characters). */
export function mariadbWritesTable(runId: string): string {
  return `hk_writes_${runId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 64)
}

/** Server errors that mean "this statement was not committed" (the server answered with an error packet). */
function answeredWithError(err: unknown): boolean {
  const e = err as {errno?: unknown; sqlState?: unknown; fatal?: unknown}
  return typeof e.errno === 'number' && typeof e.sqlState === 'string' && e.fatal !== true
}

function errorText(err: unknown): string {
  const e = err as {code?: string; errno?: number; message?: string}
  const msg = (e.message ?? String(err)).split('\n')[0] ?? ''
  return e.errno !== undefined ? `${e.code ?? 'ERROR'} ${e.errno}: ${msg}` : `${e.code ?? 'error'}: ${msg}`
}

type Conn = mysql.Connection

export class MariadbWrite implements Workload, StoreWriter {
  readonly kind = 'mariadb-write'
  readonly table: string
  private readonly idle = new Map<string, Conn[]>()
  private running: RunningWorkload | undefined

  constructor(
    readonly spec: MariadbWriteSpec,
    private readonly ctx: WorkloadContext,
  ) {
    this.table = mariadbWritesTable(ctx.runId)
  }

  get keepTable(): boolean {
    return this.spec.keepTable === true
  }

  /** A write is on the timeline when it ends: within its timeout (connect + INSERT). */
  get settleLagMs(): number {
    return Math.max(1000, this.spec.timeoutMs + 200)
  }

  describe(): string {
    const eps = this.spec.endpoints.map((e) => `${e.name} ${e.host}:${e.port}`).join(', ')
    return `mariadb-write ${this.spec.user}@${this.spec.database}.${this.table} round-robin over ${eps} at ${this.spec.ratePerS}/s (timeout ${this.spec.timeoutMs} ms)`
  }

  private connect(ep: MariadbEndpoint, timeoutMs = MAX_CONNECT_MS): Promise<Conn> {
    const password = this.spec.passwordEnv ? this.ctx.env[this.spec.passwordEnv] : undefined
    return mysql.createConnection({
      host: ep.host,
      port: ep.port,
      user: this.spec.user,
      database: this.spec.database,
      connectTimeout: timeoutMs,
      ...(password !== undefined ? {password} : {}),
    })
  }

  /** Runs one statement on the first endpoint that answers (setup, read-back, cleanup). */
  private async onAny<T>(
    what: (c: Conn, ep: MariadbEndpoint) => Promise<T>,
  ): Promise<{value: T; from: string}> {
    const errors: string[] = []
    for (const ep of this.spec.endpoints) {
      let c: Conn | undefined
      try {
        c = await this.connect(ep, 5000)
        return {value: await what(c, ep), from: ep.name}
      } catch (err) {
        errors.push(`${ep.name}: ${errorText(err)}`)
      } finally {
        c?.destroy()
      }
    }
    throw new Error(`no endpoint answered: ${errors.join('; ')}`)
  }

  async prepare(): Promise<string> {
    const r = await this.onAny((c) =>
      c.query(
        `CREATE TABLE ${this.table} (seq BIGINT AUTO_INCREMENT PRIMARY KEY, id BIGINT NOT NULL, node VARCHAR(64) NOT NULL, served VARCHAR(64) NOT NULL, at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), KEY (id)) ENGINE=InnoDB`,
      ),
    )
    return `mariadb-write: table ${this.table} created through ${r.from}`
  }

  /** One write: returns its outcome as a timeline event. */
  async writeOnce(id: number, ep: MariadbEndpoint): Promise<WriteEvent> {
    const t = now()
    const t0 = performance.now()
    const ev = (outcome: WriteEvent['outcome'], extra: Partial<WriteEvent> = {}): WriteEvent => ({
      kind: 'write',
      t,
      seq: id,
      node: ep.name,
      ok: outcome === 'acked',
      outcome,
      latencyMs: Math.round(performance.now() - t0),
      ...extra,
    })
    const pool = this.idle.get(ep.name) ?? []
    this.idle.set(ep.name, pool)
    let c = pool.pop()
    if (!c) {
      try {
        c = await this.connect(ep, Math.min(MAX_CONNECT_MS, this.spec.timeoutMs))
      } catch (err) {
        return ev('failed', {error: `connect: ${errorText(err)}`})
      }
    }
    const left = Math.max(1, this.spec.timeoutMs - (performance.now() - t0))
    const conn = c
    try {
      const insert = conn.query(`INSERT INTO ${this.table} (id, node, served) VALUES (?, ?, @@hostname)`, [
        id,
        ep.name,
      ])
      await answerWithin(insert, left)
      pool.push(conn)
      return ev('acked', {primary: ep.name})
    } catch (err) {
      conn.destroy()
      return ev(answeredWithError(err) ? 'failed' : 'unknown', {error: errorText(err)})
    }
  }

  start(): void {
    const eps = this.spec.endpoints
    this.running = fixedRate(this.spec.ratePerS, async (i) => {
      this.ctx.record(await this.writeOnce(i, eps[(i - 1) % eps.length] as MariadbEndpoint))
    })
  }

  async stop(): Promise<void> {
    await this.running?.stop()
    for (const conns of this.idle.values()) for (const c of conns.splice(0)) c.destroy()
  }

  async readBack(): Promise<ReadBack> {
    try {
      const r = await this.onAny(async (c) => {
        const [rows] = await c.query(`SELECT id FROM ${this.table} ORDER BY seq`)
        return (rows as {id: number | string}[]).map((x) => Number(x.id))
      })
      return {ok: true, ids: r.value, from: r.from}
    } catch (err) {
      return {ok: false, error: (err as Error).message}
    }
  }

  async drop(): Promise<void> {
    await this.onAny((c) => c.query(`DROP TABLE IF EXISTS ${this.table}`))
  }

  /** After stop: the read-back, the table dropped (unless kept), the accounting. */
  finish(): Promise<WorkloadEnd> {
    return finishStore(this)
  }
}
