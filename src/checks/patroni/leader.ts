import {patroni} from '../../facts/patroni.js'
import {systemView} from '../../view/systems.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {PATRONI_ROLES, patroniEvidence} from './common.js'

/**
 * One Patroni leader, the same for every member, every inventory member in the cluster and running, and the
 * DCS reachable from every member (a member that cannot reach it demotes itself or cannot take over).
 */
export default defineClusterCheck({
  id: 'patroni.leader',
  title: 'One Patroni leader, agreed by every member; every member running and reaching the DCS',
  area: 'patroni',
  severity: 'critical',
  rationale:
    'Patroni holds the leader key in the DCS: with no leader nobody accepts writes, two members calling themselves leader is split brain, a member that cannot reach the DCS cannot be promoted (and a leader that cannot reach it demotes itself after ttl), and a member that is not running is not a failover target.',
  params: {},
  roles: PATRONI_ROLES,
  facts: {p: patroni},
  evaluate(nodes, _p, ctx) {
    const evidence = nodes.map(({node, facts}) =>
      patroniEvidence(node.name, facts.p, {
        members: facts.p.members?.map((m) => `${m.name} ${m.role} ${m.state}`),
        dcs: facts.p.members ? 'reachable' : facts.p.listError,
      }),
    )
    const view = systemView(ctx.view?.systems, 'patroni')
    if (!view) return unknown('no cluster view of the Patroni members', evidence)
    const problems = view.anomalies
      .filter((a) => a.kind !== 'not-examined')
      .map((a) => a.message.replace(/^patroni: /, ''))
    const listed = nodes.find(({facts}) => facts.p.members)?.facts.p.members ?? []
    const leaders = listed.filter((m) => m.role === 'Leader')
    if (leaders.length > 1)
      problems.push(
        `${leaders.length} members hold the Leader role: ${leaders.map((m) => m.name).join(', ')}`,
      )
    for (const m of listed) {
      if (m.role === 'Leader' && m.state !== 'running') problems.push(`the leader ${m.name} is ${m.state}`)
      if (m.role !== 'Leader' && !['running', 'streaming'].includes(m.state))
        problems.push(`${m.name} (${m.role}) is ${m.state}`)
    }
    if (problems.length) return fail([...new Set(problems)].join('; '), evidence)
    if (!view.leader) return unknown('no member could read the leader from the DCS', evidence)
    return pass(
      `leader ${view.leader}, agreed by every member; members ${view.primary ?? ''} running, DCS reachable from each`,
      evidence,
    )
  },
  remediation: remediation(
    'The Patroni cluster has no single agreed leader, a member is not running, or a member cannot reach the DCS.',
    '`patronictl -c /etc/patroni/config.yml list` on each node; `journalctl -u patroni` (or its log dir) on the member in trouble. A member that cannot reach the DCS needs its network to the etcd/Consul/ZooKeeper endpoints repaired; a stopped member `systemctl start patroni`; with no leader, look for `no action. I am … the leader with the lock` / `failed to acquire lock` and the DCS health.',
    [
      'https://patroni.readthedocs.io/en/latest/patronictl.html',
      'https://patroni.readthedocs.io/en/latest/rest_api.html',
    ],
  ),
})
