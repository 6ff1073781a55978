import {cibadmin} from '../../facts/cibadmin.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/**
 * Item 2: every cluster node can be fenced by at least one enabled device
 * (pcmk_host_list / pcmk_host_map / agent target parameter). A device with no
 * static list relies on dynamic discovery (`pcmk_host_check=dynamic-list`): it
 * may cover every node, but nothing in the configuration proves it.
 */
export default defineClusterCheck({
  id: 'fencing.coverage',
  title: 'Every node is covered by a fence device',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'A node no fence device can target cannot be fenced: when it fails, its resources stay blocked (or, with fencing off, are started twice).',
  params: {},
  claim: 'cluster-state',
  facts: {cib: cibadmin},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no CIB')
    const cib = first.facts.cib
    const devices = cib.stonithDevices.filter((d) => !d.disabled)
    const clusterNodes = cib.nodes
      .filter((n) => (n.type ?? 'member') === 'member')
      .map((n) => n.uname ?? n.id)
    const names = clusterNodes.length
      ? clusterNodes
      : ctx.inventory.nodes.filter((n) => n.roles.includes('cluster')).map((n) => n.name)
    const dynamic = devices.filter((d) => d.targets === undefined && d.hostCheck !== 'none')
    const levelTargets = new Set(cib.fencingLevels.map((l) => l.target).filter((t): t is string => !!t))
    const coverage = Object.fromEntries(
      names.map((n) => [n, devices.filter((d) => d.targets?.includes(n)).map((d) => d.id)]),
    )
    const e = [
      ev(
        first.node.name,
        cibadmin,
        {
          devices: devices.map((d) => ({
            id: d.id,
            agent: d.agent,
            targets: d.targets ?? 'dynamic discovery',
            hostCheck: d.hostCheck,
          })),
          coverage,
          fencingLevels: [...levelTargets],
        },
        'every node targeted by at least one enabled device',
      ),
    ]
    if (devices.length === 0) return fail('no enabled fence device in the CIB', e)
    const uncovered = names.filter((n) => (coverage[n] ?? []).length === 0 && !levelTargets.has(n))
    if (uncovered.length === 0)
      return pass(
        `every node covered: ${names.map((n) => `${n} by ${(coverage[n] ?? []).join('+') || 'a fencing level'}`).join(', ')}`,
        e,
      )
    if (dynamic.length) {
      return warn(
        `${uncovered.join(', ')} not listed by any device; ${dynamic.map((d) => d.id).join(', ')} rely on dynamic discovery (check with stonith_admin --list <node>)`,
        e,
      )
    }
    return fail(`no fence device covers ${uncovered.join(', ')}`, e)
  },
  remediation: remediation(
    'At least one node has no fence device that can target it.',
    "Create a device for it, e.g. `pcs stonith create fence-<node> fence_ipmilan ip=<bmc> username=<user> password=<pw> lanplus=1 pcmk_host_list=<node>` (crmsh: `crm configure primitive fence-<node> stonith:fence_ipmilan params … pcmk_host_list=<node>`), or add the node to an existing device's pcmk_host_list/pcmk_host_map. Verify with `stonith_admin --list <node>`.",
    [
      'https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/fencing.html (pcmk_host_list, pcmk_host_map)',
    ],
  ),
})
