import {galera} from '../../facts/galera.js'
import {systemView} from '../../view/systems.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {GALERA_ROLES, galeraEvidence, serverOf} from './common.js'

/**
 * Every Galera node is in one primary component that holds every node of the inventory. Judged from the
 * cluster view's galera system, so a node in a non-primary component is named as a minority, whatever the
 * majority believes, and a dark node is never counted as a member.
 */
export default defineClusterCheck({
  id: 'galera.primary',
  title: 'Every Galera node is in one primary component holding every node',
  area: 'galera',
  severity: 'critical',
  rationale:
    'A Galera node outside the primary component (wsrep_cluster_status non-Primary) refuses reads and writes; one primary component missing nodes runs with less redundancy than designed and may lose quorum at the next failure.',
  params: {},
  roles: GALERA_ROLES,
  facts: {g: galera},
  evaluate(nodes, _p, ctx) {
    const evidence = nodes.map(({node, facts}) =>
      galeraEvidence(node.name, serverOf(facts.g), {
        wsrep_incoming_addresses: serverOf(facts.g)?.incomingAddresses,
      }),
    )
    const view = systemView(ctx.view?.systems, 'galera')
    if (!view) return unknown('no cluster view of the Galera membership', evidence)
    const problems = view.anomalies
      .filter((a) => a.kind !== 'not-examined')
      .map((a) => a.message.replace(/^galera: /, ''))
    if (problems.length) return fail(problems.join('; '), evidence)
    if (!view.primary) return unknown('no Galera node reported its component', evidence)
    return pass(`one primary component ${view.primary} with every Galera node`, evidence)
  },
  remediation: remediation(
    'Part of the Galera cluster is outside the primary component: those nodes refuse queries, and the cluster runs with fewer votes than designed.',
    "On each node: `SHOW GLOBAL STATUS LIKE 'wsrep_cluster_status'` and the error log (`WSREP: view(`, `non-Primary`). Repair the group-communication network (port 4567) of a minority; a node that stays non-Primary after the network is back rejoins with a restart of mariadb. If NO node is Primary (the whole cluster lost quorum), bootstrap from the most advanced node only (highest `wsrep_last_committed`, or `SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'` on it) — never on two nodes.",
    [
      'https://mariadb.com/kb/en/galera-cluster-status-variables/',
      'https://galeracluster.com/library/documentation/crash-recovery.html',
    ],
  ),
})
