/**
 * What the data tier's store writers (mariadb-write, pg-leader-write) share as Workloads: after they
 * stop, the run's table is read back (every write id, duplicates kept), dropped unless kept, and the
 * accounting is the one pure accounting of every write workload (writes.ts over accounting.ts), by id.
 * A read-back that fails leaves the table in place, for a look by hand.
 */
import type {TimelineEvent} from '../timeline.js'
import type {ReadBack, WorkloadEnd} from './types.js'
import {writeAccount} from './writes.js'

export interface StoreWriter {
  readonly kind: string
  readonly table: string
  readonly keepTable: boolean
  /** Every row of the run, from the first endpoint that answers. */
  readBack(): Promise<ReadBack>
  /** Drops the run's table. */
  drop(): Promise<void>
}

export async function finishStore(w: StoreWriter): Promise<WorkloadEnd> {
  const rb = await w.readBack()
  const end: WorkloadEnd = {ok: rb.ok, detail: '', errors: [], notes: [], readBack: rb}
  if (!rb.ok) {
    end.detail = rb.error
    end.errors.push(`${w.kind}: read-back: ${rb.error}`)
    end.notes.push(`${w.kind}: the table ${w.table} is left in place`)
  } else {
    let dropped = false
    if (w.keepTable) end.notes.push(`${w.kind}: ${w.table} kept: drop it when done`)
    else
      dropped = await w.drop().then(
        () => true,
        (err: Error) => {
          end.errors.push(`${w.kind}: cleanup: ${err.message}`)
          return false
        },
      )
    end.detail = `${rb.ids.length} rows from ${rb.from}${dropped ? ', table dropped' : ''}`
    end.account = (timeline: readonly TimelineEvent[]) =>
      writeAccount(timeline, {
        table: w.table,
        present: new Map(rb.ids.map((id) => [id, rb.from])),
        readFrom: rb.from,
        dropped,
      })
  }
  if (!end.account)
    end.account = (timeline) => writeAccount(timeline, {table: w.table, dropped: false, error: end.detail})
  return end
}
