import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Every cluster node of the inventory is online in Pacemaker, none unclean, standby or in maintenance. */
export default defineClusterCheck({
  id: 'pacemaker.nodes-online',
  title: 'Every cluster node is online and can run resources',
  area: 'pacemaker',
  severity: 'critical',
  rationale:
    'A node that is offline, in standby or in maintenance is capacity the failover plan counts on but cannot use.',
  params: {},
  facts: {mon: crmMon},
  evaluate(nodes, _p, ctx) {
    const first = nodes[0]
    if (!first) return unknown('no crm_mon output')
    const mon = first.facts.mon
    const observed = mon.nodes.map((n) => ({
      name: n.name,
      online: n.online,
      standby: n.standby,
      maintenance: n.maintenance,
      unclean: n.unclean,
      dc: n.isDc,
    }))
    const e = [
      ev(first.node.name, crmMon, observed, 'every node online, not standby, maintenance or unclean'),
    ]
    const byName = new Map(mon.nodes.map((n) => [n.name, n]))
    const inv = ctx.inventory.nodes.filter((n) => n.roles.includes('cluster'))
    const missing = inv.filter((n) => !byName.has(n.name)).map((n) => n.name)
    const offline = mon.nodes.filter((n) => n.type !== 'ping' && n.online === false).map((n) => n.name)
    const unclean = mon.nodes.filter((n) => n.unclean).map((n) => n.name)
    const parked = mon.nodes.filter((n) => n.standby || n.maintenance).map((n) => n.name)
    if (unclean.length) return fail(`unclean node(s): ${unclean.join(', ')}`, e)
    if (offline.length) return fail(`offline node(s): ${offline.join(', ')}`, e)
    if (missing.length) return fail(`inventory node(s) unknown to Pacemaker: ${missing.join(', ')}`, e)
    if (parked.length) return warn(`node(s) in standby or maintenance: ${parked.join(', ')}`, e)
    if (mon.summary.dc?.present === false) return fail('no DC elected', e)
    return pass(`${mon.nodes.length} node(s) online, DC ${mon.summary.dc?.name ?? '?'}`, e)
  },
  remediation: remediation(
    'Not every cluster node is available to run resources.',
    'Start the cluster stack on offline nodes (`pcs cluster start <node>` / `crm cluster start`), take nodes out of standby (`pcs node unstandby <node>` / `crm node online <node>`) or maintenance once the work is done. An UNCLEAN node needs fencing to succeed first: check the fence devices.',
    ['crm_mon(8)'],
  ),
})
