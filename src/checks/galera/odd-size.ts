import {galera} from '../../facts/galera.js'
import {defineClusterCheck, fail, pass} from '../define.js'
import {remediation} from '../evidence.js'
import {arbitrators, GALERA_ROLES, galeraEvidence, serverOf, weightOf} from './common.js'

/**
 * The votes of the designed cluster (every inventory Galera node's pc.weight, plus 1 per garbd arbitrator)
 * add up to an odd number, so no partition can split them in two equal halves.
 */
export default defineClusterCheck({
  id: 'galera.odd-size',
  title: 'The Galera cluster has an odd number of votes (odd size, or an arbitrator)',
  area: 'galera',
  severity: 'critical',
  rationale:
    'A Galera component stays primary only with more than half of the votes of the last primary component. With an even total (2 or 4 nodes of equal weight, no garbd), a partition into two equal halves leaves NO primary component: the whole cluster stops taking writes although every node is up.',
  params: {},
  roles: GALERA_ROLES,
  facts: {g: galera},
  evaluate(nodes, _p, ctx) {
    const arb = arbitrators(ctx.inventory)
    const votes = nodes.map(({node, facts}) => ({node: node.name, w: weightOf(serverOf(facts.g))}))
    const total = votes.reduce((a, v) => a + v.w, 0) + arb.length
    const evidence = nodes.map(({node, facts}) =>
      galeraEvidence(node.name, serverOf(facts.g), {'pc.weight': weightOf(serverOf(facts.g))}),
    )
    const detail = `${votes.map((v) => `${v.node} ${v.w}`).join(', ')}${arb.length ? `, arbitrator ${arb.join(', ')} 1 each` : ''}`
    if (total % 2 === 0)
      return fail(
        `${total} votes in all (${detail}): an even total can split into two halves with no primary component; add a node or a garbd arbitrator`,
        evidence,
      )
    return pass(`${total} votes in all (${detail}): odd`, evidence)
  },
  remediation: remediation(
    'The designed Galera cluster has an even number of votes, so a clean split into halves stops it everywhere.',
    'Run an odd number of nodes, or add a Galera Arbitrator (`garbd`, Debian package galera-arbitrator-4) on a third site/host with the same `--group` and `--address gcomm://…` (declare it in the inventory with role garbd). Do not fix it with pc.weight on one node: that node then decides alone (see galera.split-brain).',
    [
      'https://galeracluster.com/library/documentation/arbitrator.html',
      'https://galeracluster.com/library/documentation/weighted-quorum.html',
    ],
  ),
})
