import {cibadmin, type Cib, type CibPrimitive} from '../../facts/cibadmin.js'
import {defineClusterCheck, fail, pass, skip, unknown} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

function colocated(cib: Cib, a: string, b: string): boolean {
  return cib.constraints.colocations.some(
    (c) =>
      ((c.rsc === a && c.withRsc === b) || (c.rsc === b && c.withRsc === a)) &&
      (c.score === undefined || c.score === 'INFINITY' || c.score === '+INFINITY'),
  )
}
function ordered(cib: Cib, first: string, then: string): boolean {
  return cib.constraints.orders.some((o) => o.first === first && o.then === then && o.kind !== 'Optional')
}

/**
 * Also expected: the VIP is colocated with the service it fronts and ordered
 * relative to it, so clients never reach an address whose service is not
 * there. A group gives both (members are colocated and started in order).
 */
export default defineClusterCheck({
  id: 'pacemaker.vip-colocation',
  title: 'The VIP is colocated with its service and ordered with it',
  area: 'pacemaker',
  severity: 'critical',
  rationale:
    'A VIP that can run without its service, or start before it, sends clients to a node that refuses them: an outage that the cluster reports as healthy.',
  params: {},
  claim: 'cluster-state',
  facts: {cib: cibadmin},
  appliesTo(ctx) {
    return ctx.inventory.cluster.vip ? true : 'no cluster.vip in the inventory'
  },
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no CIB')
    const cib = first.facts.cib
    const vip = ctx.inventory.cluster.vip as string
    const ipRsc = cib.primitives.find(
      (p) => /IPaddr2?$|IPsrcaddr$/.test(p.type ?? '') && p.params['ip'] === vip,
    )
    if (!ipRsc)
      return fail(`no IPaddr2 resource manages the VIP ${vip}`, [
        ev(
          first.node.name,
          cibadmin,
          cib.primitives.map((p) => `${p.id} ${p.agent}`),
          `an IPaddr2 resource with ip=${vip}`,
        ),
      ])
    const others = cib.primitives.filter((p) => !p.isStonith && p.id !== ipRsc.id && !p.clone)
    const unitOf = (p: CibPrimitive): string => p.group ?? p.id
    const e = [
      ev(first.node.name, cibadmin, {
        vipResource: ipRsc.id,
        group: ipRsc.group,
        colocations: cib.constraints.colocations.map((c) => `${c.rsc} with ${c.withRsc} (${c.score})`),
        orders: cib.constraints.orders.map((o) => `${o.first} then ${o.then}`),
      }),
    ]
    if (ipRsc.group) {
      const members = cib.containers.find((c) => c.id === ipRsc.group)?.children ?? []
      const services = members.filter((m) => m !== ipRsc.id)
      if (services.length)
        return pass(
          `VIP ${ipRsc.id} is in group ${ipRsc.group} with ${services.join(', ')} (colocated and ordered)`,
          e,
        )
    }
    const partners = others.filter(
      (p) => colocated(cib, unitOf(p), unitOf(ipRsc)) || colocated(cib, p.id, ipRsc.id),
    )
    if (partners.length === 0) {
      if (others.length === 0)
        return skip(`the VIP ${ipRsc.id} is the only resource: nothing to colocate with`)
      return fail(
        `VIP ${ipRsc.id} is not colocated with any service (${others.map((o) => o.id).join(', ')})`,
        e,
      )
    }
    const unorderedPartners = partners.filter(
      (p) =>
        !ordered(cib, unitOf(p), unitOf(ipRsc)) &&
        !ordered(cib, unitOf(ipRsc), unitOf(p)) &&
        !ordered(cib, p.id, ipRsc.id) &&
        !ordered(cib, ipRsc.id, p.id),
    )
    if (unorderedPartners.length)
      return fail(
        `VIP ${ipRsc.id} is colocated with ${unorderedPartners.map((p) => p.id).join(', ')} but not ordered with it`,
        e,
      )
    return pass(`VIP ${ipRsc.id} colocated and ordered with ${partners.map((p) => p.id).join(', ')}`, e)
  },
  remediation: remediation(
    'The VIP can be placed or started independently of the service behind it.',
    'Put them in one group (`pcs resource group add <grp> <service> <vip>`), or add both constraints: `pcs constraint colocation add <vip> with <service> INFINITY` and `pcs constraint order start <service> then start <vip>` (crmsh: `crm configure colocation … inf: <vip> <service>` and `crm configure order … Mandatory: <service> <vip>`).',
    ['https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/constraints.html'],
  ),
})
