/**
 * Abort conditions: the steady state guarded while the fault is in place. A run
 * (--abort-when, a game day's abortWhen) declares what must never happen
 * during the hold; the guard watches the run's own timeline (the clients'
 * probes and writes, and the observer's cluster events, which are diffs of
 * its successive cluster views) and trips on the first event that breaks one.
 * The runner then ends the hold and reverts at once, and the result says
 * "aborted: <why>". Pure; one condition per string:
 *
 *   client-outage > 45s       clients have been failing for longer than that
 *   client-outage > 2x rto    … than twice the inventory's objectives.rto
 *   quorum-lost               the surviving side (the observer's crm_mon) lost quorum
 *   fenced-other              a node other than the fault's targets was fenced (requested or done)
 *   vip-holders > 1           more nodes than that held the VIP in one sample (split brain)
 */
import {formatDuration, parseDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import type {TimelineEvent} from '../timeline.js'

export type AbortCondition =
  | {kind: 'client-outage'; text: string; limitMs?: number; rtoFactor?: number}
  | {kind: 'quorum-lost'; text: string}
  | {kind: 'fenced-other'; text: string}
  | {kind: 'vip-holders'; text: string; max: number}

export const ABORT_EXAMPLES = [
  'client-outage > 2x rto',
  'client-outage > 45s',
  'quorum-lost',
  'fenced-other',
  'vip-holders > 1',
]

function invalid(text: string, why: string): InputError {
  return new InputError(
    `invalid abort condition ${JSON.stringify(text)}: ${why}. Expected one of: ${ABORT_EXAMPLES.map((e) => JSON.stringify(e)).join(', ')}`,
    {code: 'invalid-abort-condition'},
  )
}

/** Parses one condition (the grammar above); throws an InputError naming the grammar. */
export function parseAbortCondition(text: string): AbortCondition {
  const t = text.trim().replace(/\s+/g, ' ')
  if (t === 'quorum-lost') return {kind: 'quorum-lost', text: t}
  if (t === 'fenced-other') return {kind: 'fenced-other', text: t}
  let m = /^(?:client-outage|outage) > (\d+(?:\.\d+)?) ?(?:x|×) ?rto$/i.exec(t)
  if (m) return {kind: 'client-outage', text: t, rtoFactor: Number(m[1])}
  m = /^(?:client-outage|outage) > (\S+)$/.exec(t)
  if (m) {
    const ms = parseDurationMs(m[1] as string)
    if (ms === undefined) throw invalid(text, `expected a duration such as 45s, found ${m[1]}`)
    return {kind: 'client-outage', text: t, limitMs: ms}
  }
  m = /^vip-holders > (\d+)$/.exec(t)
  if (m) return {kind: 'vip-holders', text: t, max: Number(m[1])}
  throw invalid(text, 'unknown condition')
}

/** The conditions with `Nx rto` resolved against the inventory's objective (exit 2 when it has none). */
export function resolveAbortConditions(
  texts: readonly string[],
  objectives: {rtoMs?: number},
): AbortCondition[] {
  return texts.map((text) => {
    const c = parseAbortCondition(text)
    if (c.kind !== 'client-outage' || c.rtoFactor === undefined) return c
    if (objectives.rtoMs === undefined)
      throw new InputError(
        `abort condition "${c.text}" needs the inventory's objectives.rto; give a duration (client-outage > 60s) or declare the objective`,
        {code: 'invalid-abort-condition'},
      )
    return {...c, limitMs: c.rtoFactor * objectives.rtoMs}
  })
}

/** Who the fault may legitimately take down (never a reason to abort). */
export interface GuardScope {
  targets: readonly string[]
  expectFenced: readonly string[]
  leavesMembership: readonly string[]
}

export interface Trip {
  condition: string
  reason: string
  t: number
}

/**
 * Watches a run's events in the order they are recorded. Before `arm` (the
 * injection) it only learns (the last successful probe); from then on the
 * first event that breaks a condition is a trip, reported once.
 */
export class AbortGuard {
  private armed = false
  private tripped: Trip | undefined
  private lastOkT = -Infinity
  private readonly away: Set<string>

  constructor(
    private readonly conditions: readonly AbortCondition[],
    scope: GuardScope,
  ) {
    this.away = new Set([...scope.targets, ...scope.expectFenced, ...scope.leavesMembership])
  }

  arm(): void {
    this.armed = true
  }

  disarm(): void {
    this.armed = false
  }

  /** The trip this event causes, if it is the first one. */
  observe(e: TimelineEvent): Trip | undefined {
    if (e.kind === 'probe' || e.kind === 'write') {
      if (e.ok) this.lastOkT = Math.max(this.lastOkT, e.t)
    }
    if (!this.armed || this.tripped || this.conditions.length === 0) return undefined
    for (const c of this.conditions) {
      const reason = this.breaks(c, e)
      if (reason) {
        this.tripped = {condition: c.text, reason, t: e.t}
        return this.tripped
      }
    }
    return undefined
  }

  private breaks(c: AbortCondition, e: TimelineEvent): string | undefined {
    switch (c.kind) {
      case 'client-outage': {
        if ((e.kind !== 'probe' && e.kind !== 'write') || e.ok || c.limitMs === undefined) return undefined
        if (!Number.isFinite(this.lastOkT) || e.t <= this.lastOkT) return undefined
        const outage = e.t + e.latencyMs - this.lastOkT
        if (outage <= c.limitMs) return undefined
        const basis = c.rtoFactor !== undefined ? ` (${c.rtoFactor}×RTO)` : ''
        return `client outage ${formatDuration(outage)} > ${formatDuration(c.limitMs)}${basis}`
      }
      case 'quorum-lost':
        if (e.kind !== 'cluster' || e.phase !== 'quorum-lost') return undefined
        return this.survivorSource(e.source) ? `the surviving side lost quorum (${e.source})` : undefined
      case 'fenced-other':
        if (e.kind !== 'cluster' || (e.phase !== 'fence-requested' && e.phase !== 'fence-confirmed'))
          return undefined
        if (!e.node || this.away.has(e.node)) return undefined
        return `${e.node} was ${e.phase === 'fence-requested' ? 'being fenced' : 'fenced'}, and it is not a target of the fault`
      case 'vip-holders': {
        if (e.kind !== 'cluster' || e.phase !== 'vip-holders') return undefined
        const holders = e.holders ?? []
        return holders.length > c.max
          ? `${holders.length} nodes held the VIP at once (${holders.join(', ')})`
          : undefined
      }
    }
  }

  /** crm_mon@NODE where NODE is not one the fault takes away. */
  private survivorSource(source: string): boolean {
    const m = /^crm_mon@(.+)$/.exec(source)
    return m !== null && !this.away.has(m[1] as string)
  }
}
