/**
 * Preflight: refuse to break a cluster that is not healthy, and refuse a
 * fault that would leave no quorate partition (unless --allow-quorum-loss).
 * Pure over Pacemaker's state, the votes (`corosync-quorumtool -s`) and the
 * cluster view: a node that does not answer, a split, a VIP on two nodes are
 * reasons to refuse as much as an offline node in crm_mon.
 */
import {healthProblems} from '../../view/pacemaker.js'
import type {ClusterView, MembershipReading, PacemakerState} from '../../view/types.js'

export interface QuorumForecast {
  /** Votes in the largest partition while the fault is in place. */
  remainingVotes: number
  quorum: number
  quorate: boolean
  explanation: string
}

/**
 * Each member node carries one vote; nodes in `leaving` drop out of the
 * surviving partition. A qdevice vote goes to the surviving side when it is
 * at least as large as the side that leaves (ffsplit/lms behaviour).
 */
export function forecastQuorum(
  state: PacemakerState,
  votes: MembershipReading | undefined,
  leaving: readonly string[],
): QuorumForecast {
  const members = state.nodes.filter((n) => n.type === 'member').map((n) => n.name)
  const gone = members.filter((m) => leaving.includes(m)).length
  const stay = members.length - gone
  if (votes?.quorum !== undefined) {
    const quorum = votes.quorum
    const qdev = votes.qdevice ? (stay >= gone ? 1 : 0) : 0
    const remainingVotes = stay + qdev
    return {
      remainingVotes,
      quorum,
      quorate: remainingVotes >= quorum,
      explanation: `${stay} of ${members.length} nodes${votes.qdevice ? ` + ${qdev} qdevice vote` : ''} stay together: ${remainingVotes} votes, quorum is ${quorum}`,
    }
  }
  const quorum = Math.floor(members.length / 2) + 1
  return {
    remainingVotes: stay,
    quorum,
    quorate: stay >= quorum,
    explanation: `${stay} of ${members.length} nodes stay together: ${stay} votes, quorum is ${quorum} (assumed: one vote per node)`,
  }
}

export interface PreflightResult {
  ok: boolean
  problems: string[]
  quorum: QuorumForecast
}

export function preflight(
  state: PacemakerState,
  votes: MembershipReading | undefined,
  leaving: readonly string[],
  opts: {allowQuorumLoss?: boolean; view?: ClusterView} = {},
): PreflightResult {
  const problems = healthProblems(state)
  // What the reconciled view flags (a node that does not answer, a split, two VIP holders…), once each.
  for (const a of opts.view?.anomalies ?? [])
    if (a.severity !== 'info' && !problems.includes(a.message)) problems.push(a.message)
  const quorum = forecastQuorum(state, votes, leaving)
  if (!quorum.quorate && !opts.allowQuorumLoss) {
    problems.push(
      `the fault would leave no quorate partition (${quorum.explanation}); pass --allow-quorum-loss to do it anyway`,
    )
  }
  return {ok: problems.length === 0, problems, quorum}
}
