import {corosyncQuorumtool} from '../../facts/corosync-quorumtool.js'
import {defineClusterCheck, fail, pass} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 1, runtime: every node quorate, every expected vote present, every node a member. */
export default defineClusterCheck({
  id: 'quorum.runtime',
  title: 'The cluster is quorate with every expected vote present',
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
    const notQuorate = nodes.filter(({facts}) => facts.q.quorate !== true).map(({node}) => node.name)
    if (notQuorate.length) return fail(`not quorate on ${notQuorate.join(', ')}`, evidence)
    const short = nodes.filter(({facts}) => (facts.q.totalVotes ?? 0) < (facts.q.expectedVotes ?? 0))
    if (short.length) {
      const s = short[0]?.facts.q
      return fail(
        `only ${s?.totalVotes} of ${s?.expectedVotes} expected votes present (seen from ${short.map((x) => x.node.name).join(', ')})`,
        evidence,
      )
    }
    const members = new Set(
      nodes.flatMap(({facts}) => facts.q.members.map((m) => m.name.replace(/ \(local\)$/, ''))),
    )
    const missing = ctx.inventory.nodes
      .filter((n) => n.roles.includes('cluster') && !members.has(n.name) && !members.has(n.host))
      .map((n) => n.name)
    if (missing.length) return fail(`inventory nodes not in the membership: ${missing.join(', ')}`, evidence)
    const q = nodes[0]?.facts.q
    return pass(`quorate on every node, ${q?.totalVotes}/${q?.expectedVotes} votes`, evidence)
  },
  remediation: remediation(
    'Part of the cluster is missing or not quorate, so it runs with less redundancy than designed.',
    'Find why the missing node left (`corosync-cfgtool -s`, `journalctl -u corosync`), bring it back (`pcs cluster start <node>` / `crm cluster start`), and check that `corosync-quorumtool -s` shows Quorate with Total votes equal to Expected votes on every node.',
    ['corosync-quorumtool(8)'],
  ),
})
