/**
 * Replicated systems in the cluster view, one shape for all (SystemView): the leader groups of groups.ts
 * (VRRP, Sentinel) and, built here, the systems with a membership of their own (Galera, etcd, Patroni, and
 * any other): each node of such a system says which members it sees, whether it is in the primary component /
 * has quorum, and whom it takes for the leader. The partition and quorum logic is the same for every
 * system (and the same as Corosync's in build.ts): nodes that report the same member set form a partition,
 * the single quorate partition is the primary one, everything else is named. Pure.
 */
import type {Reading} from './reading.js'

/** What one node of a system reports (names already resolved to inventory names by the adapter). */
export interface SystemReading {
  /** Members this node sees in its component / cluster (itself included). */
  members: string[]
  /** In the primary component / the quorate side, as the node itself says; undefined when it cannot tell. */
  quorate?: boolean
  /** Whom this node takes for the leader (etcd leader, Patroni leader); undefined for leaderless systems. */
  leader?: string
  /** One line of the node's own state for reports ("Synced", "streaming", "leader"…). */
  state?: string
}

export interface SystemInputNode {
  name: string
  /** false when hacheck could not examine the node at all (the reason is in the cluster view's node). */
  examined: boolean
  reading?: Reading<SystemReading>
}

export interface SystemInput {
  /** 'galera', 'etcd', 'patroni'… */
  system: string
  /** Nodes that belong to the system (by inventory role), in inventory order. */
  nodes: SystemInputNode[]
  /** Does the system elect a leader (etcd, Patroni)? Then a partition without exactly one leader is flagged. */
  hasLeader: boolean
}

/**
 * One node's part in a replicated system, as the view reconciles it. Every system fills node, examined,
 * role and leader; a leader group (VRRP, Sentinel) adds what its members vote and whom they name; a
 * membership system (Galera, etcd, Patroni) adds whom the node sees, whether it has quorum and its partition.
 */
export interface SystemMember {
  node: string
  /** false when hacheck could not examine the node at all (the reason is in the cluster view's node). */
  examined: boolean
  /** The node's role or state as the system names it (MASTER, BACKUP, sentinel; Synced, leader, streaming…). */
  role?: string
  /** This node says it leads (a VRRP MASTER, an etcd/Patroni leader). */
  leader: boolean
  /** Whom this node names as the leader (a Sentinel: the master's address; etcd/Patroni: the leader). */
  names?: string
  /** Votes this node casts in the group's elections (a Sentinel: 1). */
  votes?: number
  /** Votes this node's configuration needs to agree that the leader failed (Sentinel quorum). */
  quorum?: number
  detail?: Record<string, string | number | boolean>
  /** Members this node sees (itself included): membership systems only. */
  sees?: string[]
  /** In the primary component / the quorate side, as the node itself says. */
  quorate?: boolean
  /** Name of the partition this node reports (membership systems). */
  partition?: string
  /** Why the node's part could not be read. */
  error?: string
}

export interface SystemPartition {
  name: string
  members: string[]
  reporters: string[]
  quorate?: boolean
  primary: boolean
  /** Leaders named by the reporters (one when they agree). */
  leaders: string[]
}

export type SystemAnomalyKind =
  | 'not-examined'
  | 'not-read'
  | 'split-view'
  | 'minority'
  | 'no-quorate-partition'
  | 'several-quorate-partitions'
  | 'unseen-member'
  | 'no-leader'
  | 'leaders-disagree'
  | 'system-several-leaders'
  | 'system-no-leader'

export interface SystemAnomaly {
  kind: SystemAnomalyKind
  severity: 'critical' | 'warning'
  nodes: string[]
  message: string
}

/**
 * A replicated system in the cluster view, one entry per group: a VRRP router, a Sentinel-monitored master,
 * a Galera / etcd / Patroni cluster (group = the system's name). One shape for all: its members and their
 * roles, who leads and whom the members name, its partitions and quorum (none for a leader group, whose
 * members are fixed by configuration), and what is wrong with it.
 */
export interface SystemView {
  /** 'vrrp', 'redis-sentinel', 'galera', 'etcd', 'patroni'… */
  system: string
  group: string
  members: SystemMember[]
  /** Members that say they lead. */
  leaders: string[]
  /** Leaders named by members (Sentinels, etcd/Patroni members), with the nodes naming each. */
  named: Record<string, string[]>
  /** Examined members whose part could not be read. */
  unread: {node: string; error: string}[]
  /** Members that agree on who is a member; none for a leader group. */
  partitions: SystemPartition[]
  /** The primary (single quorate) partition's name. */
  primary?: string
  /** The leader of the primary partition, when its reporters agree on one. */
  leader?: string
  anomalies: SystemAnomaly[]
}

const list = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`

function agree(values: (boolean | undefined)[]): boolean | undefined {
  const known = values.filter((x): x is boolean => x !== undefined)
  if (known.length === 0) return undefined
  return known.every((x) => x === known[0]) ? known[0] : undefined
}

function partitionsOf(nodes: SystemMember[], order: Map<string, number>): SystemPartition[] {
  const groups = new Map<string, {members: string[]; reporters: SystemMember[]}>()
  for (const n of nodes) {
    if (!n.sees) continue
    const members = [...new Set(n.sees)].sort(
      (a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b),
    )
    const key = members.join('\u0000')
    const g = groups.get(key) ?? {members, reporters: []}
    g.reporters.push(n)
    groups.set(key, g)
  }
  const out: SystemPartition[] = []
  for (const {members, reporters} of groups.values()) {
    const name = members.length ? members.join('+') : '(empty)'
    for (const r of reporters) r.partition = name
    const p: SystemPartition = {
      name,
      members,
      reporters: reporters.map((r) => r.node),
      primary: false,
      leaders: [...new Set(reporters.flatMap((r) => (r.names ? [r.names] : [])))],
    }
    const q = agree(reporters.map((r) => r.quorate))
    if (q !== undefined) p.quorate = q
    out.push(p)
  }
  return out.sort(
    (a, b) => Number(b.quorate ?? false) - Number(a.quorate ?? false) || b.members.length - a.members.length,
  )
}

function anomaliesOf(input: SystemInput, v: SystemView): SystemAnomaly[] {
  const out: SystemAnomaly[] = []
  const sys = input.system
  for (const n of v.members) {
    if (!n.examined) {
      out.push({
        kind: 'not-examined',
        severity: 'critical',
        nodes: [n.node],
        message: `${sys}: ${n.node} not examined`,
      })
    } else if (!n.sees) {
      out.push({
        kind: 'not-read',
        severity: 'critical',
        nodes: [n.node],
        message: `${sys}: ${n.node}'s state could not be read (${n.error ?? 'no reading'})`,
      })
    }
  }
  if (v.partitions.length > 1) {
    out.push({
      kind: 'split-view',
      severity: 'critical',
      nodes: v.partitions.flatMap((p) => p.reporters),
      message: `${sys}: nodes disagree on the membership: ${v.partitions.map((p) => `${list(p.reporters)} see ${p.name}`).join('; ')}`,
    })
  }
  const quorate = v.partitions.filter((p) => p.quorate === true)
  if (v.partitions.length && quorate.length === 0) {
    out.push({
      kind: 'no-quorate-partition',
      severity: 'critical',
      nodes: v.partitions.flatMap((p) => p.reporters),
      message: `${sys}: no node reports a primary component / quorum`,
    })
  }
  if (quorate.length > 1) {
    out.push({
      kind: 'several-quorate-partitions',
      severity: 'critical',
      nodes: quorate.flatMap((p) => p.reporters),
      message: `${sys}: split brain: ${quorate.map((p) => p.name).join(' and ')} each claim to be primary`,
    })
  }
  for (const p of v.partitions) {
    if (p.quorate === false) {
      out.push({
        kind: 'minority',
        severity: 'critical',
        nodes: p.reporters,
        message: `${sys}: ${list(p.reporters)} ${p.reporters.length > 1 ? 'are' : 'is'} in a non-primary component (${p.name}, no quorum)`,
      })
    }
  }
  const primary = v.partitions.find((p) => p.primary)
  if (primary) {
    const unseen = input.nodes.map((n) => n.name).filter((n) => !primary.members.includes(n))
    if (unseen.length)
      out.push({
        kind: 'unseen-member',
        severity: 'critical',
        nodes: unseen,
        message: `${sys}: ${list(unseen)} ${unseen.length > 1 ? 'are' : 'is'} not in the primary component ${primary.name}`,
      })
    if (input.hasLeader && primary.leaders.length === 0)
      out.push({
        kind: 'no-leader',
        severity: 'critical',
        nodes: primary.reporters,
        message: `${sys}: no leader in ${primary.name}`,
      })
    if (primary.leaders.length > 1)
      out.push({
        kind: 'leaders-disagree',
        severity: 'critical',
        nodes: primary.reporters,
        message: `${sys}: members of ${primary.name} name different leaders: ${list(primary.leaders)}`,
      })
  }
  return out
}

/** A node's reading as a member of its system (not read: no `sees`). */
function memberOf(n: SystemInputNode): SystemMember {
  const m: SystemMember = {node: n.name, examined: n.examined, leader: false}
  if (!n.examined || !n.reading) return m
  if (!n.reading.ok) return {...m, error: n.reading.error}
  const r = n.reading.value
  return {
    ...m,
    ...(r.state !== undefined ? {role: r.state} : {}),
    leader: r.leader === n.name,
    ...(r.leader !== undefined ? {names: r.leader} : {}),
    sees: r.members,
    ...(r.quorate !== undefined ? {quorate: r.quorate} : {}),
  }
}

/** A system with a membership of its own (Galera, etcd, Patroni): one group, named after the system. */
export function buildSystemView(input: SystemInput): SystemView {
  const order = new Map(input.nodes.map((n, i) => [n.name, i]))
  const members = input.nodes.map(memberOf)
  const partitions = partitionsOf(members, order)
  const quorate = partitions.filter((p) => p.quorate === true)
  const primary = quorate.length === 1 ? quorate[0] : undefined
  if (primary) primary.primary = true
  const named: Record<string, string[]> = {}
  for (const m of members) if (m.names !== undefined) named[m.names] = [...(named[m.names] ?? []), m.node]
  const view: SystemView = {
    system: input.system,
    group: input.system,
    members,
    leaders: members.filter((m) => m.leader).map((m) => m.node),
    named,
    unread: members.flatMap((m) =>
      m.examined && !m.sees ? [{node: m.node, error: m.error ?? 'no reading'}] : [],
    ),
    partitions,
    ...(primary ? {primary: primary.name} : {}),
    ...(primary?.leaders.length === 1 ? {leader: primary.leaders[0]} : {}),
    anomalies: [],
  }
  view.anomalies = anomaliesOf(input, view)
  return view
}

/** The view of one system, when the cluster view has it (its first group: a membership system has one). */
export function systemView(views: readonly SystemView[] | undefined, system: string): SystemView | undefined {
  return views?.find((v) => v.system === system)
}

/** Every group of one system (the VRRP routers, the Sentinel-monitored masters). */
export function systemGroups(views: readonly SystemView[] | undefined, system: string): SystemView[] {
  return (views ?? []).filter((v) => v.system === system)
}
