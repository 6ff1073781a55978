/**
 * What the chaos observer sees, as cluster views (src/view), and the phase
 * events between two successive views (pure). The observer reads the same
 * parsers as the audit (crm_mon, corosync-quorumtool, ip addr) into readings,
 * builds a view from them at every sample, and records the diff:
 *
 * - Pacemaker (the speaker's crm_mon): quorum lost/regained, node lost /
 *   unclean / rejoined, fence requested / confirmed / failed (fence history),
 *   resources stopped / started (location changes; fence devices left out);
 * - Corosync (the speaker's membership): node lost / rejoined;
 * - the VIP: who holds it (every node's addresses).
 */
import type {FenceEvent} from '../../facts/crm-mon.js'
import {buildClusterView} from '../../view/build.js'
import {resourceLocations, serviceResourceIds} from '../../view/pacemaker.js'
import type {ClusterView, NodeReadings, PacemakerState, ViewNodeSpec} from '../../view/types.js'
import type {ClusterEvent} from '../timeline.js'

/** The latest reading of each observed source. */
export interface ObservedReadings {
  /** crm_mon of the observer node. */
  pacemaker?: {node: string; state: PacemakerState}
  /** Corosync membership streamed from the observer node. */
  membership?: {node: string; members: string[]}
  /** VIP sample: node → holds the VIP (absent: no answer in that sample). */
  vip?: ReadonlyMap<string, boolean>
}

/** The view the observer has at one instant (only what it reads: one speaker, every node's VIP). */
export function observedView(
  nodes: readonly ViewNodeSpec[],
  vip: string | undefined,
  r: ObservedReadings,
): ClusterView {
  const readings: Record<string, NodeReadings> = {}
  for (const n of nodes) {
    const answered = r.vip?.has(n.name) ?? false
    const reading: NodeReadings = {reach: {ok: true}}
    if (vip !== undefined && answered) reading.addresses = {ok: true, value: r.vip?.get(n.name) ? [vip] : []}
    if (r.pacemaker?.node === n.name) reading.pacemaker = {ok: true, value: r.pacemaker.state}
    if (r.membership?.node === n.name)
      reading.membership = {ok: true, value: {members: r.membership.members, qdevice: false}}
    readings[n.name] = reading
  }
  return buildClusterView({
    stack: 'pacemaker',
    nodes: [...nodes],
    ...(vip !== undefined ? {vip} : {}),
    readings,
  })
}

function fenceKey(f: FenceEvent): string {
  return `${f.target}|${f.action}|${f.delegate ?? ''}|${f.origin ?? ''}|${f.client ?? ''}|${f.completed ?? ''}`
}

/**
 * Events between two consecutive Pacemaker states (pure). `seenFences` holds the fence records already
 * reported (the history also lists old fences); it is updated. The first state only seeds it.
 */
export function diffPacemaker(
  prev: PacemakerState | undefined,
  next: PacemakerState,
  t: number,
  source: string,
  seenFences: Set<string>,
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  const ev = (phase: ClusterEvent['phase'], extra: Partial<ClusterEvent> = {}): void => {
    out.push({kind: 'cluster', t, phase, source, ...extra})
  }
  // Fence history: pending → requested; success → confirmed; failed → failed.
  for (const f of next.fences ?? []) {
    const key = `${fenceKey(f)}|${f.status}`
    if (seenFences.has(key)) continue
    seenFences.add(key)
    if (!prev) continue
    const phase =
      f.status === 'pending' ? 'fence-requested' : f.status === 'success' ? 'fence-confirmed' : 'fence-failed'
    ev(phase, {
      node: f.target ?? '?',
      detail: `${f.action ?? '?'} by ${f.delegate ?? '?'} for ${f.client ?? '?'}@${f.origin ?? '?'}${f.completed ? ` completed ${f.completed}` : ''}`,
    })
  }
  if (!prev) return out
  if (prev.quorate && !next.quorate) ev('quorum-lost')
  if (!prev.quorate && next.quorate) ev('quorum-regained')
  const before = new Map(prev.nodes.map((n) => [n.name, n]))
  for (const n of next.nodes) {
    const p = before.get(n.name)
    if (!p) continue
    if (p.online && !n.online) ev('node-lost', {node: n.name})
    if (!p.unclean && n.unclean) ev('node-unclean', {node: n.name})
    if (!p.online && n.online) ev('node-rejoined', {node: n.name})
  }
  const services = serviceResourceIds(next)
  const prevServices = serviceResourceIds(prev)
  // Started = the start finished (role Started); stopped = no instance left there at all.
  const upBefore = resourceLocations(prev, {running: true})
  const upNow = resourceLocations(next, {running: true})
  const presentBefore = resourceLocations(prev)
  const sound = new Set(next.nodes.filter((n) => n.online && !n.unclean).map((n) => n.name))
  const presentNow = resourceLocations(next)
  for (const id of new Set([...presentBefore.keys(), ...presentNow.keys(), ...upNow.keys()])) {
    if (!services.has(id) && !prevServices.has(id)) continue
    const was = presentBefore.get(id) ?? []
    const is = presentNow.get(id) ?? []
    for (const node of was.filter((x) => !is.includes(x))) ev('resource-stopped', {node, resource: id})
    const wasUp = upBefore.get(id) ?? []
    // A resource listed as Started on a node that is lost or UNCLEAN is in an unknown state, not started.
    for (const node of (upNow.get(id) ?? []).filter((x) => !wasUp.includes(x) && sound.has(x)))
      ev('resource-started', {node, resource: id})
  }
  return out
}

/** Membership changes between two samples: who left, who came back. */
export function diffMembers(
  prev: readonly string[] | undefined,
  next: readonly string[] | undefined,
  t: number,
  source: string,
): ClusterEvent[] {
  if (!prev || !next) return []
  const out: ClusterEvent[] = []
  for (const n of prev.filter((x) => !next.includes(x)))
    out.push({
      kind: 'cluster',
      t,
      phase: 'node-lost',
      node: n,
      source,
      detail: 'left the Corosync membership',
    })
  for (const n of next.filter((x) => !prev.includes(x)))
    out.push({
      kind: 'cluster',
      t,
      phase: 'node-rejoined',
      node: n,
      source,
      detail: 'joined the Corosync membership',
    })
  return out
}

const speakerState = (v: ClusterView | undefined): PacemakerState | undefined =>
  v?.nodes.find((n) => n.pacemaker)?.pacemaker
const members = (v: ClusterView | undefined): string[] | undefined =>
  v?.nodes.find((n) => n.membership)?.membership?.members

/**
 * Phase events between two successive views of the observer: Pacemaker's and Corosync's (the VIP's moves
 * are judged across samples with no holder, see vipMoved). Each source is diffed against the previous
 * reading of the same source.
 */
export function diffViews(
  prev: ClusterView | undefined,
  next: ClusterView,
  t: number,
  seenFences: Set<string>,
  sources: {pacemaker?: string; membership?: string},
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  const ps = speakerState(prev)
  const ns = speakerState(next)
  if (ns && ns !== ps && sources.pacemaker)
    out.push(...diffPacemaker(ps, ns, t, sources.pacemaker, seenFences))
  const pm = members(prev)
  const nm = members(next)
  if (nm !== pm && sources.membership) out.push(...diffMembers(pm, nm, t, sources.membership))
  return out
}

/** VIP holders of a view (examined nodes whose addresses carry it). */
export function vipHolders(v: ClusterView): string[] {
  return v.nodes
    .filter((n) => n.holdsVip === true)
    .map((n) => n.name)
    .sort()
}

/** The node the VIP moved to, judged against the last sample that had a holder. */
export function vipMoved(
  lastHolders: readonly string[] | undefined,
  holders: readonly string[],
): string | undefined {
  if (!lastHolders || holders.length !== 1 || lastHolders.join() === holders.join()) return undefined
  const moved = holders[0] as string
  return lastHolders.includes(moved) ? undefined : moved
}
