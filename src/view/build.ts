/**
 * buildClusterView: every node's readings → one reconciled picture (pure).
 * See types.ts for the rules and docs/cluster-view.md for why.
 */
import {anomaliesOf} from './anomalies.js'
import {resourceLocations} from './pacemaker.js'
import {buildSystemView} from './systems.js'
import {systemGroupsOf} from './groups.js'
import type {
  ClusterView,
  MembershipReading,
  NodeReadings,
  NodeView,
  Partition,
  ViewInput,
  ViewNodeSpec,
} from './types.js'

const NOT_GATHERED: NodeReadings = {
  reach: {ok: false, reason: 'unreachable', message: 'not gathered in this run'},
}

/** Maps a name as corosync prints it (node name, ring address) to the inventory name. */
export function nameResolver(nodes: readonly ViewNodeSpec[]): (name: string) => string {
  const byAlias = new Map<string, string>()
  for (const n of nodes) for (const a of [n.name, ...n.aliases]) if (!byAlias.has(a)) byAlias.set(a, n.name)
  return (name) => byAlias.get(name) ?? byAlias.get(name.split('.')[0] ?? name) ?? name
}

function nodeView(
  spec: ViewNodeSpec,
  r: NodeReadings,
  resolve: (n: string) => string,
  vip?: string,
): NodeView {
  const v: NodeView = {
    name: spec.name,
    roles: spec.roles,
    cluster: spec.roles.includes('cluster'),
    examined: r.reach.ok,
  }
  if (!r.reach.ok) v.notExamined = {reason: r.reach.reason, message: r.reach.message}
  if (spec.hasBmc) {
    if (r.bmc?.ok) v.bmc = r.bmc.value
    else {
      v.bmc = 'unknown'
      v.bmcError = r.bmc ? r.bmc.error : 'not read'
    }
  }
  if (r.reach.ok && r.membership) {
    if (r.membership.ok) {
      const m = r.membership.value
      v.membership = {...m, members: [...new Set(m.members.map(resolve))]}
    } else v.membershipError = r.membership.error
  }
  if (r.reach.ok && r.pacemaker) {
    if (r.pacemaker.ok) v.pacemaker = r.pacemaker.value
    else v.pacemakerError = r.pacemaker.error
  }
  if (r.reach.ok && vip !== undefined && r.addresses?.ok) v.holdsVip = r.addresses.value.includes(vip)
  return v
}

function agree(values: (boolean | undefined)[]): boolean | undefined {
  const known = values.filter((x): x is boolean => x !== undefined)
  if (known.length === 0) return undefined
  return known.every((x) => x === known[0]) ? known[0] : undefined
}

export function partitionName(members: readonly string[]): string {
  return members.length ? members.join('+') : '(empty)'
}

function partitionsOf(views: NodeView[], order: Map<string, number>): Partition[] {
  const groups = new Map<string, {members: string[]; reporters: NodeView[]}>()
  const sorted = (xs: string[]): string[] =>
    [...xs].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b))
  for (const v of views) {
    if (!v.cluster || !v.membership) continue
    const members = sorted(v.membership.members)
    const key = members.join('\u0000')
    const g = groups.get(key) ?? {members, reporters: []}
    g.reporters.push(v)
    groups.set(key, g)
  }
  const out: Partition[] = []
  for (const {members, reporters} of groups.values()) {
    const name = partitionName(members)
    const withPcmk = reporters.filter((r) => r.pacemaker)
    const speaker = withPcmk.find((r) => r.pacemaker?.dc === r.name) ?? withPcmk[0]
    const quorate = agree(reporters.map((r) => (r.membership as MembershipReading).quorate))
    const p: Partition = {
      name,
      members,
      reporters: reporters.map((r) => r.name),
      primary: false,
      vipHolders: views.filter((x) => members.includes(x.name) && x.holdsVip === true).map((x) => x.name),
    }
    if (quorate !== undefined) p.quorate = quorate
    if (speaker?.pacemaker) {
      p.speaker = speaker.name
      if (speaker.pacemaker.dc !== undefined) p.dc = speaker.pacemaker.dc
      p.resources = Object.fromEntries(resourceLocations(speaker.pacemaker))
    }
    for (const r of reporters) r.partition = name
    out.push(p)
  }
  // Largest first, then the one with quorum: the order operators read them in.
  return out.sort(
    (a, b) => Number(b.quorate ?? false) - Number(a.quorate ?? false) || b.members.length - a.members.length,
  )
}

export function buildClusterView(input: ViewInput): ClusterView {
  const resolve = nameResolver(input.nodes)
  const order = new Map(input.nodes.map((n, i) => [n.name, i]))
  const nodes = input.nodes.map((spec) =>
    nodeView(spec, input.readings[spec.name] ?? NOT_GATHERED, resolve, input.vip),
  )
  const partitions = input.stack === 'pacemaker' ? partitionsOf(nodes, order) : []
  const quorate = partitions.filter((p) => p.quorate === true)
  const primary = quorate.length === 1 ? quorate[0] : undefined
  if (primary) primary.primary = true
  const view: ClusterView = {
    stack: input.stack,
    ...(input.vip !== undefined ? {vip: input.vip} : {}),
    nodes,
    partitions,
    ...(primary ? {primary: primary.name} : {}),
    anomalies: [],
    systems: [
      ...systemGroupsOf(
        input.readings,
        input.nodes.map((n) => n.name),
      ),
      ...(input.systems ?? []).map(buildSystemView),
    ],
  }
  view.anomalies = anomaliesOf(view)
  return view
}

/** The primary partition, when there is one. */
export function primaryPartition(view: ClusterView): Partition | undefined {
  return view.partitions.find((p) => p.primary)
}

/**
 * The node whose cluster-wide state (Pacemaker, CIB, fencer) stands for the cluster: the primary partition's
 * speaker (its DC when the DC reports), else a reporter of it. undefined when there is no primary partition.
 */
export function speakerOf(view: ClusterView): string | undefined {
  const p = primaryPartition(view)
  return p?.speaker ?? p?.reporters[0]
}
