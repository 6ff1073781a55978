import {crmMon} from '../../facts/crm-mon.js'
import {authority} from '../authority.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/**
 * Every cluster node of the inventory is online in Pacemaker, none unclean, standby or in maintenance.
 * Pacemaker's node list is read from the quorate partition (on a split, the minority's list blames the
 * majority); the cluster view adds what Pacemaker may not know yet: a member whose BMC says it is off.
 */
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
    const from = authority(nodes, ctx)
    if (!from) return unknown('no crm_mon output')
    const mon = from.facts.mon
    const observed = mon.nodes.map((n) => ({
      name: n.name,
      online: n.online,
      standby: n.standby,
      maintenance: n.maintenance,
      unclean: n.unclean,
      dc: n.isDc,
    }))
    const e = [ev(from.node.name, crmMon, observed, 'every node online, not standby, maintenance or unclean')]
    const view = ctx.view
    const primary = view?.partitions.find((p) => p.primary)
    const where = primary ? ` in the quorate partition ${primary.name} (seen from ${from.node.name})` : ''
    const byName = new Map(mon.nodes.map((n) => [n.name, n]))
    const inv = ctx.inventory.nodes.filter((n) => n.roles.includes('cluster'))
    const problems: string[] = []
    const unclean = mon.nodes.filter((n) => n.unclean).map((n) => n.name)
    const offline = mon.nodes
      .filter((n) => n.type !== 'ping' && n.online === false && !n.unclean)
      .map((n) => n.name)
    if (unclean.length) problems.push(`UNCLEAN (must be fenced): ${unclean.join(', ')}${where}`)
    if (offline.length) problems.push(`offline: ${offline.join(', ')}${where}`)
    for (const v of view?.nodes.filter((n) => n.cluster) ?? []) {
      if (v.bmc === 'off' && byName.get(v.name)?.online)
        problems.push(
          `${v.name}: BMC reports power off, yet Pacemaker still shows it online (not noticed yet)`,
        )
      else if (!v.examined && byName.get(v.name)?.online)
        problems.push(`${v.name}: Pacemaker shows it online, but it could not be examined`)
    }
    for (const p of view?.partitions.filter((x) => !x.primary && primary) ?? [])
      problems.push(
        `${p.reporters.join(', ')} cut off in a minority partition (${p.name}${p.quorate === false ? ', no quorum' : ''})${p.vipHolders.length ? `, still holding the VIP` : ''}`,
      )
    const missing = inv.filter((n) => !byName.has(n.name)).map((n) => n.name)
    if (missing.length) problems.push(`inventory node(s) unknown to Pacemaker: ${missing.join(', ')}`)
    if (mon.summary.dc?.present === false) problems.push('no DC elected')
    if (problems.length) return fail(problems.join('; '), e)
    const parked = mon.nodes.filter((n) => n.standby || n.maintenance).map((n) => n.name)
    if (parked.length) return warn(`node(s) in standby or maintenance: ${parked.join(', ')}`, e)
    return pass(`${mon.nodes.length} node(s) online, DC ${mon.summary.dc?.name ?? '?'}`, e)
  },
  remediation: remediation(
    'Not every cluster node is available to run resources.',
    'Start the cluster stack on offline nodes (`pcs cluster start <node>` / `crm cluster start`), take nodes out of standby (`pcs node unstandby <node>` / `crm node online <node>`) or maintenance once the work is done. An UNCLEAN node needs fencing to succeed first: check the fence devices. A node cut off in a minority partition needs its heartbeat network repaired (or to be fenced).',
    ['crm_mon(8)'],
  ),
})
