import {cidrContains} from '../../core/address.js'
import {corosyncConf} from '../../facts/corosync-conf.js'
import {ipAddr, type IpInterface} from '../../facts/ip-addr.js'
import {ipRoute} from '../../facts/ip-route.js'
import {defineNodeCheck, fail, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

function ifaceOf(ifaces: readonly IpInterface[], address: string): string | undefined {
  return ifaces.find((i) => i.addresses.some((a) => a.local === address))?.ifname
}

/**
 * Item 3: the corosync/knet link addresses of this node sit on an interface
 * other than the one carrying production traffic. "Production" is the
 * interface with an address in the inventory's `public` network, else the
 * one holding the default route. A second link on the public interface is
 * fine as a backup as long as one link has its own interface.
 */
export default defineNodeCheck({
  id: 'heartbeat.separate-interface',
  title: 'Heartbeat runs on an interface separate from production traffic',
  area: 'heartbeat',
  severity: 'critical',
  rationale:
    'When heartbeat shares the production NIC, a traffic burst or a saturated link delays tokens: the cluster fences a healthy, merely busy node exactly when load is highest. A dedicated interface (or VLAN on a separate NIC) keeps membership independent of load.',
  params: {publicNetwork: 'public'},
  facts: {conf: corosyncConf, ifaces: ipAddr, routes: ipRoute},
  evaluate({conf, ifaces, routes}, {publicNetwork}, node, ctx) {
    const all = ifaces.flatMap((i) => i.addresses.map((a) => a.local))
    const me =
      conf.nodes.find((n) => n.name === node.name) ??
      conf.nodes.find((n) => n.addrs.some((a) => all.includes(a.addr)))
    if (!me)
      return unknown(`${node.name} not found in the corosync nodelist (by name or address)`, [
        ev(
          node.name,
          corosyncConf,
          conf.nodes.map((n) => n.name),
        ),
      ])
    const pubCidr = ctx.inventory.networks[publicNetwork as string]
    const pubIfaces = new Set<string>()
    if (pubCidr) {
      for (const i of ifaces)
        if (i.addresses.some((a) => cidrContains(pubCidr, a.local))) pubIfaces.add(i.ifname)
    }
    if (pubIfaces.size === 0) for (const d of routes.defaultDevs) pubIfaces.add(d)
    const vip = ctx.inventory.cluster.vip
    if (vip)
      for (const i of ifaces)
        if (pubCidr && cidrContains(pubCidr, vip) && i.addresses.some((a) => a.local === vip))
          pubIfaces.add(i.ifname)
    const links = me.addrs.map((a) => ({link: a.link, addr: a.addr, iface: ifaceOf(ifaces, a.addr) ?? null}))
    const e = [
      ev(
        node.name,
        corosyncConf,
        links,
        `a link on an interface other than ${[...pubIfaces].join(', ') || 'the production one'}`,
      ),
      ev(node.name, ipAddr, {
        productionInterfaces: [...pubIfaces],
        basis: pubCidr ? `${publicNetwork} network ${pubCidr}` : 'default route',
      }),
    ]
    if (pubIfaces.size === 0)
      return unknown(
        `cannot tell the production interface: no address in networks.${publicNetwork} and no default route`,
        e,
      )
    const unresolved = links.filter((l) => l.iface === null)
    if (unresolved.length === links.length)
      return unknown(
        `no interface holds the link address(es) ${links.map((l) => l.addr).join(', ')} (names not resolved?)`,
        e,
      )
    const dedicated = links.filter((l) => l.iface && !pubIfaces.has(l.iface))
    const shared = links.filter((l) => l.iface && pubIfaces.has(l.iface))
    if (dedicated.length === 0)
      return fail(
        `every heartbeat link is on the production interface ${[...pubIfaces].join(', ')} (${shared.map((l) => `link ${l.link} ${l.addr}`).join(', ')})`,
        e,
      )
    if (shared.length)
      return pass(
        `link(s) ${dedicated.map((l) => `${l.link} on ${l.iface}`).join(', ')} dedicated; ${shared.map((l) => `link ${l.link}`).join(', ')} on the production interface as a backup`,
        e,
      )
    if (unresolved.length)
      return warn(
        `dedicated link(s) on ${dedicated.map((l) => l.iface).join(', ')}, but ${unresolved.map((l) => l.addr).join(', ')} not found on any interface`,
        e,
      )
    return pass(
      `heartbeat on ${dedicated.map((l) => `${l.iface} (link ${l.link} ${l.addr})`).join(', ')}, production on ${[...pubIfaces].join(', ')}`,
      e,
    )
  },
  remediation: remediation(
    'Corosync heartbeat shares the interface that carries production traffic.',
    'Give every node an address on a dedicated heartbeat network (separate NIC, or at least a separate VLAN on another NIC), put it as ring0_addr (link 0) in the nodelist, and keep the public address only as a secondary link if at all. Apply on all nodes and reload (`corosync-cfgtool -R`); `pcs cluster link update` can change link addresses.',
    ['corosync.conf(5) nodelist ringX_addr', 'docs/checklist.md item 3'],
  ),
})
