import {corosyncQuorumtool} from '../../facts/corosync-quorumtool.js'
import type {AnomalyKind} from '../../view/types.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** View anomalies that mean the cluster runs with less than its full membership. */
const MEMBERSHIP_PROBLEMS: readonly AnomalyKind[] = [
  'not-examined',
  'powered-off-member',
  'stack-down',
  'minority',
  'no-quorate-partition',
  'several-quorate-partitions',
]

/**
 * Item 1, runtime: one quorate partition holding every cluster node of the inventory, with every expected
 * vote. Judged from the cluster view, so a node that is dark, powered off or cut off is named, whatever the
 * survivors still believe.
 */
export default defineClusterCheck({
  id: 'quorum.runtime',
  title: 'The cluster is quorate with every node a member and every expected vote present',
  area: 'quorum',
  severity: 'critical',
  rationale:
    'A cluster that is already missing votes has less margin than it was designed for: the next failure may cost quorum. A node that is not quorate stops its resources.',
  params: {},
  facts: {q: corosyncQuorumtool},
  evaluate(nodes, _p, ctx) {
    const evidence = nodes.map(({node, facts}) =>
      ev(node.name, corosyncQuorumtool, {
        quorate: facts.q.quorate,
        expectedVotes: facts.q.expectedVotes,
        totalVotes: facts.q.totalVotes,
        members: facts.q.members.filter((m) => !m.isQdevice).map((m) => m.name),
        flags: facts.q.flags,
      }),
    )
    const view = ctx.view
    if (!view) return unknown('no cluster view to judge the membership from', evidence)
    const cluster = view.nodes.filter((n) => n.cluster)
    const relevant = view.anomalies.filter(
      (a) => MEMBERSHIP_PROBLEMS.includes(a.kind) && a.nodes.some((n) => cluster.some((c) => c.name === n)),
    )
    // One sentence per node: "powered off yet still a member" says more than "not examined".
    const poweredOff = new Set(
      relevant.filter((a) => a.kind === 'powered-off-member').flatMap((a) => a.nodes),
    )
    const problems = relevant
      .filter((a) => !(a.kind === 'not-examined' && a.nodes.every((n) => poweredOff.has(n))))
      .map((a) => a.message)
    const primary = view.partitions.find((p) => p.primary)
    const reporter = cluster.find((n) => n.name === primary?.reporters[0])?.membership
    if (primary) {
      const absent = cluster.filter((n) => !primary.members.includes(n.name) && n.examined && n.membership)
      for (const n of absent)
        problems.push(`${n.name} is not a member of the quorate partition ${primary.name}`)
      if (reporter && (reporter.totalVotes ?? 0) < (reporter.expectedVotes ?? 0))
        problems.push(`only ${reporter.totalVotes} of ${reporter.expectedVotes} expected votes present`)
    }
    if (problems.length) return fail([...new Set(problems)].join('; '), evidence)
    if (!primary) return unknown('no membership could be read from any cluster node', evidence)
    return pass(
      `one quorate partition ${primary.name} with every cluster node, ${reporter?.totalVotes ?? '?'}/${reporter?.expectedVotes ?? '?'} votes`,
      evidence,
    )
  },
  remediation: remediation(
    'Part of the cluster is missing, cut off or not quorate, so it runs with less redundancy than designed.',
    'Find why the node left: is it powered (its BMC: `ipmitool … chassis power status`), does it answer, what does `corosync-cfgtool -s` and `journalctl -u corosync` say on it and on the survivors? Bring it back (`pcs cluster start <node>` / `crm cluster start`), repair the heartbeat network of a minority, and check that `corosync-quorumtool -s` shows Quorate with Total votes equal to Expected votes on every node.',
    ['corosync-quorumtool(8)', 'votequorum(5)'],
  ),
})
