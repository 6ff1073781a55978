/**
 * etcd and Patroni as systems of the cluster view (pure).
 * - etcd: a node sees the members whose status it could read (itself included), is quorate when its own
 *   endpoint is healthy (etcd's health check is a read that needs quorum), and names the leader its own
 *   member reports.
 * - Patroni: a node sees the members listed in the DCS and is "quorate" when it reached the DCS
 *   (patronictl list fails otherwise) and what it read is not contradicted by its own REST API (a stale
 *   read naming it Leader while it runs as a replica); its leader is the member with role Leader.
 */
import type {Etcd} from '../facts/etcd.js'
import type {Patroni} from '../facts/patroni.js'
import type {Reading} from './types.js'
import type {SystemReading} from './systems.js'

const hostOfUrl = (u: string): string => {
  try {
    return new URL(u).hostname
  } catch {
    return u
  }
}

/** The member this node runs (member list's header id, else the member whose client URL is local). */
export function selfMember(e: Etcd): Etcd['members'][number] | undefined {
  return e.members.find((m) => m.id === e.self)
}

export function etcdReading(e: Etcd, self: string, resolve: (n: string) => string): Reading<SystemReading> {
  if (e.members.length === 0) return {ok: false, error: e.errors[0] ?? 'etcd member list is empty'}
  const me = selfMember(e)
  const byId = new Map(e.members.map((m) => [m.id, m]))
  const reached = new Set(e.statuses.map((s) => s.memberId))
  const members = e.members
    .filter((m) => reached.has(m.id))
    .map((m) => resolve(m.name || hostOfUrl(m.clientUrls[0] ?? '')))
  if (!members.includes(self)) members.push(self)
  const mine = e.statuses.find((s) => s.memberId === e.self)
  const ownHealth = me ? e.health.find((h) => me.clientUrls.includes(h.endpoint)) : undefined
  const r: SystemReading = {members}
  if (ownHealth) r.quorate = ownHealth.health
  const leader = mine?.leader !== undefined && mine.leader !== '0' ? byId.get(mine.leader) : undefined
  if (leader) r.leader = resolve(leader.name)
  r.state = mine ? (mine.leader === mine.memberId ? 'leader' : 'follower') : 'status not readable'
  return {ok: true, value: r}
}

export function patroniReading(
  p: Patroni,
  self: string,
  resolve: (n: string) => string,
): Reading<SystemReading> {
  if (!p.members)
    return {
      ok: false,
      error: `the DCS is not reachable from this node: ${p.listError ?? 'patronictl list failed'}`,
    }
  const members = p.members.map((m) => resolve(m.name))
  if (!members.includes(self)) members.push(self)
  const leader = p.members.find((m) => m.role === 'Leader')
  const mine = p.members.find((m) => resolve(m.name) === self)
  // A DCS read served without quorum (etcd's v2 API answers reads from the local member) can be stale: a
  // node cut off from the others still reads itself as Leader after Patroni demoted it. Its own REST API
  // says what it really is; a list that contradicts it is not a view of the cluster.
  const restRole = p.rest?.role
  const stale = mine?.role === 'Leader' && restRole !== undefined && !['master', 'primary'].includes(restRole)
  return {
    ok: true,
    value: {
      members,
      quorate: !stale,
      ...(leader ? {leader: resolve(leader.name)} : {}),
      ...(mine ? {state: `${mine.role} ${mine.state}`} : {}),
    },
  }
}
