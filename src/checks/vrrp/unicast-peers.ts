import {cidrContains} from '../../core/address.js'
import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {defineClusterCheck, fail, pass, warn, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {byRouter, confsOf, isFinding} from './common.js'

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

export default defineClusterCheck({
  id: 'vrrp.unicast-peers',
  title: 'VRRP uses unicast peers on the intended network',
  area: 'vrrp',
  severity: 'critical',
  rationale:
    "VRRP decides who holds the VIP from adverts. If they travel over another network than the VIP's, a fault on the VIP's network does not move the VIP (the adverts still arrive), and a fault on the other network makes both LBs MASTER. Unicast peers keep adverts off multicast-filtering switches and cloud networks.",
  params: {},
  roles: ['lb'],
  facts: {},
  optionalFacts: {conf: keepalivedConf},
  claim: 'cluster-state',
  evaluate(nodes, _p, ctx) {
    const confs = confsOf(nodes)
    if (isFinding(confs)) return confs
    const net = intended(ctx.inventory.networks, ctx.inventory.cluster.vip)
    const lbAddrs = new Map(nodes.map((n) => [n.node.name, n.node.host]))
    const findings: Finding[] = []
    for (const [router, members] of byRouter(confs)) {
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
      if (multicast.length) {
        findings.push(
          warn(
            `${router}: multicast adverts on ${multicast.join(', ')} (no unicast_peer): they need a segment that passes multicast to 224.0.0.18`,
            e,
          ),
        )
        continue
      }
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
            problems.push(
              `${m.node} sets no unicast_src_ip (keepalived picks the interface's primary address)`,
            )
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
      if (problems.length) findings.push(fail(`${router}: ${problems.join('; ')}`, e))
      else if (!net)
        findings.push(
          warn(
            `${router}: unicast peers set, but no inventory network holds the VIP (declare networks.vrrp to judge the network)`,
            e,
          ),
        )
      else
        findings.push(
          pass(
            `${router}: unicast between ${members.map((m) => `${m.node} ${m.inst.unicastSrcIp ?? lbAddrs.get(m.node) ?? ''}`).join(' and ')} on ${net.name} ${net.cidr}`,
            e,
          ),
        )
    }
    return findings
  },
  remediation: remediation(
    'VRRP adverts do not travel between the LBs over the network that carries the VIP.',
    "In every `vrrp_instance` set `unicast_src_ip` to the LB's own address on the VIP's network and list the other LBs' addresses on that network in `unicast_peer { … }`; the `interface` is the one the VIP is on. Allow IP protocol 112 between the LBs on that network, then reload keepalived on each LB.",
    ['keepalived.conf(5): unicast_src_ip, unicast_peer'],
  ),
})
