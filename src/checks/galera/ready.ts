import {galera} from '../../facts/galera.js'
import {defineNodeCheck, fail, pass, warn} from '../define.js'
import {remediation} from '../evidence.js'
import {GALERA_ROLES, galeraEvidence, NO_WSREP, serverOf} from './common.js'

/** States in which a node serves queries but is temporarily not a full member (a donor serving a state transfer). */
const DEGRADED = new Set(['Donor/Desynced'])

/** The node is connected to the group, ready for queries and Synced. */
export default defineNodeCheck({
  id: 'galera.ready',
  title: 'Each Galera node is connected, ready and Synced',
  area: 'galera',
  severity: 'critical',
  rationale:
    'wsrep_connected OFF means the node has no group communication; wsrep_ready OFF means it refuses queries (ERROR 1047 "WSREP has not yet prepared node for application use"); a node Joining/Joined is still catching up and serves nothing yet.',
  params: {},
  roles: GALERA_ROLES,
  facts: {g: galera},
  evaluate(facts, _p, node) {
    const s = serverOf(facts.g)
    const e = [galeraEvidence(node.name, s, {wsrep_ready: s?.ready, wsrep_connected: s?.connected})]
    if (!s) return fail(NO_WSREP, e)
    const bad: string[] = []
    if (s.connected !== true) bad.push(`wsrep_connected ${s.connected === false ? 'OFF' : 'unknown'}`)
    if (s.ready !== true) bad.push(`wsrep_ready ${s.ready === false ? 'OFF (refuses queries)' : 'unknown'}`)
    if (s.localState !== 'Synced' && !DEGRADED.has(s.localState ?? ''))
      bad.push(`state ${s.localState ?? 'unknown'}, not Synced`)
    if (bad.length) return fail(bad.join('; '), e)
    if (s.localState !== 'Synced')
      return warn(`connected and ready, but ${s.localState}: serving a state transfer`, e)
    return pass('connected, ready, Synced', e)
  },
  remediation: remediation(
    'A Galera node is not a synced, query-ready member of the cluster.',
    "Read the node's error log (`WSREP:` lines): a node that cannot reach its peers on port 4567 stays disconnected; a joiner waits for IST/SST from a donor (port 4568/4444). `SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'` shows the progress. A node stuck outside the primary component needs its network repaired (see galera.primary).",
    ['https://mariadb.com/kb/en/galera-cluster-status-variables/'],
  ),
})
