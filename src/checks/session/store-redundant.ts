import {appSessions} from '../../facts/app-sessions.js'
import {defineClusterCheck, fail, pass, skip, unknown, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Every app server keeps its sessions in a store that survives one server: more than one server in its list. */
export default defineClusterCheck({
  id: 'session.store-redundant',
  title: "The apps' session store survives the loss of one server",
  area: 'session',
  severity: 'critical',
  rationale:
    'A shared session store makes the app tier stateless, but a store with one server is the single point of failure of every login: when it goes, every user is logged out and nobody can log in. Memcached has no replication: the app must list several servers (a lost one takes only its share of sessions); Redis needs its Sentinels (or a cluster) listed, not one fixed address.',
  params: {minServers: 2},
  roles: ['app'],
  facts: {},
  optionalFacts: {app: appSessions},
  evaluate(nodes, {minServers}) {
    const findings: Finding[] = []
    let judged = 0
    for (const {node, optional} of nodes) {
      const f = optional.app
      if (!f.ok) {
        if (f.error.code === 'not-applicable') continue
        findings.push(
          unknown(`${node.name}: ${f.error.message}`, [ev(node.name, appSessions, f.error)], node.name),
        )
        continue
      }
      judged++
      const a = f.value
      const e = [ev(node.name, appSessions, a, `>= ${minServers} servers (or Sentinels) in the app's list`)]
      if (a.store === 'local') {
        findings.push(
          skip(
            `${node.name} keeps sessions in its own memory (${a.file}): judged by lb.sticky-sessions`,
            e,
            node.name,
          ),
        )
        continue
      }
      const list = a.store === 'redis-sentinel' ? a.sentinels : a.servers
      const what = a.store === 'redis-sentinel' ? 'Sentinel(s)' : `${a.store} server(s)`
      findings.push(
        list.length >= (minServers as number)
          ? pass(`${node.name}: ${a.store} with ${list.length} ${what}: ${list.join(', ')}`, e, node.name)
          : fail(
              `${node.name}: ${a.store} with ${list.length} ${what} in ${a.file} (${list.join(', ') || 'none'}): one server lost logs every user out`,
              e,
              node.name,
            ),
      )
    }
    if (judged === 0 && findings.length === 0)
      return skip('no app node declares its session store (/etc/hacheck/app-sessions.conf)')
    return findings
  },
  remediation: remediation(
    'An app server keeps its sessions in a store with a single server.',
    'Memcached: list every memcached server in the app (e.g. `servers=h1:11211,h2:11211,h3:11211`; PHP: `session.save_path`), so a lost server takes only its share of sessions. Redis: connect through the Sentinels (all of them) and the master name, not one Redis address. Deploy the same list on every app node and restart the apps one by one.',
    ['https://redis.io/docs/latest/develop/reference/sentinel-clients/'],
  ),
})
