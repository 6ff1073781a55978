import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {fail, pass} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {defineVrrpConfCheck, where} from './common.js'

/** keepalived's default priority when an instance sets none (BACKUP). */
const DEFAULT_PRIORITY = 100

export default defineVrrpConfCheck({
  id: 'vrrp.priorities',
  title: 'VRRP peers have distinct priorities',
  severity: 'critical',
  rationale:
    'With equal priorities the MASTER is chosen by the higher primary address, not by intent, and two LBs that come up together may both claim the VIP until one yields: the operator cannot tell from the configuration which LB serves.',
  params: {},
  judge(router, members) {
    const prio = members.map((m) => ({m, p: m.inst.priority ?? DEFAULT_PRIORITY}))
    const e = members.map((m) =>
      ev(m.node, keepalivedConf, {
        instance: m.inst.name,
        priority: m.inst.priority ?? `${DEFAULT_PRIORITY} (default)`,
      }),
    )
    const seen = new Map<number, string[]>()
    for (const {m, p} of prio) seen.set(p, [...(seen.get(p) ?? []), m.node])
    const dup = [...seen].filter(([, ns]) => ns.length > 1)
    if (members.length < 2)
      return pass(`${router}: one instance only (${where(members[0] as (typeof members)[0])})`, e)
    return dup.length
      ? fail(`${router}: ${dup.map(([p, ns]) => `${ns.join(' and ')} share priority ${p}`).join('; ')}`, e)
      : pass(`${router}: distinct priorities ${prio.map(({m, p}) => `${m.node} ${p}`).join(', ')}`, e)
  },
  remediation: remediation(
    'Two LBs of one VRRP router have the same priority.',
    'Give each LB of the router its own `priority` in its `vrrp_instance` (e.g. 150 on the preferred LB, 100 on the other), keep them at least the size of any tracking weight apart, and reload keepalived (`systemctl reload keepalived`) on each LB.',
    ['keepalived.conf(5): vrrp_instance priority', 'RFC 5798 section 6.4'],
  ),
})
