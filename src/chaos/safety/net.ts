/**
 * Address helpers for faults: telling whether an address belongs to the
 * controller (this machine). Pure, except `localAddresses()` (reads this
 * machine's interfaces) and `resolveHost()` (DNS). Node addresses are read by
 * src/facts/ip-addr.ts (with their global ones), address arithmetic is in src/core/address.ts.
 */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {networkInterfaces} from 'node:os'

import {isLoopback, sameAddress} from '../../core/address.js'

/**
 * Why an address is the controller itself, or undefined when it is not. A DROP
 * rule or a downed link there would cut off the machine hacheck runs on.
 */
export function controllerMatch(address: string, local: readonly string[]): string | undefined {
  if (isLoopback(address)) return `${address} is a loopback address of this machine`
  const hit = local.find((l) => sameAddress(l, address))
  return hit ? `${address} is an address of this machine's own interfaces` : undefined
}

/** Every address on this machine's interfaces (loopback included). */
export function localAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.push(a.address.split('%')[0] ?? a.address)
  }
  return out
}

/** The addresses a host name resolves to (the name itself when it is an address); [] when it does not resolve. */
export async function resolveHost(host: string): Promise<string[]> {
  if (isIP(host)) return [host]
  if (host.toLowerCase() === 'localhost') return ['127.0.0.1', '::1']
  try {
    const r = await lookup(host, {all: true})
    return r.map((x) => x.address)
  } catch {
    return []
  }
}
