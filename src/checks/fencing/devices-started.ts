import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 2: at least one fence device exists, and every fence device is started and not failed. */
export default defineClusterCheck({
  id: 'fencing.devices-started',
  title: 'Fence devices are configured and started',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'A fence device that is stopped or failed cannot fence: the cluster blocks recovery of a lost node until an operator intervenes.',
  params: {},
  facts: {mon: crmMon},
  evaluate(nodes) {
    const first = nodes[0]
    if (!first) return unknown('no crm_mon output')
    const devices = first.facts.mon.resources.filter((r) => r.isStonith)
    const observed = devices.map((d) => ({
      id: d.id,
      agent: d.agent,
      active: d.active,
      failed: d.failed,
      nodes: d.nodes,
      managed: d.managed,
    }))
    const e = [ev(first.node.name, crmMon, observed, 'every stonith resource active, not failed')]
    if (devices.length === 0) return fail('no fence device (stonith resource) is configured', e)
    const bad = devices.filter((d) => !d.active || d.failed || d.blocked)
    if (bad.length)
      return fail(
        `fence device(s) not running: ${bad.map((d) => `${d.id}${d.failed ? ' (failed)' : ' (stopped)'}`).join(', ')}`,
        e,
      )
    return pass(`${devices.length} fence device(s), all started: ${devices.map((d) => d.id).join(', ')}`, e)
  },
  remediation: remediation(
    'A fence device is missing, stopped or failed.',
    "Look at why it stopped: `crm_mon -1 --inactive`, `pcs stonith status`, the device's failed operations (`crm_mon -1 -f`). Check the BMC address and credentials with the agent directly (`fence_ipmilan -a <bmc> -l <user> -p <pw> -P -o status`), fix, then `pcs resource cleanup <device>` (crmsh: `crm resource cleanup <device>`).",
    ['stonith_admin(8)', 'fence_ipmilan(8)'],
  ),
})
