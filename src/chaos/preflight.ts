/**
 * Preflight: refuse to break a cluster that is not healthy, and refuse a
 * fault that would leave no quorate partition (unless --allow-quorum-loss).
 * Pure over a parsed crm_mon state and `corosync-quorumtool -s` votes.
 */
import {healthProblems, type ClusterState, type Votes} from './cluster-state.js'

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
  state: ClusterState,
  votes: Votes | undefined,
  leaving: readonly string[],
): QuorumForecast {
  const members = state.nodes.filter((n) => n.type === 'member').map((n) => n.name)
  const gone = members.filter((m) => leaving.includes(m)).length
  const stay = members.length - gone
  if (votes) {
    const qdev = votes.qdevice ? (stay >= gone ? 1 : 0) : 0
    const remainingVotes = stay + qdev
    return {
      remainingVotes,
      quorum: votes.quorum,
      quorate: remainingVotes >= votes.quorum,
      explanation: `${stay} of ${members.length} nodes${votes.qdevice ? ` + ${qdev} qdevice vote` : ''} stay together: ${remainingVotes} votes, quorum is ${votes.quorum}`,
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
  state: ClusterState,
  votes: Votes | undefined,
  leaving: readonly string[],
  opts: {allowQuorumLoss?: boolean} = {},
): PreflightResult {
  const problems = healthProblems(state)
  const quorum = forecastQuorum(state, votes, leaving)
  if (!quorum.quorate && !opts.allowQuorumLoss) {
    problems.push(
      `the fault would leave no quorate partition (${quorum.explanation}); pass --allow-quorum-loss to do it anyway`,
    )
  }
  return {ok: problems.length === 0, problems, quorum}
}
