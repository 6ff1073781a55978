import {cidrContains} from '../../core/address.js'
import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {fail, pass, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {defineVrrpConfCheck} from './common.js'

/** The network VRRP should run on: `networks.vrrp` when declared, else the one holding the VIP. */
function intended(
  networks: Record<string, string>,
  vip: string | undefined,
): {name: string; cidr: string} | undefined {
  if (networks['vrrp']) return {name: 'vrrp', cidr: networks['vrrp']}
  if (!vip) return undefined
  const hit = Object.entries(networks).find(([, cidr]) => {
    try {
      return cidrContains(cidr, vip)
    } catch {
      return false
    }
  })
  return hit ? {name: hit[0], cidr: hit[1]} : undefined
}

export default defineVrrpConfCheck({
  id: 'vrrp.unicast-peers',
  title: 'VRRP uses unicast peers on the intended network',
  severity: 'critical',
  rationale:
    "VRRP decides who holds the VIP from adverts. If they travel over another network than the VIP's, a fault on the VIP's network does not move the VIP (the adverts still arrive), and a fault on the other network makes both LBs MASTER. Unicast peers keep adverts off multicast-filtering switches and cloud networks.",
  params: {},
  judge(router, members, _p, ctx) {
    const net = intended(ctx.inventory.networks, ctx.inventory.cluster.vip)
    const lbAddrs = new Map(ctx.inventory.nodes.map((n) => [n.name, n.host]))
    const e = members.map((m) =>
      ev(
        m.node,
        keepalivedConf,
        {
          instance: m.inst.name,
          interface: m.inst.interface ?? null,
          unicastSrcIp: m.inst.unicastSrcIp ?? null,
          unicastPeers: m.inst.unicastPeers,
        },
        net ? `unicast_src_ip and unicast_peer in ${net.name} ${net.cidr}` : 'unicast peers',
      ),
    )
    const multicast = members.filter((m) => m.inst.unicastPeers.length === 0).map((m) => m.node)
    if (multicast.length)
      return warn(
        `${router}: multicast adverts on ${multicast.join(', ')} (no unicast_peer): they need a segment that passes multicast to 224.0.0.18`,
        e,
      )
    const problems: string[] = []
    if (net) {
      for (const m of members) {
        const off = [m.inst.unicastSrcIp, ...m.inst.unicastPeers].filter(
          (a): a is string => !!a && !cidrContains(net.cidr, a),
        )
        if (off.length)
          problems.push(
            `${m.node} sends/expects adverts on ${off.join(', ')}, outside ${net.name} ${net.cidr}`,
          )
        if (!m.inst.unicastSrcIp)
          problems.push(`${m.node} sets no unicast_src_ip (keepalived picks the interface's primary address)`)
      }
    }
    // Every other LB of the router must be a peer (else its adverts are ignored).
    for (const m of members) {
      const others = members.filter((o) => o.node !== m.node)
      const unknownPeers = others.filter(
        (o) => !o.inst.unicastSrcIp || !m.inst.unicastPeers.includes(o.inst.unicastSrcIp),
      )
      if (unknownPeers.length)
        problems.push(
          `${m.node} does not list ${unknownPeers.map((o) => `${o.node}${o.inst.unicastSrcIp ? ` (${o.inst.unicastSrcIp})` : ''}`).join(', ')} as unicast_peer`,
        )
    }
    if (problems.length) return fail(`${router}: ${problems.join('; ')}`, e)
    if (!net)
      return warn(
        `${router}: unicast peers set, but no inventory network holds the VIP (declare networks.vrrp to judge the network)`,
        e,
      )
    return pass(
      `${router}: unicast between ${members.map((m) => `${m.node} ${m.inst.unicastSrcIp ?? lbAddrs.get(m.node) ?? ''}`).join(' and ')} on ${net.name} ${net.cidr}`,
      e,
    )
  },
  remediation: remediation(
    'VRRP adverts do not travel between the LBs over the network that carries the VIP.',
    "In every `vrrp_instance` set `unicast_src_ip` to the LB's own address on the VIP's network and list the other LBs' addresses on that network in `unicast_peer { … }`; the `interface` is the one the VIP is on. Allow IP protocol 112 between the LBs on that network, then reload keepalived on each LB.",
    ['keepalived.conf(5): unicast_src_ip, unicast_peer'],
  ),
})
