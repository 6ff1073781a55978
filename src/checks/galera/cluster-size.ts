import {galera} from '../../facts/galera.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {arbitrators, GALERA_ROLES, galeraEvidence, serverOf} from './common.js'

/** wsrep_cluster_size, as the primary component reports it, equals the inventory's Galera nodes + arbitrators. */
export default defineClusterCheck({
  id: 'galera.cluster-size',
  title: 'The Galera cluster size equals the inventory (nodes plus arbitrators)',
  area: 'galera',
  severity: 'critical',
  rationale:
    'A cluster smaller than designed has lost redundancy (a node left or never joined); a larger one has members the inventory does not know (a forgotten node, or one of another cluster joined by a wrong wsrep_cluster_address), which changes the quorum arithmetic.',
  params: {},
  roles: GALERA_ROLES,
  facts: {g: galera},
  evaluate(nodes, _p, ctx) {
    const arb = arbitrators(ctx.inventory)
    const expected = ctx.inventory.nodes.filter((n) => n.roles.includes('galera')).length + arb.length
    const evidence = nodes.map(({node, facts}) => galeraEvidence(node.name, serverOf(facts.g)))
    const primary = nodes.filter(({facts}) => serverOf(facts.g)?.clusterStatus === 'Primary')
    if (primary.length === 0)
      return unknown('no examined Galera node is in a primary component to read the size from', evidence)
    const sizes = [...new Set(primary.map(({facts}) => serverOf(facts.g)?.clusterSize))]
    const what = `${expected} (${expected - arb.length} Galera nodes${arb.length ? ` + arbitrator ${arb.join(', ')}` : ''})`
    const bad = sizes.filter((s) => s !== expected)
    if (bad.length)
      return fail(
        `wsrep_cluster_size is ${sizes.join(' / ')} on the primary component's nodes (${primary.map((x) => x.node.name).join(', ')}), expected ${what}`,
        evidence,
      )
    return pass(`wsrep_cluster_size ${expected} = ${what}`, evidence)
  },
  remediation: remediation(
    'The primary component does not hold exactly the members the inventory declares.',
    "Compare `SHOW GLOBAL STATUS LIKE 'wsrep_incoming_addresses'` with the inventory. A missing node: start mariadb on it (it rejoins with IST/SST) or repair its network. An unknown member: check every node's `wsrep_cluster_address` and `wsrep_cluster_name`; add a deliberate arbitrator (garbd) to the inventory with role garbd.",
    ['https://mariadb.com/kb/en/galera-cluster-status-variables/#wsrep_cluster_size'],
  ),
})
