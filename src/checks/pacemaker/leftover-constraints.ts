import {cibadmin} from '../../facts/cibadmin.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/** Also expected (leftovers): no cli-ban / cli-prefer constraints left by `crm_resource --move/--ban`. */
export default defineClusterCheck({
  id: 'pacemaker.leftover-constraints',
  title: 'No move/ban constraints left over',
  area: 'pacemaker',
  severity: 'critical',
  rationale:
    '`pcs resource move` and `crm resource ban` create location constraints (cli-prefer-*, cli-ban-*) that stay until cleared: a ban silently forbids a node, so the next failure has one target less (on two nodes: none); a prefer pins the resource.',
  params: {},
  claim: 'cluster-state',
  facts: {cib: cibadmin},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
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
    const describe = `leftover constraint(s) from resource move/ban: ${left.map((l) => `${l.id} (${l.leftover} ${l.rsc} ${l.leftover === 'ban' ? 'from' : 'on'} ${l.node})`).join(', ')}`
    // A ban takes a node out of the failover plan (on two nodes: the only target); a prefer only pins.
    if (left.some((l) => l.leftover === 'ban'))
      return fail(`${describe}: the banned node can no longer take the resource over`, e)
    if (left.length) return warn(describe, e)
    return pass(`no move/ban leftovers among ${locs.length} location constraint(s)`, e)
  },
  remediation: remediation(
    'A temporary move or ban constraint was left in the configuration.',
    'Remove it: `pcs resource clear <resource>` (crmsh: `crm resource clear <resource>`; raw: `crm_resource --clear -r <resource>`).',
    ['crm_resource(8) --clear'],
  ),
})
