import {ipAddr} from '../../facts/ip-addr.js'
import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {keepalivedState} from '../../facts/keepalived-state.js'
import {defineClusterCheck, fail, pass, unknown, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {byRouter, confsOf, isFinding} from './common.js'

/** The keepalived-state snippet's words for an installed keepalived that does not run. */
const stopped = (message: string): boolean =>
  /keepalived is installed on this node but not running/.test(message)

/**
 * The VIPs keepalived manages sit exactly where keepalived says: on the LB(s) whose instance is MASTER, on the
 * interface the configuration names (`dev` of the address, else the instance's interface), and nowhere else
 * (a VIP left on a BACKUP, e.g. by a keepalived killed with SIGKILL or an address added by hand, answers ARP
 * next to the real MASTER).
 */
export default defineClusterCheck({
  id: 'vrrp.vip-placement',
  title: 'The VIP is on the MASTER only, on the interface the configuration names',
  area: 'vrrp',
  severity: 'critical',
  rationale:
    'An address left on an LB that is not MASTER answers ARP next to the MASTER: clients reach whichever LB answered last, half of them a proxy that keepalived no longer watches. A VIP on another interface than configured is not where the switches and firewalls expect it.',
  params: {},
  roles: ['lb'],
  facts: {},
  optionalFacts: {conf: keepalivedConf, state: keepalivedState, addrs: ipAddr},
  evaluate(nodes) {
    const confs = confsOf(nodes.map((n) => ({node: n.node, optional: {conf: n.optional.conf}})))
    if (isFinding(confs)) return confs
    const findings: Finding[] = []
    for (const n of nodes) {
      for (const [k, f] of [
        ['addrs', n.optional.addrs],
        ['state', n.optional.state],
      ] as const)
        // keepalived installed but not running is a state, not a reading failure: that LB is not MASTER.
        if (
          !f.ok &&
          !(
            k === 'state' &&
            (['not-installed', 'not-applicable'].includes(f.error.code) || stopped(f.error.message))
          )
        )
          return unknown(`${n.node.name}: ${f.error.message}`, [
            ev(n.node.name, k === 'addrs' ? ipAddr : keepalivedState, f.error),
          ])
    }
    const notRunning = new Set(
      nodes
        .filter((n) => !n.optional.state.ok && stopped(n.optional.state.error.message))
        .map((n) => n.node.name),
    )
    for (const [router, members] of byRouter(confs)) {
      const vips = new Map<string, string>()
      for (const m of members)
        for (const v of m.inst.vips) vips.set(v.address, v.dev ?? m.inst.interface ?? '')
      const masters = nodes
        .filter(
          (n) =>
            n.optional.state.ok &&
            n.optional.state.value.instances.some((i) => `vrid ${i.vrid}` === router && i.state === 'MASTER'),
        )
        .map((n) => n.node.name)
      for (const [vip, dev] of vips) {
        const held = nodes.flatMap((n) =>
          n.optional.addrs.ok
            ? n.optional.addrs.value
                .filter((i) => i.addresses.some((a) => a.local === vip))
                .map((i) => ({node: n.node.name, ifname: i.ifname}))
            : [],
        )
        const e = [
          ...held.map((h) => ev(h.node, ipAddr, {vip, interface: h.ifname}, `on ${dev} of the MASTER`)),
          ...nodes.map((n) =>
            ev(
              n.node.name,
              keepalivedState,
              n.optional.state.ok
                ? n.optional.state.value.instances.map((i) => ({
                    instance: i.name,
                    vrid: i.vrid,
                    state: i.state,
                  }))
                : n.optional.state.error,
            ),
          ),
        ]
        const problems: string[] = []
        for (const h of held) {
          if (!masters.includes(h.node))
            problems.push(
              `${vip} is on ${h.node} (${h.ifname}), whose keepalived is ${notRunning.has(h.node) ? 'not running' : `not MASTER of ${router}`}`,
            )
          else if (dev && h.ifname !== dev)
            problems.push(`${vip} is on ${h.node} ${h.ifname}, the configuration names ${dev}`)
        }
        for (const m of masters)
          if (!held.some((h) => h.node === m))
            problems.push(`${m} is MASTER of ${router} but does not hold ${vip}`)
        findings.push(
          problems.length
            ? fail(problems.join('; '), e)
            : held.length
              ? pass(
                  `${vip} on ${held.map((h) => `${h.node} ${h.ifname}`).join(', ')} (MASTER of ${router}), nowhere else`,
                  e,
                )
              : fail(`${vip} is on no LB (${router} has no MASTER)`, e),
        )
      }
    }
    return findings
  },
  remediation: remediation(
    'The VIP is held by an LB that keepalived does not consider MASTER, or on another interface than configured.',
    "Remove the stray address on the LB that is not MASTER (`ip addr del VIP/PREFIX dev IFACE`), find what put it there (a keepalived killed with SIGKILL leaves its VIPs behind: restart it cleanly; an address in the distribution's network configuration: delete it there), and make `virtual_ipaddress { VIP/PREFIX dev IFACE }` name the interface the VIP must be on.",
    ['keepalived.conf(5): virtual_ipaddress'],
  ),
})
