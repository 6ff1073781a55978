/**
 * Address helpers for faults: parsing `ip -j addr` from a node, CIDR
 * membership, and telling whether an address belongs to the controller (this
 * machine). Pure, except `localAddresses()` (reads this machine's interfaces)
 * and `resolveHost()` (DNS).
 */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {networkInterfaces} from 'node:os'

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

function v4ToBig(a: string): bigint {
  return a.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n)
}

function v6ToBig(address: string): bigint {
  let text = address.split('%')[0] ?? ''
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1]) {
    const n = v4ToBig(v4[1])
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const h = head ? head.split(':') : []
  const t = tail === undefined ? [] : tail ? tail.split(':') : []
  const parts = [...h, ...Array<string>(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t]
  return parts.reduce((acc, p) => (acc << 16n) | BigInt(parseInt(p || '0', 16)), 0n)
}

/** true when `address` is inside `cidr` (same family). */
export function cidrContains(cidr: string, address: string): boolean {
  const [net = '', prefixText = ''] = cidr.split('/')
  const fam = isIP(net)
  if (fam === 0 || isIP(address) !== fam) return false
  const bits = fam === 4 ? 32 : 128
  const prefix = prefixText === '' ? bits : Number(prefixText)
  const toBig = fam === 4 ? v4ToBig : v6ToBig
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix)
  return (toBig(net) & mask) === (toBig(address) & mask)
}

/** Loopback, unspecified, or an IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().split('%')[0] ?? ''
  if (isIP(a) === 4) return cidrContains('127.0.0.0/8', a) || a === '0.0.0.0'
  if (isIP(a) === 6) {
    const v = v6ToBig(a)
    if (v === 1n || v === 0n) return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
    return mapped?.[1] ? isLoopback(mapped[1]) : false
  }
  return false
}

function sameAddress(a: string, b: string): boolean {
  const fa = isIP(a)
  const fb = isIP(b)
  if (fa === 0 || fb === 0) return false
  const unmap = (x: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(x)?.[1] ?? x
  const ua = unmap(a)
  const ub = unmap(b)
  if (isIP(ua) !== isIP(ub)) return false
  return isIP(ua) === 4 ? ua === ub : v6ToBig(ua) === v6ToBig(ub)
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
