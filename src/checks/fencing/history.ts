import {stonithAdmin} from '../../facts/stonith-admin.js'
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
  facts: {sa: stonithAdmin},
  evaluate(nodes) {
    const first = nodes[0]
    if (!first) return unknown('no stonith_admin output')
    const hist = first.facts.sa.history
    if (hist === undefined) {
      return unknown(`stonith_admin --history failed (exit ${first.facts.sa.historyExitCode})`, [
        ev(first.node.name, stonithAdmin, first.facts.sa.historyRaw.slice(0, 500)),
      ])
    }
    const failed = hist.filter((h) => h.status === 'failed')
    const pending = hist.filter((h) => h.status === 'pending')
    const e = [
      ev(
        first.node.name,
        stonithAdmin,
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
