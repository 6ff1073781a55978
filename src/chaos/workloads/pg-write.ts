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
import {errorMessage} from '../../core/errors.js'
import {preparePgWrites, readBackWrites, writesTable} from './pg/table.js'
import {
  DEFAULT_WRITE_TIMEOUT_MS,
  describePgTarget,
  pgPassword,
  pgTargetFrom,
  type PgWriteSpec,
} from './pg/target.js'
import {startPgWrites} from './pg/writer.js'
import type {RunningWorkload} from './schedule.js'
import {defineWorkload, type Workload, type WorkloadContext, type WorkloadEnd} from './types.js'
import {writeAccount} from './writes.js'

export function describePgWrite(w: PgWriteSpec): string {
  return `pg-write ${describePgTarget(w.target)} at ${w.ratePerS}/s (timeout ${w.timeoutMs} ms, a failed connection is never reused)`
}

/** How long the read-back after the run may wait for a primary by default. */
const READ_BACK_TIMEOUT_MS = 60_000

function pgWrites(spec: PgWriteSpec, ctx: WorkloadContext): Workload {
  const table = writesTable(ctx.runId)
  let running: RunningWorkload | undefined
  return {
    describe: () => describePgWrite(spec),
    async prepare() {
      const info = await preparePgWrites(spec, table, ctx.env)
      return `pg-write: table ${table} created on primary ${info.primary}`
    },
    start() {
      running = startPgWrites(spec, table, ctx.runId, ctx.record, ctx.env)
    },
    stop: async () => running?.stop(),
    async finish({aborted, readBackTimeoutMs}): Promise<WorkloadEnd> {
      const rb = await readBackWrites(spec, table, {
        timeoutMs: aborted ? 10_000 : (readBackTimeoutMs ?? READ_BACK_TIMEOUT_MS),
        env: ctx.env,
      }).catch((err: unknown) => ({table, dropped: false, kept: false, error: errorMessage(err)}))
      const end: WorkloadEnd = {
        ok: !rb.error,
        detail: rb.error ?? '',
        errors: [],
        notes: [],
        account: (timeline) => writeAccount(timeline, rb),
      }
      if (rb.error) {
        end.errors.push(`pg-write: ${rb.error}`)
        end.notes.push(
          `pg-write: the table ${table} may be left on the primary: DROP TABLE IF EXISTS ${table};`,
        )
        return end
      }
      if ('tableMissing' in rb && rb.tableMissing)
        end.notes.push(
          `pg-write: ${table} does not exist on the new primary: every acknowledged write is lost`,
        )
      if ('cleanupError' in rb && rb.cleanupError)
        end.errors.push(`pg-write: ${rb.cleanupError}; drop it by hand: DROP TABLE IF EXISTS ${table};`)
      if (rb.kept) end.notes.push(`pg-write: ${table} kept (--pg-keep-table): drop it when done`)
      const from = 'readFrom' in rb ? rb.readFrom : undefined
      end.detail = `${'present' in rb ? (rb.present?.size ?? 0) : 0} rows from ${from ?? '?'}${rb.dropped ? ', table dropped' : ''}`
      return end
    },
    // A write lands on the timeline when it ends: within its timeout (connect + INSERT).
    settleLagMs: Math.max(1000, spec.timeoutMs + 200),
    dryRunNote: () =>
      `${describePgWrite(spec)}; a real run creates ${table} first and drops it after the read-back`,
  }
}

export default defineWorkload<PgWriteSpec>({
  kind: 'pg-write',
  keyword: 'pg-write',
  summary:
    'PostgreSQL writes through the VIP (one autocommit INSERT per sequence number), read back after the recovery: acknowledged writes lost, RPO, split-brain writes.',
  writes: true,
  fromLoad(value, c, inv, env) {
    if (value !== 'pg-write') return undefined
    const target = pgTargetFrom(inv, c.pgUrl)
    // The password variable is checked before anything runs (a dry run needs none).
    if (!c.dryRun) pgPassword(target, env)
    return {
      kind: 'pg-write',
      target,
      ratePerS: c.rate,
      timeoutMs: c.writeTimeoutMs,
      ...(c.keepTable ? {keepTable: true} : {}),
    }
  },
  gameDay: {
    key: 'pg-write',
    schema: {
      type: ['boolean', 'string'],
      pattern: '^postgres(ql)?://[^:@/\\s]+@[^@/\\s]+(/[^/\\s]*)?$',
      'x-expected': "true (the inventory's database) or postgres://USER@HOST:PORT/DB (no password)",
    },
    from(w, inv, env) {
      const v = w.raw['pg-write']
      const target = pgTargetFrom(inv, typeof v === 'string' ? v : undefined)
      pgPassword(target, env)
      return {
        kind: 'pg-write',
        target,
        ratePerS: w.rate,
        timeoutMs: w.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
      }
    },
  },
  describe: describePgWrite,
  create: pgWrites,
})
