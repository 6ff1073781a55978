/**
 * Chaos leases, the pure part: may this controller start injecting into a
 * cluster, given the newest lease record for it?
 *
 * Rules (docs/fleet.md, "Chaos leases"):
 * - no lease, or the newest one was released → acquire;
 * - the newest one has expired (now ≥ expiresAt: its holder stopped renewing
 *   it) → take it over; the new record names the lease it replaced;
 * - otherwise → refuse, naming the holder, its run and the expiry.
 * A record that cannot be read is never taken over: it may be a live lease.
 * The TTL is longer than the node-side dead-man's lease timeout, so by the time
 * a crashed controller's lease expires its fault has already been reverted.
 */

export interface LeaseOwner {
  hostname: string
  pid: number
  runId: string
}

export interface LeaseRecord {
  schemaVersion: 1
  kind: 'hacheck-lease'
  cluster: string
  generation: number
  owner: LeaseOwner
  acquiredAt: string
  expiresAt: string
  /** The expired lease this one took over. */
  takenOverFrom?: {owner: LeaseOwner; expiresAt: string; generation: number}
}

export type LeaseState =
  | {kind: 'none'}
  | {kind: 'record'; record: LeaseRecord; released: boolean}
  | {kind: 'unreadable'; generation: number; file: string; why: string}

export type LeaseDecision =
  | {action: 'acquire'; generation: number}
  | {action: 'takeover'; generation: number; from: LeaseRecord}
  | {action: 'refuse'; reason: string}

export function describeOwner(o: LeaseOwner): string {
  return `${o.hostname} pid ${o.pid} (run ${o.runId})`
}

export function decideLease(state: LeaseState, now: number): LeaseDecision {
  if (state.kind === 'none') return {action: 'acquire', generation: 1}
  if (state.kind === 'unreadable')
    return {
      action: 'refuse',
      reason: `the newest lease record ${state.file} cannot be read (${state.why}); it may be a live lease, so it is not taken over: remove it by hand once you know no chaos run is in progress`,
    }
  const r = state.record
  const next = r.generation + 1
  if (state.released) return {action: 'acquire', generation: next}
  if (now >= Date.parse(r.expiresAt)) return {action: 'takeover', generation: next, from: r}
  return {
    action: 'refuse',
    reason: `cluster ${r.cluster} is leased to ${describeOwner(r.owner)} until ${r.expiresAt}: another chaos run is injecting into it`,
  }
}

export function leaseRecord(
  cluster: string,
  generation: number,
  owner: LeaseOwner,
  now: number,
  ttlMs: number,
  from?: LeaseRecord,
): LeaseRecord {
  return {
    schemaVersion: 1,
    kind: 'hacheck-lease',
    cluster,
    generation,
    owner,
    acquiredAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
    ...(from
      ? {takenOverFrom: {owner: from.owner, expiresAt: from.expiresAt, generation: from.generation}}
      : {}),
  }
}

/** The lease TTL for a run: at least 60 s and three dead-man lease timeouts. */
export function leaseTtlMs(deadmanLeaseS: number): number {
  return Math.max(60_000, Math.ceil(deadmanLeaseS * 3 * 1000))
}
