import {etcd} from '../../facts/etcd.js'
import {systemView} from '../../view/systems.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/**
 * Every etcd member is healthy, reachable from every member, and they agree on one leader; no member is a
 * learner (a learner does not vote: one left behind after a member add leaves the cluster a vote short).
 */
export default defineClusterCheck({
  id: 'etcd.members',
  title: 'Every etcd member healthy and reachable, one agreed leader, no learner left behind',
  area: 'etcd',
  severity: 'critical',
  rationale:
    'etcd serves writes only with a quorum of healthy voting members and one leader. An unhealthy or unreachable member is a vote already lost; members naming different leaders are in a split; a learner that was never promoted counts in `member list` but not in the quorum.',
  params: {},
  roles: ['etcd'],
  facts: {e: etcd},
  evaluate(nodes, _p, ctx) {
    const evidence = nodes.map(({node, facts}) =>
      ev(node.name, etcd, {
        members: facts.e.members.map((m) => `${m.name}${m.isLearner ? ' (learner)' : ''}`),
        health: facts.e.health.map(
          (h) => `${h.endpoint} ${h.health ? 'healthy' : `unhealthy${h.error ? `: ${h.error}` : ''}`}`,
        ),
        errors: facts.e.errors,
      }),
    )
    const view = systemView(ctx.view?.systems, 'etcd')
    if (!view) return unknown('no cluster view of the etcd members', evidence)
    const problems = view.anomalies
      .filter((a) => a.kind !== 'not-examined')
      .map((a) => a.message.replace(/^etcd: /, ''))
    for (const {node, facts} of nodes) {
      const bad = facts.e.health.filter((h) => !h.health)
      if (bad.length)
        problems.push(
          `from ${node.name}: ${bad.map((h) => `${h.endpoint} unhealthy${h.error ? ` (${h.error})` : ''}`).join(', ')}`,
        )
    }
    const learners = [
      ...new Set(nodes.flatMap(({facts}) => facts.e.members.filter((m) => m.isLearner).map((m) => m.name))),
    ]
    if (learners.length)
      problems.push(`learner${learners.length > 1 ? 's' : ''} ${learners.join(', ')} not promoted: no vote`)
    if (problems.length) return fail([...new Set(problems)].join('; '), evidence)
    if (!view.leader) return unknown('no member reported a leader', evidence)
    return pass(
      `members ${view.primary ?? ''} healthy, leader ${view.leader} agreed by every member, no learner`,
      evidence,
    )
  },
  remediation: remediation(
    'An etcd member is unhealthy, unreachable, or the members disagree on the leader; or a learner was left unpromoted.',
    '`ETCDCTL_API=3 etcdctl endpoint status --cluster -w table` and `endpoint health --cluster` on each member; the etcd log of the member in trouble (`lost the TCP streaming connection`, `failed to reach the peer URL`). Repair the peer network (port 2380), restart a stopped member; promote a caught-up learner with `etcdctl member promote <id>`.',
    ['https://etcd.io/docs/v3.4/op-guide/maintenance/', 'https://etcd.io/docs/v3.4/learning/design-learner/'],
  ),
})
