import {isIP, isIPv4} from 'node:net'

/**
 * IP address arithmetic shared by the inventory schema (formats `ip`, `host`,
 * `cidr`), the checks (which network an address is on) and chaos's guards
 * (is this address the controller?). Pure; node:net does the parsing.
 */

/** An IPv4 or IPv6 address (no brackets, no zone). */
export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/

/**
 * An address or a name SSH can connect to: an IP address, a DNS name or an
 * alias from ~/.ssh/config. Text made only of digits and dots must be a valid
 * IPv4 address (so 198.18.2.300 is refused rather than looked up as a name).
 */
export function isHost(text: string): boolean {
  if (/^[\d.]+$/.test(text)) return isIPv4(text)
  if (text.includes(':')) return isIP(text) === 6
  return HOST_NAME.test(text)
}

export type CidrCheck = {ok: true} | {ok: false; reason: string; suggestion?: string}

/** Checks `address/prefix`; the address must be the network address (no host bits set). */
export function checkCidr(text: string): CidrCheck {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text)
  if (!m) return {ok: false, reason: 'missing /prefix'}
  const [, address = '', prefixText = ''] = m
  const family = isIP(address)
  if (family === 0) return {ok: false, reason: `${address} is not an IP address`}
  const prefix = Number(prefixText)
  const bits = family === 4 ? 32 : 128
  if (prefix > bits) return {ok: false, reason: `the prefix must be at most /${bits}`}
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address)
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix)
  const network = value & mask
  if (network !== value) {
    const net = family === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network)
    return {ok: false, reason: 'host bits are set', suggestion: `${net}/${prefix}`}
  }
  return {ok: true}
}

export function isCidr(text: string): boolean {
  return checkCidr(text).ok
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.')
}

function ipv6ToBigInt(address: string): bigint {
  let text = address
  // An embedded IPv4 tail (::ffff:198.18.2.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1]) {
    const n = ipv4ToBigInt(v4[1])
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headParts = head ? head.split(':') : []
  const tailParts = tail === undefined ? [] : tail ? tail.split(':') : []
  const missing = 8 - headParts.length - tailParts.length
  const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts]
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n)
}

function bigIntToIpv6(value: bigint): string {
  const parts: string[] = []
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(((value >> shift) & 0xffffn).toString(16))
  // Compress the longest run of zero hextets (RFC 5952).
  let best = {start: -1, len: 0}
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < 8 && parts[j] === '0') j++
    if (j - i > best.len && j - i > 1) best = {start: i, len: j - i}
    i = j
  }
  if (best.start < 0) return parts.join(':')
  return `${parts.slice(0, best.start).join(':')}::${parts.slice(best.start + best.len).join(':')}`
}

/** true when `address` is inside `cidr` (same family). */
export function cidrContains(cidr: string, address: string): boolean {
  const [net = '', prefixText = ''] = cidr.split('/')
  const fam = isIP(net)
  if (fam === 0 || isIP(address) !== fam) return false
  const bits = fam === 4 ? 32 : 128
  const prefix = prefixText === '' ? bits : Number(prefixText)
  const toBig = fam === 4 ? ipv4ToBigInt : ipv6ToBigInt
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix)
  return (toBig(net) & mask) === (toBig(address) & mask)
}

/** Loopback, unspecified, or an IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().split('%')[0] ?? ''
  if (isIP(a) === 4) return cidrContains('127.0.0.0/8', a) || a === '0.0.0.0'
  if (isIP(a) === 6) {
    const v = ipv6ToBigInt(a)
    if (v === 1n || v === 0n) return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
    return mapped?.[1] ? isLoopback(mapped[1]) : false
  }
  return false
}

/** The same IP address, IPv4-mapped IPv6 included. */
export function sameAddress(a: string, b: string): boolean {
  const fa = isIP(a)
  const fb = isIP(b)
  if (fa === 0 || fb === 0) return false
  const unmap = (x: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(x)?.[1] ?? x
  const ua = unmap(a)
  const ub = unmap(b)
  if (isIP(ua) !== isIP(ub)) return false
  return isIP(ua) === 4 ? ua === ub : ipv6ToBigInt(ua) === ipv6ToBigInt(ub)
}

/**
 * One spelling per address, for comparing what people wrote: an IPv6 address
 * in its RFC 5952 form (2001:db8::1 however it was written), an IPv4-mapped
 * IPv6 address as its IPv4 address (::ffff:198.18.0.1 and ::ffff:c612:1 are
 * 198.18.0.1), a name in lower case without a final dot. Zone ids are kept.
 */
export function canonicalAddress(text: string): string {
  const [addr = '', zone] = text.trim().split('%')
  const z = zone === undefined ? '' : `%${zone}`
  if (isIPv4(addr)) return addr.split('.').map(Number).join('.') + z
  if (isIP(addr) === 6) {
    const v = ipv6ToBigInt(addr.toLowerCase())
    if (v >> 32n === 0xffffn) return bigIntToIpv4(v & 0xffffffffn) + z
    return bigIntToIpv6(v) + z
  }
  return text.trim().toLowerCase().replace(/\.$/, '')
}
