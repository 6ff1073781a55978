/**
 * FaultRequests: the fault-specific part of each command (which nodes it
 * touches, how it is planned), built from plain options so that commands and
 * game-day steps share them.
 */
import {shellJoin} from '../../core/shell.js'
import type {Inventory} from '../../core/types.js'
import type {PlanInput} from '../faults/parts/common.js'
import {planEvacuate} from '../faults/evacuate.js'
import {planKillProcess, type KillOptions} from '../faults/kill-process.js'
import {planLinkPull, type LinkPullOptions} from '../faults/link-pull.js'
import {planNetem, type NetemOptions} from '../faults/netem.js'
import {parseGroups, planPartition, resolveGroups, type PartitionSpec} from '../faults/partition.js'
import {planPower, type PowerAction} from '../faults/power.js'
import {clusterNodes, resolveTarget, type ClusterSnapshot, type FaultRequest} from './fault.js'
import type {PlanResult} from '../plan/types.js'

/** A request on one node given as a name or @role; the role is resolved once, against the live cluster. */
function oneNode(
  spec: string,
  plan: (node: string, input: PlanInput, snap: ClusterSnapshot) => PlanResult,
): FaultRequest {
  let node: string | undefined
  const resolve = (inv: Inventory, snap: ClusterSnapshot): string => (node ??= resolveTarget(spec, inv, snap))
  return {
    touches: (inv, snap) => [resolve(inv, snap)],
    plan: (input, snap) => plan(resolve(input.inventory, snap), input, snap),
  }
}

export function linkPullRequest(o: Omit<LinkPullOptions, 'node'> & {node: string}): FaultRequest {
  return oneNode(o.node, (node, input) => planLinkPull(input, {...o, node}))
}

export function netemRequest(o: Omit<NetemOptions, 'node'> & {node: string}): FaultRequest {
  return oneNode(o.node, (node, input) => planNetem(input, {...o, node}))
}

export function powerRequest(o: {node: string; action: PowerAction; leaveOff?: boolean}): FaultRequest {
  return oneNode(o.node, (node, input) => planPower(input, {node, action: o.action, leaveOff: o.leaveOff}))
}

export function killRequest(o: Omit<KillOptions, 'node'> & {node: string}): FaultRequest {
  return oneNode(o.node, (node, input) => planKillProcess(input, {...o, node}))
}

export function evacuateRequest(o: {node: string}): FaultRequest {
  let node: string | undefined
  let via: string | undefined
  let prior: string | undefined
  const resolve = (inv: Inventory, snap: ClusterSnapshot): {node: string; via: string} => {
    node ??= resolveTarget(o.node, inv, snap)
    const target = node
    via ??=
      (snap.via && snap.via !== target ? snap.via : undefined) ??
      clusterNodes(inv).find((n) => n.name !== target)?.name ??
      target
    return {node: target, via}
  }
  return {
    touches: (inv, snap) => {
      const r = resolve(inv, snap)
      return [r.node, r.via]
    },
    async prepare({runner, inventory, snap}) {
      const r = resolve(inventory, snap)
      const viaNode = inventory.nodes.find((n) => n.name === r.via)
      if (!viaNode) return
      const q = await runner.run(viaNode, {
        script: `${shellJoin(['crm_attribute', '--node', r.node, '--name', 'standby', '--query', '--quiet'])} 2>/dev/null || true`,
        sudo: true,
        timeoutMs: 15_000,
      })
      const v = q.stdout.trim()
      prior = v === '' || /\(null\)/.test(v) ? undefined : v
    },
    plan: (input, snap) => {
      const r = resolve(input.inventory, snap)
      return planEvacuate(input, {node: r.node, via: r.via, priorStandby: prior})
    },
  }
}

export type PartitionRequestOptions =
  | {kind: 'groups'; groups: string}
  | {kind: 'isolate'; node: string}
  | {kind: 'isolate-witness'}
  | {kind: 'majority'; node?: string}

export function partitionRequest(o: PartitionRequestOptions): FaultRequest {
  let spec: PartitionSpec | undefined
  const resolve = (inv: Inventory, snap: ClusterSnapshot): PartitionSpec => {
    if (spec) return spec
    switch (o.kind) {
      case 'groups':
        spec = {kind: 'groups', groups: parseGroups(o.groups)}
        break
      case 'isolate':
        spec = {kind: 'isolate', node: resolveTarget(o.node, inv, snap)}
        break
      case 'isolate-witness':
        spec = {kind: 'isolate-witness'}
        break
      case 'majority':
        spec = {kind: 'majority', ...(o.node ? {node: resolveTarget(o.node, inv, snap)} : {})}
        break
    }
    return spec
  }
  const members = (inv: Inventory): string[] =>
    inv.nodes
      .filter((n) => n.roles.length === 0 || n.roles.some((r) => r === 'cluster' || r === 'witness'))
      .map((n) => n.name)
  return {
    touches: (inv, snap) => {
      const r = resolveGroups(
        resolve(inv, snap),
        members(inv),
        new Map(inv.nodes.map((n) => [n.name, n.roles])),
      )
      return r.ok ? r.groups.flat() : []
    },
    plan: (input, snap) => planPartition(input, {spec: resolve(input.inventory, snap)}),
  }
}
