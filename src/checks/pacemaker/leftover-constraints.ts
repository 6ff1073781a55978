import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, pass, unknown, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Also expected (leftovers): no cli-ban / cli-prefer constraints left by `crm_resource --move/--ban`. */
export default defineClusterCheck({
  id: 'pacemaker.leftover-constraints',
  title: 'No move/ban constraints left over',
  area: 'pacemaker',
  severity: 'warning',
  rationale:
    '`pcs resource move` and `crm resource ban` create location constraints (cli-prefer-*, cli-ban-*) that stay until cleared: they silently pin or forbid resources and can block a failover.',
  params: {},
  facts: {mon: crmMon},
  evaluate(nodes) {
    const first = nodes[0]
    if (!first) return unknown('no crm_mon output')
    const bans = first.facts.mon.bans
    const e = [
      ev(
        first.node.name,
        crmMon,
        bans.map((b) => ({id: b.id, resource: b.resource, node: b.node, weight: b.weight})),
        'no cli-ban/cli-prefer constraints',
      ),
    ]
    const cli = bans.filter((b) => /^cli-(ban|prefer|standby)-/.test(b.id))
    if (cli.length) return warn(`leftover constraint(s): ${cli.map((b) => b.id).join(', ')}`, e)
    // Bans written by hand (e.g. a fence device kept off its own node) are configuration, not leftovers.
    return pass(
      bans.length ? `no move/ban leftovers (${bans.length} configured ban(s))` : 'no move/ban constraints',
      e,
    )
  },
  remediation: remediation(
    'A temporary move or ban constraint was left in the configuration.',
    'Remove it: `pcs resource clear <resource>` (crmsh: `crm resource clear <resource>`; raw: `crm_resource --clear -r <resource>`).',
    ['crm_resource(8) --clear'],
  ),
})
