import {corosyncConf, type CorosyncConf} from '../../facts/corosync-conf.js'
import {defineClusterCheck, fail, pass, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Number of heartbeat links/rings each node has in corosync.conf. */
export function linkCount(conf: CorosyncConf): number {
  if (conf.nodes.length > 0)
    return Math.min(...conf.nodes.map((n) => new Set(n.addrs.map((a) => a.link)).size))
  // No nodelist (multicast, corosync 2): one ring per interface block.
  return new Set(conf.totem.interfaces.map((i) => i.number ?? 0)).size
}

/** Item 3 (also expected): at least two heartbeat links, so one NIC or switch failure does not split the cluster. */
export default defineClusterCheck({
  id: 'heartbeat.redundant-links',
  title: 'Heartbeat has redundant links',
  area: 'heartbeat',
  severity: 'warning',
  rationale:
    'With a single heartbeat link, one NIC, cable or switch failure looks exactly like a node failure: the cluster fences a healthy node. A second knet link (or RRP ring) on a separate NIC and network survives it without any failover.',
  params: {minLinks: 2},
  facts: {conf: corosyncConf},
  evaluate(nodes, {minLinks}) {
    const evidence = nodes.map(({node, facts}) =>
      ev(
        node.name,
        corosyncConf,
        {
          links: linkCount(facts.conf),
          transport: facts.conf.totem.transport ?? 'default',
          rrpMode: facts.conf.totem.rrpMode,
        },
        `>= ${minLinks}`,
      ),
    )
    const counts = nodes.map(({facts}) => linkCount(facts.conf))
    const min = Math.min(...counts)
    if (min === 0) return fail('no heartbeat link addresses found in corosync.conf', evidence)
    const rrpOff = nodes.some(({facts}) => facts.conf.totem.rrpMode === 'none' && min > 1)
    if (min >= minLinks && !rrpOff) return pass(`${min} heartbeat links on every node`, evidence)
    return warn(
      min >= minLinks
        ? `${min} rings configured but rrp_mode is none: only ring 0 is used`
        : `${min} heartbeat link: one NIC or switch failure is enough to split the cluster`,
      evidence,
    )
  },
  remediation: remediation(
    'A single heartbeat path is a single point of failure for the whole cluster.',
    'Add a second link on a separate NIC and network: in corosync 3 give every node a `ring1_addr` in the nodelist (knet uses it as link 1; set `knet_link_priority` if one link should be preferred) and reload with `corosync-cfgtool -R`, or `pcs cluster link add node1=<addr> node2=<addr> …`. For corosync 2 use a second ring with `rrp_mode: passive`.',
    ['corosync.conf(5) (totem.interface, nodelist ringX_addr)', 'pcs(8) cluster link add'],
  ),
})
