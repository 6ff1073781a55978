import {keepalivedState} from '../../facts/keepalived-state.js'
import {defineClusterCheck, fail, pass, skip, unknown, type Finding} from '../define.js'
import {systemGroups} from '../../view/systems.js'
import {ev, remediation} from '../evidence.js'

/** Judged from the cluster view's VRRP groups (src/view/groups.ts): every LB's own keepalived state. */
export default defineClusterCheck({
  id: 'vrrp.one-master',
  title: 'Exactly one MASTER per VRRP router',
  area: 'vrrp',
  severity: 'critical',
  rationale:
    'Two MASTERs hold the VIP at once (split brain): clients and switches flip between two LBs, connections reset, and one LB may serve stale or no backends. No MASTER means the VIP is down.',
  params: {},
  roles: ['lb'],
  facts: {},
  optionalFacts: {state: keepalivedState},
  evaluate(nodes, _p, ctx) {
    const view = ctx.view
    if (!view) return unknown("no cluster view was built: cannot compare the LBs' VRRP states")
    const groups = systemGroups(view.systems, 'vrrp')
    const runs = nodes.filter(
      (n) =>
        n.optional.state.ok || !['not-installed', 'not-applicable'].includes(n.optional.state.error.code),
    )
    if (groups.length === 0 && runs.length === 0)
      return skip('no LB node runs keepalived (the VIP is not held by VRRP)')
    const findings: Finding[] = []
    for (const g of groups) {
      const e = [
        ...g.members.map((m) =>
          ev(m.node, keepalivedState, {role: m.role, ...(m.detail ?? {})}, 'one MASTER, the others BACKUP'),
        ),
        ...g.unread.map((u) => ev(u.node, keepalivedState, {error: u.error})),
      ]
      const roles = g.members.map((m) => `${m.node} ${m.role}`).join(', ')
      if (g.leaders.length > 1)
        findings.push(
          fail(`${g.group}: ${g.leaders.join(' and ')} are MASTER at once (split brain): ${roles}`, e),
        )
      else if (g.unread.length)
        findings.push(
          unknown(
            `${g.group}: could not read keepalived's state on ${g.unread.map((u) => u.node).join(', ')} (${roles})`,
            e,
          ),
        )
      else if (g.leaders.length === 0) findings.push(fail(`${g.group}: no MASTER: ${roles}`, e))
      else if (g.members.length < 2)
        findings.push(fail(`${g.group}: only ${roles} runs this router: no BACKUP to take over`, e))
      else findings.push(pass(`${g.group}: ${roles}`, e))
    }
    if (groups.length === 0)
      findings.push(
        unknown(
          `keepalived's state could not be read on ${runs.map((n) => n.node.name).join(', ')}`,
          runs.map((n) =>
            ev(
              n.node.name,
              keepalivedState,
              n.optional.state.ok ? n.optional.state.value : n.optional.state.error,
            ),
          ),
        ),
      )
    return findings
  },
  remediation: remediation(
    'The VRRP router has two MASTERs (split brain), none, or no BACKUP.',
    "Two MASTERs: the LBs do not hear each other's adverts. Check that `virtual_router_id`, `auth_type`/`auth_pass` and `unicast_peer` match on both LBs, that IP protocol 112 passes between them (`tcpdump -ni IFACE ip proto 112` on each), and reload keepalived. No MASTER: every instance is in FAULT (its tracked script or interface failed): fix the tracked daemon (`journalctl -u keepalived`). No BACKUP: run keepalived with the same router on a second LB.",
    ['keepalived.conf(5)', 'RFC 5798 (VRRP)'],
  ),
})
