/** Shared by the galera.* checks: the wsrep server of a node, its evidence, the cluster's votes. Pure. */
import type {Evidence} from '../../core/results.js'
import type {Inventory} from '../../core/types.js'
import {galera, type Galera, type GaleraServer} from '../../facts/galera.js'
import {wsrepServer} from '../../view/galera.js'
import {ev} from '../evidence.js'

export const GALERA_ROLES = ['galera']
/** Inventory role of a Galera arbitrator (garbd): a vote without data, read from no server. */
export const ARBITRATOR_ROLE = 'garbd'

export function serverOf(g: Galera): GaleraServer | undefined {
  return wsrepServer(g.servers)
}

export function galeraEvidence(
  node: string,
  s: GaleraServer | undefined,
  observed?: Record<string, unknown>,
): Evidence {
  if (!s) return ev(node, galera, {wsrep: 'no server with wsrep on'})
  return ev(node, galera, {
    wsrep_cluster_status: s.clusterStatus,
    wsrep_cluster_size: s.clusterSize,
    wsrep_local_state_comment: s.localState,
    ...observed,
  })
}

/** A node's vote weight (pc.weight, Galera's default 1). */
export const weightOf = (s: GaleraServer | undefined): number => s?.pcWeight ?? 1

export function arbitrators(inv: Inventory): string[] {
  return inv.nodes.filter((n) => n.roles.includes(ARBITRATOR_ROLE)).map((n) => n.name)
}

export const NO_WSREP =
  'no MariaDB/MySQL server with wsrep on (wsrep_on=OFF or no Galera provider): this node does not take part in a Galera cluster'
