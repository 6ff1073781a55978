/**
 * The Workload interface of the chaos pipeline. A workload is one declaration
 * (workloads/<kind>.ts, listed in workloads/index.ts): how it is chosen (from
 * `--load`, and from a game day's `workload:`), how it is described, and how a
 * running instance is made. The runner only knows the instance: prepared
 * before the baseline (nothing in the cluster has changed yet), started, every
 * operation one event on the run's timeline, stopped after the recovery, then
 * finished (read back what the store kept; the final accounting, pure over the
 * timeline). Probes (http, tcp, command), pg-write and sessions are declarations; the data tier's store
 * writers (mariadb-write, pg-leader-write) are the same Workload, made by the tests and the data-tier
 * driver (run/data-experiment.ts) with their own settings (store.ts).
 */
import type {Inventory} from '../../core/types.js'
import type {TimelineEvent} from '../timeline.js'
import type {WriteAccount} from './writes.js'

/** What every workload spec carries; serialisable (results and dry runs describe it). */
export interface WorkloadSpec {
  kind: string
  /** Operations per second, on the open-loop schedule (schedule.ts). */
  ratePerS: number
  /** Per-operation timeout. */
  timeoutMs: number
  /** Each workload's own settings (url, target, …). */
  [setting: string]: unknown
}

export interface WorkloadContext {
  runId: string
  env: NodeJS.ProcessEnv
  /** Puts one operation (or a note) on the run's timeline. */
  record(e: TimelineEvent): void
}

/** What a workload found after the run: the stage line, problems, notes, and its accounting. */
export interface WorkloadEnd {
  ok: boolean
  detail: string
  errors: string[]
  notes: string[]
  /** A write workload's accounting (pure over the timeline and what was read back). */
  account?: (timeline: readonly TimelineEvent[]) => WriteAccount
  /**
   * A store write workload (mariadb-write, pg-leader-write): every write id read back, duplicates kept,
   * for the accounting with the minority's windows (run/data-experiment.ts, workloads/accounting.ts).
   */
  readBack?: ReadBack
}

/** A running workload, as the runner drives it. */
export interface Workload {
  describe(): string
  /** Before the baseline; throws (IncompleteError) when it cannot, and nothing has changed yet. */
  prepare?(): Promise<string | undefined>
  start(): void
  /** Stops sending and waits for the operations in flight. */
  stop(): Promise<void>
  /** After stop: what the store kept. Never throws (problems are in the result). */
  finish?(o: {aborted: boolean; readBackTimeoutMs?: number}): Promise<WorkloadEnd>
  /** An operation is on the timeline this long after it was sent, at the latest (for the settle). */
  readonly settleLagMs: number
  /** For a dry run: what a real run would do beyond sending operations. */
  dryRunNote?(): string | undefined
}

/** The workload as the command line chose it. */
export interface LoadChoice {
  rate: number
  probeTimeoutMs: number
  writeTimeoutMs: number
  insecure: boolean
  pgUrl?: string
  keepTable: boolean
  /** A dry run needs no secret yet. */
  dryRun: boolean
  /** sessions: users logged in (--users). */
  users?: number
}

/** A game day's `workload:` mapping, the keys every workload shares parsed. */
export interface GameDayLoad {
  raw: Readonly<Record<string, unknown>>
  rate: number
  timeoutMs: number
  insecure: boolean
  writeTimeoutMs?: number
}

export interface WorkloadDeclaration<S extends WorkloadSpec = WorkloadSpec> {
  kind: S['kind']
  /** One line: what it measures. */
  summary: string
  /** A write workload: write expectations (lost-writes, rpo, …) need one. */
  writes: boolean
  /** The --load keyword that names it (pg-write, sessions): it cannot go with --no-load. */
  keyword?: string
  /** Claims `--load VALUE`: the spec when VALUE names this workload (a keyword, a URL scheme), else undefined. */
  fromLoad(value: string, c: LoadChoice, inv: Inventory, env: NodeJS.ProcessEnv): S | undefined
  /** The key of a game day's `workload:` that selects it, that key's JSON schema, and the spec from it. */
  gameDay: {
    key: string
    schema: Record<string, unknown>
    from(w: GameDayLoad, inv: Inventory, env: NodeJS.ProcessEnv): S
  }
  describe(spec: S): string
  create(spec: S, ctx: WorkloadContext): Workload
}

/** Any workload, as the registry holds them. */
export type AnyWorkload = WorkloadDeclaration<WorkloadSpec>

export function defineWorkload<S extends WorkloadSpec>(d: WorkloadDeclaration<S>): WorkloadDeclaration<S> {
  return d
}

/** What the store holds after the recovery: every row's write id, duplicates kept (a retried write twice). */
export type ReadBack = {ok: true; ids: number[]; from: string} | {ok: false; error: string}

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
