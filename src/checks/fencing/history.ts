import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 2: no failed fence action in the fencing history. */
export default defineClusterCheck({
  id: 'fencing.history',
  title: 'No failed fencing actions in the history',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'A fence action that failed once (wrong credentials, unreachable BMC, timeout too short) will fail again on the day it is needed.',
  params: {},
  facts: {mon: crmMon},
  evaluate(nodes) {
    const first = nodes[0]
    if (!first) return unknown('no crm_mon output')
    const hist = first.facts.mon.fenceHistory
    if (hist === undefined)
      return warn('crm_mon did not include the fencing history (old Pacemaker?)', [
        ev(first.node.name, crmMon, null),
      ])
    const failed = hist.filter((h) => h.status === 'failed')
    const pending = hist.filter((h) => h.status === 'pending')
    const e = [
      ev(
        first.node.name,
        crmMon,
        hist.map((h) => ({
          action: h.action,
          target: h.target,
          status: h.status,
          completed: h.completed,
          reason: h.exitReason,
        })),
        'no failed fence action',
      ),
    ]
    if (failed.length)
      return fail(
        `${failed.length} failed fence action(s): ${failed.map((f) => `${f.action ?? 'fence'} of ${f.target}${f.exitReason ? ` (${f.exitReason})` : ''}`).join(', ')}`,
        e,
      )
    if (pending.length)
      return warn(`${pending.length} fence action(s) pending: ${pending.map((f) => f.target).join(', ')}`, e)
    return pass(
      hist.length
        ? `${hist.length} fence action(s) in the history, none failed`
        : 'no fence action failed (history empty)',
      e,
    )
  },
  remediation: remediation(
    'The cluster tried to fence a node and failed.',
    "Read the failure (`stonith_admin --history '*' --verbose`), fix its cause (credentials, BMC reachability, `pcmk_reboot_timeout`), test with `stonith_admin --reboot <node>` in a maintenance window, then clear the history with `stonith_admin --cleanup --history '*'`.",
    ['stonith_admin(8)'],
  ),
})
