/**
 * The `pg-leader-write` workload: PostgreSQL writes through whichever node Patroni says is the leader, as a
 * client behind a Patroni-aware proxy does (HAProxy checking `GET /leader` on Patroni's REST API): the
 * leader is looked up on every node's REST API (HTTP 200 on the leader only) and looked up again after any
 * failed write. Writes are open-loop at a fixed rate, one autocommit INSERT of the write id each.
 *
 * Outcomes as in pg-write / mariadb-write: `acked` the INSERT returned; `failed` never sent (no leader
 * known, connection refused) or answered with an ERROR (e.g. 25006 read-only on a demoted node); `unknown`
 * sent without an answer (timeout, connection cut by a crash).
 */
import pg from 'pg'

import {fixedRate, type RunningWorkload} from './schedule.js'
import {now, type WriteEvent} from '../timeline.js'
import {finishStore, type StoreWriter} from './store.js'
import {answerWithin, type ReadBack, type Workload, type WorkloadContext, type WorkloadEnd} from './types.js'

export interface PgEndpoint {
  name: string
  host: string
  port: number
  /** Patroni's REST API port on the same host. */
  restPort: number
}

export interface PgLeaderWriteSpec {
  kind: 'pg-leader-write'
  endpoints: PgEndpoint[]
  database: string
  user: string
  ratePerS: number
  timeoutMs: number
  keepTable?: boolean
}

export const pgLeaderWritesTable = (runId: string): string =>
  `hk_writes_${runId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63)

/** Patroni answers 200 on GET /leader only on the member holding the leader key. */
async function isLeader(ep: PgEndpoint, timeoutMs: number): Promise<boolean> {
  try {
    const r = await fetch(`http://${ep.host}:${ep.restPort}/leader`, {signal: AbortSignal.timeout(timeoutMs)})
    await r.text()
    return r.status === 200
  } catch {
    return false
  }
}

export class PgLeaderWrite implements Workload, StoreWriter {
  readonly kind = 'pg-leader-write'
  readonly table: string
  private leader: PgEndpoint | undefined
  private lookup: Promise<PgEndpoint | undefined> | undefined
  private readonly idle = new Map<string, pg.Client[]>()
  private running: RunningWorkload | undefined

  constructor(
    readonly spec: PgLeaderWriteSpec,
    private readonly ctx: WorkloadContext,
  ) {
    this.table = pgLeaderWritesTable(ctx.runId)
  }

  get keepTable(): boolean {
    return this.spec.keepTable === true
  }

  /** A write is on the timeline when it ends: within its timeout (leader look-up, connect, INSERT). */
  get settleLagMs(): number {
    return Math.max(1000, this.spec.timeoutMs + 200)
  }

  describe(): string {
    const eps = this.spec.endpoints.map((e) => `${e.name} ${e.host}:${e.port}`).join(', ')
    return `pg-leader-write ${this.spec.user}@${this.spec.database}.${this.table} to the Patroni leader among ${eps} (GET /leader) at ${this.spec.ratePerS}/s (timeout ${this.spec.timeoutMs} ms)`
  }

  /** The current leader, looked up once at a time. */
  private findLeader(): Promise<PgEndpoint | undefined> {
    this.lookup ??= (async () => {
      const answers = await Promise.all(
        this.spec.endpoints.map(async (e) => ((await isLeader(e, 500)) ? e : undefined)),
      )
      this.leader = answers.find((e) => e !== undefined)
      return this.leader
    })().finally(() => {
      this.lookup = undefined
    })
    return this.lookup
  }

  private async client(ep: PgEndpoint, timeoutMs: number): Promise<pg.Client> {
    const c = new pg.Client({
      host: ep.host,
      port: ep.port,
      user: this.spec.user,
      database: this.spec.database,
      connectionTimeoutMillis: timeoutMs,
    })
    c.on('error', () => undefined)
    await c.connect()
    return c
  }

  private async onLeader<T>(
    what: (c: pg.Client, ep: PgEndpoint) => Promise<T>,
  ): Promise<{value: T; from: string}> {
    const ep = (await this.findLeader()) ?? this.spec.endpoints[0]
    if (!ep) throw new Error('no endpoint')
    const c = await this.client(ep, 5000)
    try {
      return {value: await what(c, ep), from: ep.name}
    } finally {
      await c.end().catch(() => undefined)
    }
  }

  async prepare(): Promise<string> {
    const r = await this.onLeader((c) =>
      c.query(
        `CREATE TABLE ${this.table} (seq bigserial PRIMARY KEY, id bigint NOT NULL, node text NOT NULL, served text NOT NULL DEFAULT inet_server_addr()::text, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
      ),
    )
    return `pg-leader-write: table ${this.table} created on the leader ${r.from}`
  }

  async writeOnce(id: number): Promise<WriteEvent> {
    const t = now()
    const t0 = performance.now()
    const ep = this.leader ?? (await this.findLeader())
    const ev = (outcome: WriteEvent['outcome'], extra: Partial<WriteEvent> = {}): WriteEvent => ({
      kind: 'write',
      t,
      seq: id,
      ok: outcome === 'acked',
      outcome,
      latencyMs: Math.round(performance.now() - t0),
      ...(ep ? {node: ep.name} : {}),
      ...extra,
    })
    if (!ep) return ev('failed', {error: 'no Patroni leader answers GET /leader'})
    const pool = this.idle.get(ep.name) ?? []
    this.idle.set(ep.name, pool)
    let c = pool.pop()
    if (!c) {
      try {
        c = await this.client(ep, Math.min(1000, this.spec.timeoutMs))
      } catch (err) {
        void this.findLeader()
        return ev('failed', {error: `connect: ${(err as Error).message}`})
      }
    }
    const conn = c
    const left = Math.max(1, this.spec.timeoutMs - (performance.now() - t0))
    try {
      const insert = conn.query(`INSERT INTO ${this.table} (id, node) VALUES ($1, $2)`, [id, ep.name])
      await answerWithin(insert, left)
      pool.push(conn)
      return ev('acked', {primary: ep.name})
    } catch (err) {
      void conn.end().catch(() => undefined)
      void this.findLeader()
      const e = err as {code?: string; severity?: string; message?: string}
      // An ERROR answer (SQLSTATE, severity ERROR) aborted the statement; FATAL/PANIC or silence may have committed.
      const answered = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity === 'ERROR'
      return ev(answered ? 'failed' : 'unknown', {error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`})
    }
  }

  start(): void {
    this.running = fixedRate(this.spec.ratePerS, async (i) => this.ctx.record(await this.writeOnce(i)))
  }

  async stop(): Promise<void> {
    await this.running?.stop()
    for (const cs of this.idle.values()) for (const c of cs.splice(0)) await c.end().catch(() => undefined)
  }

  async readBack(): Promise<ReadBack> {
    try {
      this.leader = undefined
      const r = await this.onLeader(async (c) => {
        const res = await c.query<{id: string}>(`SELECT id FROM ${this.table} ORDER BY seq`)
        return res.rows.map((x) => Number(x.id))
      })
      return {ok: true, ids: r.value, from: r.from}
    } catch (err) {
      return {ok: false, error: (err as Error).message}
    }
  }

  async drop(): Promise<void> {
    await this.onLeader((c) => c.query(`DROP TABLE IF EXISTS ${this.table}`))
  }

  /** After stop: the read-back, the table dropped (unless kept), the accounting. */
  finish(): Promise<WorkloadEnd> {
    return finishStore(this)
  }
}
