import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, pass, unknown, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/** Also expected (leftovers): no resource fail counts or failed operations left behind. */
export default defineClusterCheck({
  id: 'pacemaker.fail-counts',
  title: 'No fail counts or failed operations left over',
  area: 'pacemaker',
  severity: 'warning',
  rationale:
    'A fail count at migration-threshold bans the resource from that node: after the next failover it may have nowhere left to run.',
  params: {},
  claim: 'cluster-state',
  facts: {mon: crmMon},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no crm_mon output')
    const mon = first.facts.mon
    const counts = mon.history
      .filter((h) => (h.failCount ?? 0) > 0)
      .map((h) => ({
        node: h.node,
        resource: h.resource,
        failCount: h.failCount,
        threshold: h.migrationThreshold,
      }))
    const failures = mon.failures.map((f) => ({
      op: f.opKey,
      node: f.node,
      status: f.exitStatus,
      reason: f.exitReason,
    }))
    const e = [ev(first.node.name, crmMon, {failCounts: counts, failedOperations: failures}, 'none')]
    if (counts.length || failures.length) {
      return warn(
        `${counts.length} fail count(s) and ${failures.length} failed operation(s): ${[...counts.map((c) => `${c.resource}@${c.node}=${c.failCount}`), ...failures.map((f) => f.op ?? '?')].join(', ')}`,
        e,
      )
    }
    return pass('no fail counts, no failed operations', e)
  },
  remediation: remediation(
    'Resources failed in the past and their fail counts are still set.',
    'Understand the failure (`crm_mon -1 -f`, the resource agent logs), then clear it: `pcs resource cleanup <resource>` (crmsh: `crm resource cleanup <resource>`).',
    ['crm_resource(8) --cleanup'],
  ),
})
