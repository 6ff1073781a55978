/**
 * Declaration helpers for the data-tier systems' checks (beside define.ts): the preamble several checks of
 * one system share, written once. Pure.
 *
 * - defineGaleraNodeCheck: a node's wsrep server and its evidence (the check names what it observes), and
 *   "no server with wsrep on" failing before the check's own judgement.
 * - defineEtcdMembersCheck: the member list as the first member that could list it read it (a setting of
 *   the whole cluster: claim cluster-state), "could not tell" when none could.
 */
import type {Evidence} from '../core/results.js'
import type {NodeSpec} from '../core/types.js'
import {etcd, type Etcd} from '../facts/etcd.js'
import {galera, type GaleraServer} from '../facts/galera.js'
import {
  defineClusterCheck,
  defineNodeCheck,
  fail,
  unknown,
  type ClusterCheck,
  type Finding,
  type NodeCheck,
  type Params,
} from './define.js'
import {GALERA_ROLES, galeraEvidence, NO_WSREP, serverOf} from './galera/common.js'

type Common<C> = Omit<C, 'scope' | 'facts' | 'optionalFacts' | 'roles' | 'evaluate'>

type GaleraFacts = {g: typeof galera}

export function defineGaleraNodeCheck<P extends Params>(
  c: Common<NodeCheck<GaleraFacts, Record<never, never>, P>> & {
    /** What this check reads of the server, for its evidence (called with undefined when there is none). */
    observe(s: GaleraServer | undefined): Record<string, unknown>
    judge(s: GaleraServer, params: P, evidence: Evidence[], node: NodeSpec): Finding | Finding[]
  },
): NodeCheck<GaleraFacts, Record<never, never>, P> {
  const {observe, judge, ...rest} = c
  return defineNodeCheck<GaleraFacts, P>({
    ...rest,
    roles: GALERA_ROLES,
    facts: {g: galera},
    evaluate(facts, p, node) {
      const s = serverOf(facts.g)
      const e = [galeraEvidence(node.name, s, observe(s))]
      return s ? judge(s, p, e, node) : fail(NO_WSREP, e)
    },
  })
}

type EtcdFacts = {e: typeof etcd}

export function defineEtcdMembersCheck<P extends Params>(
  c: Common<ClusterCheck<EtcdFacts, Record<never, never>, P>> & {
    /** `from`: the member whose list is judged; `e`: its etcd facts (members non-empty). */
    judge(from: string, e: Etcd, params: P): Finding | Finding[]
  },
): ClusterCheck<EtcdFacts, Record<never, never>, P> {
  const {judge, ...rest} = c
  return defineClusterCheck<EtcdFacts, P>({
    claim: 'cluster-state',
    ...rest,
    roles: ['etcd'],
    facts: {e: etcd},
    evaluate(nodes, p) {
      const withList = nodes.find(({facts}) => facts.e.members.length)
      if (!withList) return unknown('no member could list the etcd members')
      return judge(withList.node.name, withList.facts.e, p)
    },
  })
}
