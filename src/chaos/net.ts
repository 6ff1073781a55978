/**
 * Address helpers for faults: parsing `ip -j addr` from a node, CIDR
 * membership, and telling whether an address belongs to the controller (this
 * machine). Pure, except `localAddresses()` (reads this machine's interfaces)
 * and `resolveHost()` (DNS).
 */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {networkInterfaces} from 'node:os'

import {cidrContains, isLoopback, sameAddress} from '../core/address.js'

export {cidrContains, isLoopback}

export interface IfAddr {
  ifname: string
  /** Operational state from `ip -j addr`: UP, DOWN, UNKNOWN. */
  operstate: string
  /** Interface flags (UP, LOWER_UP, LOOPBACK, …). */
  flags: string[]
  family: 4 | 6
  address: string
  prefixlen: number
  /** host, link or global. */
  scope: string
}

interface IpJsonAddrInfo {
  family?: string
  local?: string
  prefixlen?: number
  scope?: string
}
interface IpJsonLink {
  ifname?: string
  operstate?: string
  flags?: string[]
  addr_info?: IpJsonAddrInfo[]
}

/** Parses `ip -j addr` (iproute2 JSON). Throws on text that is not that JSON. */
export function parseIpAddr(stdout: string): IfAddr[] {
  const data = JSON.parse(stdout) as unknown
  if (!Array.isArray(data)) throw new Error('ip -j addr: expected a JSON list')
  const out: IfAddr[] = []
  for (const link of data as IpJsonLink[]) {
    for (const a of link.addr_info ?? []) {
      if (!a.local || (a.family !== 'inet' && a.family !== 'inet6')) continue
      out.push({
        ifname: link.ifname ?? '?',
        operstate: link.operstate ?? 'UNKNOWN',
        flags: link.flags ?? [],
        family: a.family === 'inet' ? 4 : 6,
        address: a.local,
        prefixlen: a.prefixlen ?? (a.family === 'inet' ? 32 : 128),
        scope: a.scope ?? 'global',
      })
    }
  }
  return out
}

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

/** Global-scope addresses of a node's interfaces, without loopback and link-local (those repeat across hosts). */
export function globalAddresses(addrs: readonly IfAddr[]): IfAddr[] {
  return addrs.filter((a) => a.scope === 'global' && !isLoopback(a.address) && !a.flags.includes('LOOPBACK'))
}
