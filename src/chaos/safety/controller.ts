/**
 * The controller-self guard: hacheck refuses any fault whose target is the
 * machine it runs on. A DROP rule, a downed link or a power-off there cuts off
 * (or stops) hacheck itself, and with it the revert.
 *
 * Two checks: the target's host resolves to a local address of this machine
 * (127.0.0.0/8, ::1, or any address of its interfaces); and, after discovery,
 * the node's own global addresses overlap this machine's (catches ssh-config
 * aliases and names that do not resolve here).
 */
import type {NodeSpec} from '../../core/types.js'
import type {NodeFacts} from '../observe/discovery.js'
import {isLoopback} from '../../core/address.js'
import {globalAddresses} from '../../facts/ip-addr.js'
import {controllerMatch, localAddresses, resolveHost} from './net.js'

export type Resolver = (host: string) => Promise<string[]>

export async function controllerRefusals(
  nodes: readonly NodeSpec[],
  opts: {local?: readonly string[]; resolve?: Resolver; facts?: ReadonlyMap<string, NodeFacts>} = {},
): Promise<string[]> {
  const local = opts.local ?? localAddresses()
  const resolve = opts.resolve ?? resolveHost
  const out: string[] = []
  for (const n of nodes) {
    const addrs = await resolve(n.host)
    const hit = addrs.map((a) => controllerMatch(a, local)).find((x) => x !== undefined)
    if (hit) {
      out.push(`node ${n.name} (${n.host}) is this machine: ${hit}`)
      continue
    }
    const f = opts.facts?.get(n.name)
    if (f) {
      const mine = new Set(local.filter((a) => !isLoopback(a) && !a.toLowerCase().startsWith('fe80')))
      const shared = globalAddresses(f.addrs)
        .map((a) => a.address)
        .filter((a) => mine.has(a))
      if (shared.length)
        out.push(
          `node ${n.name} (${n.host}) is this machine: it has this machine's address ${shared.join(', ')}`,
        )
    }
  }
  return out
}

export const CONTROLLER_REFUSAL_ACTIONS = [
  'hacheck must run on a machine outside the cluster it breaks: a fault on the controller would cut hacheck off from the revert.',
]
