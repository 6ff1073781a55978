import {corosyncConf} from '../../facts/corosync-conf.js'
import {defineClusterCheck, fail, pass, unknown, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/**
 * Item 1: an odd number of votes or a dedicated tiebreaker. Judged from
 * corosync.conf (what the cluster will do after a split), not from the
 * runtime, which only shows today's membership.
 */
export default defineClusterCheck({
  id: 'quorum.votes',
  title: 'Quorum has an odd number of votes or a witness',
  area: 'quorum',
  severity: 'critical',
  rationale:
    'After a network split, only the side with more than half of the votes keeps running. With an even number of votes and no tiebreaker, a 50/50 split stops every side (or, with two_node, lets the faster fencer win a race).',
  params: {},
  claim: 'cluster-state',
  facts: {conf: corosyncConf},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return fail('no corosync.conf to judge')
    const {node, facts} = first
    const q = facts.conf.quorum
    // A quorum_votes that is not a whole number is "cannot tell", never the default of 1 vote.
    const unreadable = facts.conf.nodes.filter(
      (n) => n.raw['quorum_votes'] !== undefined && !/^\d+$/.test(n.raw['quorum_votes'].trim()),
    )
    if (unreadable.length)
      return unknown(
        `cannot read quorum_votes ${unreadable.map((n) => JSON.stringify(n.raw['quorum_votes'])).join(', ')} in corosync.conf as a number of votes: cannot tell how many votes there are`,
        [ev(node.name, corosyncConf, {quorumVotes: unreadable.map((n) => n.raw['quorum_votes'])})],
      )
    const votes = facts.conf.nodes.reduce((a, n) => a + Number(n.raw['quorum_votes'] ?? 1), 0)
    const nodeCount = facts.conf.nodes.length || (q.expectedVotes ?? 0)
    const observed = {
      nodes: nodeCount,
      nodeVotes: votes || q.expectedVotes,
      provider: q.provider,
      twoNode: q.twoNode ?? false,
      waitForAll: q.waitForAll,
      autoTieBreaker: q.autoTieBreaker ?? false,
      device: q.device ? {model: q.device.model, host: q.device.net?.host, votes: q.device.votes} : undefined,
    }
    const e = [
      ev(node.name, corosyncConf, observed, 'an odd number of votes, or a quorum device (qdevice/qnetd)'),
    ]
    if (q.provider && q.provider !== 'corosync_votequorum') {
      return fail(`quorum provider is ${q.provider}, not corosync_votequorum: no vote-based quorum`, e)
    }
    if (!q.provider) return fail('corosync.conf has no quorum provider: the cluster has no quorum at all', e)
    const total = votes || q.expectedVotes || 0
    if (q.device?.model) {
      return pass(
        `${total} node votes plus a quorum device (model ${q.device.model}${q.device.net?.host ? `, ${q.device.net.host}` : ''}) as tiebreaker`,
        e,
      )
    }
    if (total % 2 === 1)
      return pass(`${total} votes from ${nodeCount} nodes: a split always leaves one side with a majority`, e)
    if (nodeCount === 2 && q.twoNode) {
      if (q.waitForAll === false) {
        return fail(
          'two_node without wait_for_all and no witness: both nodes can start alone and fence each other',
          e,
        )
      }
      return warn(
        'two nodes with two_node + wait_for_all and no witness: the weakest acceptable form (a split becomes a fencing race)',
        e,
      )
    }
    if (q.autoTieBreaker) {
      return warn(
        `${total} votes with auto_tie_breaker and no witness: a 50/50 split keeps only the side with the lowest node id`,
        e,
      )
    }
    return fail(`${total} votes (even) and no witness: a 50/50 split stops the whole cluster`, e)
  },
  remediation: remediation(
    'The cluster cannot break a tie: with an even number of votes and no tiebreaker, a network split can stop every node or start a fencing race.',
    'Add a quorum device: run corosync-qnetd on a third site (a small VM is enough) and configure `quorum { device { model: net; net { host: <qnetd host>; algorithm: ffsplit } } }` on every node (`pcs quorum device add model net host=<qnetd> algorithm=ffsplit`, or `crm cluster init qdevice`). Or add a node so the number of votes is odd. For two nodes without a witness, keep `two_node: 1` with `wait_for_all: 1` and expect a warning.',
    [
      'votequorum(5)',
      'corosync-qdevice(8)',
      'https://clusterlabs.org/pacemaker/doc/2.1/Clusters_from_Scratch/',
    ],
  ),
})
