/**
 * Chaos on an LB pair whose VIP is held by keepalived (VRRP) rather than Pacemaker: which nodes to watch for
 * the VIP, and keepalived's own log read afterwards for the transition times (observe/keepalived-log.ts).
 * The run's phases (run/phases/before.ts, after.ts) and prepare call these.
 */
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import type {ClockOffset} from './clock.js'
import {keepalivedPhaseEvents, keepalivedLogScript} from './keepalived-log.js'
import {holdsVip} from './observer.js'
import {readDaemonLogs} from './daemon-logs.js'
import type {ClusterEvent} from '../timeline.js'

/** Cluster (Pacemaker) nodes: an inventory node with role cluster, or with no role at all. */
const isCluster = (n: NodeSpec): boolean => n.roles.length === 0 || n.roles.includes('cluster')

/** An inventory whose VIP is held by a VRRP LB pair: no Pacemaker node, LB nodes and a VIP. */
export function vrrpPair(inv: Inventory): NodeSpec[] | undefined {
  if (inv.nodes.some(isCluster) || inv.cluster.vip === undefined) return undefined
  const lbs = inv.nodes.filter((n) => n.roles.includes('lb'))
  return lbs.length ? lbs : undefined
}

/** Nodes the observer samples for the VIP: the cluster's, or the LB pair's. */
export function vipNodes(inv: Inventory): NodeSpec[] {
  return vrrpPair(inv) ?? inv.nodes.filter(isCluster)
}

/** keepalived's transitions on every LB (the target's too: its own FAULT/BACKUP is its own to log). */
export function readKeepalivedLogs(
  runner: CommandRunner,
  lbs: readonly NodeSpec[],
  offsets: ReadonlyMap<string, ClockOffset>,
  fromT: number,
  toT: number,
): Promise<ClusterEvent[]> {
  return readDaemonLogs(runner, lbs, offsets, keepalivedLogScript(), (l) =>
    keepalivedPhaseEvents(l.text, {...l, fromT, toT}),
  )
}

/** The LBs holding the VIP now (ip -j addr on each, in parallel); one that does not answer is not counted. */
export async function lbVipHolders(
  runner: CommandRunner,
  lbs: readonly NodeSpec[],
  vip: string,
): Promise<string[]> {
  const held = await Promise.all(
    lbs.map(async (n) => {
      try {
        const r = await runner.run(n, {argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 10_000})
        return r.exitCode === 0 && holdsVip(r.stdout, vip)
      } catch {
        return false
      }
    }),
  )
  return lbs.filter((_, i) => held[i]).map((n) => n.name)
}
