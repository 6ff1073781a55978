import type {FenceEvent} from '../../facts/crm-mon.js'
import {stonithAdmin} from '../../facts/stonith-admin.js'
import {authority} from '../authority.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Pacemaker prints `completed="2026-12-07 14:09:47Z"`; undefined when absent or not a time. */
export function completedAt(e: FenceEvent): Date | undefined {
  if (!e.completed) return undefined
  const t = Date.parse(e.completed.trim().replace(' ', 'T'))
  return Number.isNaN(t) ? undefined : new Date(t)
}

function describe(e: FenceEvent, now: Date): string {
  const at = completedAt(e)
  const ago = at ? ` (${Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000))} min ago)` : ''
  const client = e.client ? ` for ${e.client.replace(/\.\d+$/, '')}${e.origin ? `@${e.origin}` : ''}` : ''
  return `${e.target ?? '?'} was fenced (${e.action ?? 'fence'}) at ${e.completed ?? 'an unknown time'}${ago} by ${e.delegate ?? '?'}${client}`
}

/** "reboot of n1 ×11 (14:28:58Z … 14:30:28Z; exit reason)": one phrase per target and action. */
function grouped(events: readonly FenceEvent[]): string {
  const groups = new Map<string, FenceEvent[]>()
  for (const e of events) {
    const key = `${e.action ?? 'fence'} of ${e.target ?? '?'}`
    groups.set(key, [...(groups.get(key) ?? []), e])
  }
  return [...groups]
    .map(([key, es]) => {
      const times = es
        .map((x) => x.completed)
        .filter((t): t is string => !!t)
        .sort()
      const span = times.length > 1 ? `${times[0]} … ${times[times.length - 1]}` : (times[0] ?? '')
      const reasons = [...new Set(es.map((x) => x.exitReason).filter((r): r is string => !!r))]
      const detail = [span, ...reasons].filter((x) => x !== '').join('; ')
      return `${key}${es.length > 1 ? ` ×${es.length}` : ''}${detail ? ` (${detail})` : ''}`
    })
    .join(', ')
}

/**
 * Item 2: no failed fence action in the fencing history, and no node fenced recently without the operator
 * knowing: a cluster that just lost a node can look healthy again a minute later.
 */
export default defineClusterCheck({
  id: 'fencing.history',
  title: 'No failed fencing actions, and no recent fence left unnoticed',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'A fence action that failed once (wrong credentials, unreachable BMC, timeout too short) will fail again on the day it is needed. A node fenced in the last hours means the cluster lost a member: the cause must be understood even if everything looks fine again.',
  params: {recentFenceWindowHours: 24},
  claim: 'cluster-state',
  facts: {sa: stonithAdmin},
  evaluate(nodes, {recentFenceWindowHours}, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no stonith_admin output')
    const {history: hist, historyExitCode: rc, historyRaw} = first.facts.sa
    if (hist === undefined) {
      const head = historyRaw.trim().split('\n')[0]?.slice(0, 120) ?? ''
      const why =
        rc === 0
          ? `stonith_admin --history printed something that is not XML${head ? `: "${head}"` : ' (nothing)'}`
          : `stonith_admin --history failed (exit ${rc ?? 'none'})${head ? `: ${head}` : ''}`
      return unknown(why, [ev(first.node.name, stonithAdmin, historyRaw.slice(0, 500))])
    }
    const windowMs = (recentFenceWindowHours as number) * 3_600_000
    const failed = hist.filter((h) => h.status === 'failed')
    const pending = hist.filter((h) => h.status === 'pending')
    const recent = hist.filter((h) => {
      const at = completedAt(h)
      return h.status === 'success' && at !== undefined && ctx.now.getTime() - at.getTime() <= windowMs
    })
    const e = [
      ev(
        first.node.name,
        stonithAdmin,
        hist.map((h) => ({
          action: h.action,
          target: h.target,
          status: h.status,
          completed: h.completed,
          delegate: h.delegate,
          origin: h.origin,
          reason: h.exitReason,
        })),
        `no failed fence action, none in the last ${recentFenceWindowHours} h`,
      ),
    ]
    if (failed.length) return fail(`${failed.length} failed fence action(s): ${grouped(failed)}`, e)
    // A fence in flight and one just done are both worth knowing: the second is why the first may follow.
    const warnings = [
      ...(pending.length
        ? [`${pending.length} fence action(s) pending: ${pending.map((f) => f.target).join(', ')}`]
        : []),
      ...(recent.length
        ? [
            `the cluster fenced a node in the last ${recentFenceWindowHours} h: ${recent.map((r) => describe(r, ctx.now)).join('; ')}`,
          ]
        : []),
    ]
    if (warnings.length) return warn(warnings.join('; '), e)
    return pass(
      hist.length
        ? `${hist.length} fence action(s) in the history, none failed, none in the last ${recentFenceWindowHours} h`
        : 'no fence action in the history',
      e,
    )
  },
  remediation: remediation(
    'The cluster tried to fence a node and failed, or fenced one recently.',
    "Read the history (`stonith_admin --history '*' --verbose`) and the logs of the node that fenced. A failed action: fix its cause (credentials, BMC reachability, `pcmk_reboot_timeout`), test with `stonith_admin --reboot <node>` in a maintenance window. A recent fence: find why the node was lost (its logs on the central log server, corosync's membership changes) before it happens again. Then clear the history with `stonith_admin --cleanup --history '*'`; a fence older than {{recentFenceWindowHours}} h no longer warns.",
    ['stonith_admin(8)'],
  ),
})
