/**
 * The cluster right now, as hacheck sees it before a fault: every cluster
 * node's corosync membership and VIP (in parallel), crm_mon from the first that
 * answers, reconciled into a cluster view (src/view) through the audit's own
 * parsers; and the roles a target can be given as (@service, @dc, @replica),
 * resolved against that picture.
 */
import {errorMessage, IncompleteError, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import {parseQuorumtool} from '../../facts/corosync-quorumtool.js'
import {CRM_MON_WATCH_ARGV, parseCrmMon} from '../../facts/crm-mon.js'
import {buildClusterView} from '../../view/build.js'
import {pacemakerStateOf, serviceResourceIds} from '../../view/pacemaker.js'
import {membershipOf} from '../../view/readings.js'
import type {ClusterView, MembershipReading, NodeReadings, PacemakerState} from '../../view/types.js'
import {holdsVip} from './observer.js'
import {lbVipHolders, vrrpPair} from './vrrp.js'

export interface ClusterSnapshot {
  /** Pacemaker as the first cluster node that answered sees it. */
  state?: PacemakerState
  /** That node's corosync membership and votes. */
  votes?: MembershipReading
  /** The node crm_mon answered on. */
  via?: string
  /** Nodes currently holding the VIP. */
  vipHolders: string[]
  /** The reconciled view (every cluster node's membership, the VIP): what preflight refuses to break. */
  view?: ClusterView
}

export function clusterNodes(inv: Inventory): NodeSpec[] {
  return inv.nodes.filter((n) => n.roles.length === 0 || n.roles.includes('cluster'))
}

async function readNode(runner: CommandRunner, n: NodeSpec, vip: string | undefined): Promise<NodeReadings> {
  const r: NodeReadings = {reach: {ok: true}}
  try {
    const q = await runner.run(n, {argv: ['corosync-quorumtool', '-s'], sudo: true, timeoutMs: 10_000})
    try {
      r.membership = {ok: true, value: membershipOf(parseQuorumtool(q.stdout))}
    } catch (err) {
      r.membership = {
        ok: false,
        error: `corosync-quorumtool -s: ${errorMessage(err)} ${q.stderr.trim()}`.trim(),
      }
    }
    if (vip) {
      const a = await runner.run(n, {argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 10_000})
      r.addresses = {ok: true, value: a.exitCode === 0 && holdsVip(a.stdout, vip) ? [vip] : []}
    }
  } catch (err) {
    return {reach: {ok: false, reason: 'unreachable', message: errorMessage(err)}}
  }
  return r
}

/**
 * The cluster before a fault: every cluster node's membership and VIP (in parallel), crm_mon from the first
 * that answers (preferred nodes first), reconciled into a view.
 */
export async function snapshotCluster(
  runner: CommandRunner,
  inv: Inventory,
  prefer: readonly string[] = [],
): Promise<ClusterSnapshot> {
  const nodes = clusterNodes(inv)
  const order = [
    ...nodes.filter((n) => prefer.includes(n.name)),
    ...nodes.filter((n) => !prefer.includes(n.name)),
  ]
  const vip = inv.cluster.vip
  const readings: Record<string, NodeReadings> = Object.fromEntries(
    await Promise.all(nodes.map(async (n) => [n.name, await readNode(runner, n, vip)] as const)),
  )
  const snap: ClusterSnapshot = {vipHolders: []}
  for (const n of order) {
    if (!readings[n.name]?.reach.ok) continue
    try {
      const r = await runner.run(n, {argv: [...CRM_MON_WATCH_ARGV], sudo: true, timeoutMs: 15_000})
      if (r.exitCode !== 0) continue
      snap.state = pacemakerStateOf(parseCrmMon(r.stdout))
      snap.via = n.name
      const m = readings[n.name]?.membership
      if (m?.ok) snap.votes = m.value
      ;(readings[n.name] as NodeReadings).pacemaker = {ok: true, value: snap.state}
      break
    } catch {
      // next node
    }
  }
  snap.view = buildClusterView({
    stack: 'pacemaker',
    ...(vip ? {vip} : {}),
    nodes: nodes.map((n) => ({
      name: n.name,
      aliases: [n.host],
      roles: n.roles.length ? n.roles : ['cluster'],
      hasBmc: false,
    })),
    readings,
  })
  snap.vipHolders = snap.view.nodes.filter((n) => n.holdsVip === true).map((n) => n.name)
  // An LB pair whose VIP is keepalived's (no Pacemaker node): the LBs that hold it.
  const pair = vrrpPair(inv)
  if (pair && vip) snap.vipHolders = await lbVipHolders(runner, pair, vip)
  return snap
}

/**
 * `--node` accepts a node name or a role in the cluster right now:
 * @service (the VIP holder, else the node running the most service resources),
 * @dc (the designated controller), @replica (a cluster node not running the service).
 */
export function resolveTarget(spec: string, inv: Inventory, snap: ClusterSnapshot): string {
  const names = inv.nodes.map((n) => n.name)
  if (!spec.startsWith('@')) {
    if (!names.includes(spec))
      throw new InputError(`--node ${spec}: no such node in the inventory (it has: ${names.join(', ')})`)
    return spec
  }
  const cluster = clusterNodes(inv).map((n) => n.name)
  const service = (): string | undefined => {
    if (snap.vipHolders.length === 1) return snap.vipHolders[0]
    const s = snap.state
    if (!s) return undefined
    const ids = serviceResourceIds(s)
    const count = new Map<string, number>()
    for (const r of s.resources)
      if (ids.has(r.id) && r.active) for (const n of r.nodes) count.set(n, (count.get(n) ?? 0) + 1)
    return [...count].sort((a, b) => b[1] - a[1])[0]?.[0]
  }
  switch (spec) {
    case '@service': {
      const n = service()
      if (!n)
        throw new IncompleteError(
          '--node @service: cannot tell which node runs the service (no VIP holder, no active resource)',
        )
      return n
    }
    case '@dc': {
      const n = snap.state?.dc
      if (!n) throw new IncompleteError('--node @dc: the cluster has no designated controller right now')
      return n
    }
    case '@replica': {
      const svc = service()
      const n = cluster.find((c) => c !== svc)
      if (!n) throw new IncompleteError('--node @replica: no cluster node other than the service holder')
      return n
    }
    default:
      throw new InputError(`--node ${spec}: expected a node name, @service, @dc or @replica`)
  }
}
