/**
 * What every fault's planner gets, and helpers they share: resolving an
 * interface from an inventory network, the iptables exemptions, lease
 * settings. Planners are pure functions of this input, so their output (the
 * exact scripts) is golden-tested without a cluster.
 */
import {isIP} from 'node:net'

import type {Inventory, NodeSpec} from '../../../core/types.js'
import type {NodeFacts} from '../../observe/discovery.js'
import type {Exemptions} from './iptables.js'
import {cidrContains} from '../../../core/address.js'
import {globalAddresses, type IfAddr} from '../../../facts/ip-addr.js'
import {opt} from '../../plan/options.js'
import type {NodeDeadman, PlanResult} from '../../plan/types.js'

export interface LeaseSettings {
  /** The dead-man reverts when its lease was not renewed for this long. */
  timeoutS: number
  /** Extra time past the hold before the absolute TTL fires (the revert itself takes time). */
  ttlMarginS: number
}

export const DEFAULT_LEASE: LeaseSettings = {timeoutS: 10, ttlMarginS: 120}

export interface PlanInput {
  runId: string
  inventory: Inventory
  /** Discovery results by node name (every node the fault touches). */
  facts: ReadonlyMap<string, NodeFacts>
  holdMs: number
  lease: LeaseSettings
}

export function nodeSpec(inv: Inventory, name: string): NodeSpec | undefined {
  return inv.nodes.find((n) => n.name === name)
}

export function ttlS(input: PlanInput): number {
  return Math.ceil(input.holdMs / 1000) + input.lease.ttlMarginS
}

export function nodeDeadman(input: PlanInput, node: string, undo: string): NodeDeadman {
  return {kind: 'node', node, undo, leaseTimeoutS: input.lease.timeoutS, ttlS: ttlS(input)}
}

/** The BMC addresses of the inventory that are IP addresses (names cannot go in a rule reliably). */
export function bmcAddresses(inv: Inventory): string[] {
  return inv.nodes.flatMap((n) => (n.bmc && isIP(n.bmc.host) ? [n.bmc.host] : []))
}

export function exemptionsFor(inv: Inventory, facts: NodeFacts): Exemptions {
  return {
    controller: facts.ssh ? {address: facts.ssh.clientAddress, sshPort: facts.ssh.serverPort} : undefined,
    bmcs: bmcAddresses(inv),
  }
}

/** A Linux interface name (at most 15 characters). */
export const IFNAME_PATTERN = '^[A-Za-z0-9._@:-]{1,15}$'

/**
 * The two ways to name the interface a fault acts on, exclusive: an inventory network (or a CIDR), the node's
 * interface holding an address in it; or the interface's name. `what` ends the network's description
 * ("pulled", "degraded").
 */
export function interfaceOptions(what: string) {
  return {
    network: opt.string({
      description: `Inventory network name (or CIDR) whose interface is ${what}.`,
      expected: 'a network name from the inventory, such as heartbeat',
      exclusive: ['interface'],
      refersTo: 'network',
    }),
    interface: opt.string({
      description: 'Interface name on the node.',
      pattern: IFNAME_PATTERN,
      expected: 'an interface name such as eth1',
      exclusive: ['network'],
    }),
  } as const
}

export interface InterfaceChoice {
  ifname: string
  /** The node's addresses on it. */
  addrs: IfAddr[]
  /** How it was chosen, for the summary. */
  how: string
}

/**
 * The node's interface for `--network NAME|CIDR` (the one holding an address in
 * that CIDR) or `--interface NAME`.
 */
export function chooseInterface(
  inv: Inventory,
  facts: NodeFacts,
  sel: {network?: string; interface?: string},
): {ok: true; choice: InterfaceChoice} | {ok: false; reason: string} {
  if (sel.interface) {
    const addrs = facts.addrs.filter((a) => a.ifname === sel.interface)
    const known = new Set(facts.addrs.map((a) => a.ifname))
    if (!known.has(sel.interface)) {
      return {
        ok: false,
        reason: `node ${facts.node} has no interface ${sel.interface} with an address (it has: ${[...known].join(', ') || 'none'})`,
      }
    }
    return {ok: true, choice: {ifname: sel.interface, addrs, how: `interface ${sel.interface}`}}
  }
  if (!sel.network) return {ok: false, reason: 'give --network NAME (from the inventory) or --interface NAME'}
  const cidr = inv.networks[sel.network] ?? (sel.network.includes('/') ? sel.network : undefined)
  if (!cidr) {
    const names = Object.keys(inv.networks)
    return {
      ok: false,
      reason: `the inventory has no network named ${sel.network}${names.length ? ` (it has: ${names.join(', ')})` : ' (it declares no networks:)'}`,
    }
  }
  const hits = globalAddresses(facts.addrs).filter((a) => cidrContains(cidr, a.address))
  const ifnames = [...new Set(hits.map((a) => a.ifname))]
  if (ifnames.length === 0) {
    return {ok: false, reason: `node ${facts.node} has no address in ${sel.network} (${cidr})`}
  }
  if (ifnames.length > 1) {
    return {
      ok: false,
      reason: `node ${facts.node} has addresses in ${cidr} on several interfaces (${ifnames.join(', ')}); pick one with --interface`,
    }
  }
  const ifname = ifnames[0] as string
  return {
    ok: true,
    choice: {
      ifname,
      addrs: facts.addrs.filter((a) => a.ifname === ifname),
      how: `${sel.network} (${cidr}) → ${ifname}`,
    },
  }
}

/** true when every Corosync ring address of the node sits on `ifname` (pulling it isolates the node). */
export function carriesAllRings(facts: NodeFacts, ifname: string): boolean {
  if (facts.ringAddrs.length === 0) return false
  const onIf = new Set(facts.addrs.filter((a) => a.ifname === ifname).map((a) => a.address))
  return facts.ringAddrs.every((r) => onIf.has(r))
}

export function refuse(reason: string, actions?: string[]): PlanResult {
  return {ok: false, reason, actions}
}

export function needFacts(input: PlanInput, node: string): NodeFacts | PlanResult {
  const f = input.facts.get(node)
  if (!f) return refuse(`no discovery data for node ${node}`)
  return f
}

export function isPlanResult(x: NodeFacts | PlanResult): x is PlanResult {
  return (x as PlanResult).ok !== undefined
}

export function chainGuard(facts: NodeFacts): PlanResult | undefined {
  if (facts.chainPresent) {
    return refuse(
      `node ${facts.node} already has an iptables chain HACHECK: another hacheck fault is in place, or one was not cleaned up`,
      ['Run `hacheck chaos revert` to replay leftover ledgers, then try again.'],
    )
  }
  return undefined
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`
}
