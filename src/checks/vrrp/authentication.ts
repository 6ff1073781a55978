import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {fail, pass} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {defineVrrpConfCheck} from './common.js'

export default defineVrrpConfCheck({
  id: 'vrrp.authentication',
  title: 'VRRP adverts are authenticated',
  severity: 'critical',
  rationale:
    'Without authentication any host on the segment (a misconfigured peer, a test box with the same virtual_router_id) can send adverts with a higher priority and take the VIP: the service address moves to a machine that does not serve it.',
  params: {},
  judge(router, members) {
    // The password itself never leaves the node (redacted by the snippet): only whether one is set.
    const e = members.map((m) =>
      ev(
        m.node,
        keepalivedConf,
        {instance: m.inst.name, authType: m.inst.authType ?? null, passwordSet: m.inst.authPassSet},
        'auth_type PASS or AH with auth_pass, the same on every peer',
      ),
    )
    const missing = members.filter((m) => !m.inst.authType || !m.inst.authPassSet).map((m) => m.node)
    const types = new Set(members.map((m) => m.inst.authType ?? 'none'))
    if (missing.length) return fail(`${router}: no authentication on ${missing.join(', ')}`, e)
    if (types.size > 1)
      return fail(
        `${router}: the peers use different auth_type (${[...types].join(' vs ')}): they drop each other's adverts`,
        e,
      )
    return pass(
      `${router}: auth_type ${[...types][0] ?? ''} with a password on ${members.map((m) => m.node).join(', ')}`,
      e,
    )
  },
  remediation: remediation(
    'A VRRP instance accepts adverts from anyone on the segment.',
    'Add to every `vrrp_instance` of the router, identically on each LB: `authentication { auth_type PASS; auth_pass <8 characters> }` (or `auth_type AH`), keep the password out of version control, and reload keepalived on each LB. Also filter IP protocol 112 to the LB peers in the firewall.',
    ['keepalived.conf(5): authentication', 'RFC 3768 section 5.3.6'],
  ),
})
