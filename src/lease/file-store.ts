/**
 * Chaos leases on a directory (local, or shared between controllers: an NFS
 * export, a ReadWriteMany volume). One folder per cluster; each lease is an
 * immutable generation file created with link(2) from a complete temp file, so
 * exactly one controller wins each generation even on NFS, and a reader never
 * sees half a record:
 *
 *   LEASES/<cluster>/000000000007.json       the record of generation 7
 *   LEASES/<cluster>/000000000007.released   written by its holder on release
 *
 * The newest generation is the lease. After creating generation N a
 * controller checks that no newer one exists (one created by a controller that
 * read an older state loses that check and backs off). The holder renews by
 * rewriting its own record (rename) every TTL/4 and gives up the run if a
 * newer generation appeared (it was taken over after missing its renewals).
 * Nested acquisitions in one process (a game day and its steps) share one lease.
 */
import {randomBytes} from 'node:crypto'
import {linkSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {errorMessage, IncompleteError} from '../core/errors.js'
import {stateDir} from '../cli/paths.js'
import {clusterFolder} from '../history/store.js'
import {decideLease, leaseRecord, type LeaseOwner, type LeaseRecord, type LeaseState} from './policy.js'
import {makeDirs} from '../cli/files.js'

export function defaultLeaseDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HACHECK_LEASE_DIR || join(stateDir(), 'leases')
}

const GEN = /^(\d{12})\.json$/
const genName = (g: number): string => String(g).padStart(12, '0')

function generations(folder: string): number[] {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return []
  }
  return names
    .map((n) => GEN.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
}

export function readLeaseState(dir: string, cluster: string): LeaseState {
  const folder = join(dir, clusterFolder(cluster))
  const gens = generations(folder)
  const top = gens[gens.length - 1]
  if (top === undefined) return {kind: 'none'}
  const file = join(folder, `${genName(top)}.json`)
  let record: LeaseRecord
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as LeaseRecord
    if (record.kind !== 'hacheck-lease' || record.generation !== top)
      throw new Error('not a hacheck lease record')
  } catch (err) {
    return {kind: 'unreadable', generation: top, file, why: err instanceof Error ? err.message : String(err)}
  }
  let released = false
  try {
    readFileSync(join(folder, `${genName(top)}.released`))
    released = true
  } catch {
    released = false
  }
  return {kind: 'record', record, released}
}

function writeTemp(folder: string, record: LeaseRecord): string {
  const tmp = join(folder, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', {mode: 0o644})
  return tmp
}

/** Creates generation `record.generation`; false when another controller created it first. */
function tryCreate(folder: string, record: LeaseRecord): boolean {
  const tmp = writeTemp(folder, record)
  try {
    linkSync(tmp, join(folder, `${genName(record.generation)}.json`))
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    rmSync(tmp, {force: true})
  }
}

/** Keeps the last few generations (the history of who held the cluster). */
function prune(folder: string, keep = 5): void {
  const gens = generations(folder)
  for (const g of gens.slice(0, Math.max(0, gens.length - keep))) {
    rmSync(join(folder, `${genName(g)}.json`), {force: true})
    rmSync(join(folder, `${genName(g)}.released`), {force: true})
  }
}

export interface LeaseHandle {
  readonly record: LeaseRecord
  /** Set once a newer generation was seen: another controller took the cluster over. */
  readonly lost: boolean
  release(): void
}

interface Held {
  record: LeaseRecord
  folder: string
  count: number
  lost: boolean
  timer: NodeJS.Timeout
  onLost: Set<() => void>
}

const held = new Map<string, Held>()

export interface AcquireOptions {
  dir?: string
  /** The cluster's name, for messages and the record. */
  cluster: string
  /**
   * What the lease is keyed by: the cluster identity read from the cluster (corosync cluster_name and
   * members) when known, so that two inventories naming one cluster differently still exclude each
   * other; else the cluster name.
   */
  key?: string
  runId: string
  ttlMs: number
  /** Called when the lease is lost while held (stop injecting). */
  onLost?: () => void
  now?: () => number
}

function renew(h: Held, ttlMs: number, now: () => number): void {
  if (h.lost) return
  const gens = generations(h.folder)
  const newest = gens[gens.length - 1]
  if (newest !== h.record.generation) {
    h.lost = true
    for (const f of h.onLost) f()
    return
  }
  h.record = {...h.record, expiresAt: new Date(now() + ttlMs).toISOString()}
  const tmp = writeTemp(h.folder, h.record)
  renameSync(tmp, join(h.folder, `${genName(h.record.generation)}.json`))
}

/**
 * Takes the cluster's chaos lease (or joins this process's own), renewing it
 * until released. Held by someone else → IncompleteError `cluster-leased` (exit 3).
 */
export function acquireLease(o: AcquireOptions): LeaseHandle {
  try {
    return takeLease(o)
  } catch (err) {
    if (err instanceof IncompleteError) throw err
    const dir = o.dir ?? defaultLeaseDir()
    throw new IncompleteError(`chaos lease: cannot use the lease directory ${dir}: ${errorMessage(err)}`, {
      code: 'lease-dir-unusable',
      actions: ['Make it writable by this user, or point HACHECK_LEASE_DIR at a directory that is.'],
    })
  }
}

function takeLease(o: AcquireOptions): LeaseHandle {
  const dir = o.dir ?? defaultLeaseDir()
  const now = o.now ?? Date.now
  const key = o.key ?? o.cluster
  const folder = join(dir, clusterFolder(key))
  const own = held.get(folder)
  if (own && !own.lost) return join_(own, o)
  makeDirs(folder, 0o755)
  const owner: LeaseOwner = {hostname: hostname(), pid: process.pid, runId: o.runId}
  for (let attempt = 0; attempt < 5; attempt++) {
    const d = decideLease(readLeaseState(dir, key), now())
    if (d.action === 'refuse')
      throw new IncompleteError(`chaos lease: ${d.reason}`, {
        code: 'cluster-leased',
        actions: [
          'Wait for that run to finish (or its lease to expire), then run again.',
          `Leases are in ${folder}; controllers exclude each other only when they share this directory (HACHECK_LEASE_DIR).`,
        ],
      })
    const record = leaseRecord(
      o.cluster,
      d.generation,
      owner,
      now(),
      o.ttlMs,
      d.action === 'takeover' ? d.from : undefined,
    )
    if (!tryCreate(folder, record)) continue
    const gens = generations(folder)
    if (gens[gens.length - 1] !== record.generation) {
      // A controller that read an older state created a stale generation: ours is not the newest.
      rmSync(join(folder, `${genName(record.generation)}.json`), {force: true})
      continue
    }
    prune(folder)
    const h: Held = {
      record,
      folder,
      count: 0,
      lost: false,
      onLost: new Set(),
      timer: undefined as unknown as NodeJS.Timeout,
    }
    h.timer = setInterval(
      () => {
        try {
          renew(h, o.ttlMs, now)
        } catch {
          // a failed write: retried at the next tick; the lease expires if it keeps failing
        }
      },
      Math.max(250, Math.floor(o.ttlMs / 4)),
    )
    h.timer.unref()
    held.set(folder, h)
    return join_(h, o)
  }
  throw new IncompleteError(
    `chaos lease: could not take the lease of cluster ${o.cluster}: other controllers keep taking it`,
    {
      code: 'cluster-leased',
    },
  )
}

function join_(h: Held, o: AcquireOptions): LeaseHandle {
  h.count++
  if (o.onLost) h.onLost.add(o.onLost)
  let done = false
  return {
    get record() {
      return h.record
    },
    get lost() {
      return h.lost
    },
    release() {
      if (done) return
      done = true
      if (o.onLost) h.onLost.delete(o.onLost)
      h.count--
      if (h.count > 0) return
      clearInterval(h.timer)
      held.delete(h.folder)
      if (!h.lost)
        writeFileSync(
          join(h.folder, `${genName(h.record.generation)}.released`),
          `${new Date().toISOString()}\n`,
        )
    },
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Releases the leases held by controllers of THIS host that are gone (their
 * PID no longer runs) and left no ledger behind (`busyPids`: the controller
 * PIDs of the ledgers still on disk): what `chaos revert` does after a crash,
 * once the crashed runs were reverted. Returns the clusters released.
 */
export function releaseOrphanedLeases(o: {dir?: string; busyPids: ReadonlySet<number>}): string[] {
  const dir = o.dir ?? defaultLeaseDir()
  let folders: string[]
  try {
    folders = readdirSync(dir)
  } catch {
    return []
  }
  const me = hostname()
  const released: string[] = []
  for (const folder of folders) {
    if (held.has(join(dir, folder))) continue
    const gens = generations(join(dir, folder))
    const top = gens[gens.length - 1]
    if (top === undefined) continue
    let record: LeaseRecord
    try {
      record = JSON.parse(readFileSync(join(dir, folder, `${genName(top)}.json`), 'utf8')) as LeaseRecord
    } catch {
      continue
    }
    const marker = join(dir, folder, `${genName(top)}.released`)
    if (record.owner.hostname !== me || o.busyPids.has(record.owner.pid) || processAlive(record.owner.pid))
      continue
    try {
      readFileSync(marker)
      continue
    } catch {
      writeFileSync(
        marker,
        `${new Date().toISOString()} released by chaos revert: pid ${record.owner.pid} is gone\n`,
      )
      released.push(record.cluster)
    }
  }
  return released
}
