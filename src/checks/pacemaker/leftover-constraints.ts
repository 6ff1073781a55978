import {cibadmin} from '../../facts/cibadmin.js'
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
  facts: {cib: cibadmin},
  evaluate(nodes) {
    const first = nodes[0]
    if (!first) return unknown('no CIB')
    const locs = first.facts.cib.constraints.locations
    const left = locs.filter((l) => l.leftover !== undefined)
    const e = [
      ev(
        first.node.name,
        cibadmin,
        left.map((l) => ({id: l.id, resource: l.rsc, node: l.node, score: l.score})),
        'no cli-ban/cli-prefer constraints',
      ),
    ]
    if (left.length)
      return warn(
        `leftover constraint(s) from resource move/ban: ${left.map((l) => `${l.id} (${l.leftover} ${l.rsc} ${l.leftover === 'ban' ? 'from' : 'on'} ${l.node})`).join(', ')}`,
        e,
      )
    return pass(`no move/ban leftovers among ${locs.length} location constraint(s)`, e)
  },
  remediation: remediation(
    'A temporary move or ban constraint was left in the configuration.',
    'Remove it: `pcs resource clear <resource>` (crmsh: `crm resource clear <resource>`; raw: `crm_resource --clear -r <resource>`).',
    ['crm_resource(8) --clear'],
  ),
})
