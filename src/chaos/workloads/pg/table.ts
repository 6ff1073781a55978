/**
 * pg-write's table: created on the primary before the fault, read back from
 * whoever is primary after the recovery, then dropped.
 */
import pg from 'pg'

import {IncompleteError} from '../../../core/errors.js'
import {clientConfig, discard, PRIMARY_ID_SQL, createTableSql, writeErrorText} from './writer.js'
import {describePgTarget, pgPassword, type PgWriteSpec} from './target.js'

/** The run's own table: hacheck_writes_<runId>, folded to a safe, unquoted identifier (≤ 63 bytes). */
export function writesTable(runId: string): string {
  const id = runId.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  return `hacheck_writes_${id}`.slice(0, 63)
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
