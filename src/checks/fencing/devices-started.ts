import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {authority} from '../authority.js'
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
  claim: 'cluster-state',
  facts: {mon: crmMon},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no crm_mon output')
    const devices = first.facts.mon.resources.filter((r) => r.isStonith)
    const observed = devices.map((d) => ({
      id: d.id,
      agent: d.agent,
      active: d.active,
      failed: d.failed,
      role: d.role,
      nodes: d.nodes,
      managed: d.managed,
    }))
    const e = [ev(first.node.name, crmMon, observed, 'every stonith resource active, not failed')]
    if (devices.length === 0) return fail('no fence device (stonith resource) is configured', e)
    // Usable = started (not merely starting) on a node that is online and clean in this partition's view:
    // a device running only on an UNCLEAN node (cut off, about to be fenced) fences nothing.
    const usableOn = new Set(first.facts.mon.nodes.filter((n) => n.online && !n.unclean).map((n) => n.name))
    const why = (d: (typeof devices)[number]): string | undefined => {
      if (d.failed) return 'failed'
      if (d.blocked) return 'blocked'
      if (!d.active) return 'stopped'
      if (d.role && !/^(Started|Promoted|Master|Unpromoted|Slave)$/.test(d.role))
        return `${d.role}, not running yet`
      if (d.nodes.length && !d.nodes.some((n) => usableOn.has(n)))
        return `only on ${d.nodes.join(', ')}, not online and clean`
      return undefined
    }
    const bad = devices.map((d) => ({d, reason: why(d)})).filter((x) => x.reason !== undefined)
    if (bad.length)
      return fail(
        `fence device(s) not usable: ${bad.map(({d, reason}) => `${d.id} (${reason})`).join(', ')}`,
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
