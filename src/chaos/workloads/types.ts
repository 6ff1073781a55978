/**
 * The Workload interface of the chaos pipeline (issue 11 will move the probe and pg-write workloads behind
 * it too): a workload is started before the fault, puts one sample per operation on the run timeline,
 * stops after the recovery, and reads back what the store kept; the final accounting over that one
 * recorded history is pure (accounting.ts).
 */
import type {WriteEvent} from '../timeline.js'

/** What the store holds after the recovery: every row's write id, duplicates kept (a retried write twice). */
export type ReadBack = {ok: true; ids: number[]; from: string} | {ok: false; error: string}

export interface Workload {
  /** 'mariadb-write', 'pg-write'… */
  readonly kind: string
  /** One line for reports: where it writes, how fast, with which timeout. */
  describe(): string
  /** Creates what the run writes into (its own table); nothing has changed in the cluster yet. */
  prepare(): Promise<void>
  /** Starts the open-loop schedule; every finished operation is handed to `sample` (the timeline). */
  start(sample: (w: WriteEvent) => void): void
  /** Stops sending and waits for the operations in flight. */
  stop(): Promise<void>
  /** Reads every row of the run back (after the recovery), from the first endpoint that answers. */
  readBack(): Promise<ReadBack>
  /** Drops the run's table (unless kept for an independent read-back). */
  cleanup(): Promise<void>
}

/** Rejects with code TIMEOUT when `p` has not settled within `ms` (the caller then destroys its connection). */
export async function answerWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer in ${Math.round(ms)} ms`), {code: 'TIMEOUT'})),
      ms,
    )
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    if (timer) clearTimeout(timer)
  }
}
