/**
 * ip-addr: network interfaces and their addresses from `ip -j addr`
 * (iproute2 JSON; pretty-printed `ip -j -p` is the same JSON). Used to find
 * which interface carries the corosync link addresses, the VIP and the
 * default route.
 */
import {isLoopback} from '../core/address.js'
import {defineGatherer, ParseError} from './gatherer.js'
import {isRecord, num, str} from './util.js'

export interface IpAddress {
  family: 'inet' | 'inet6' | string
  local: string
  prefixlen?: number
  scope?: string
  label?: string
  broadcast?: string
  dynamic: boolean
  /** "secondary" addresses (a VIP added by IPaddr2 is usually secondary). */
  secondary: boolean
}

export interface IpInterface {
  ifindex?: number
  ifname: string
  flags: string[]
  /** UP when the UP flag is set (administratively up). */
  up: boolean
  /** LOWER_UP: carrier present. */
  lowerUp: boolean
  mtu?: number
  operstate?: string
  linkType?: string
  mac?: string
  /** Master device (bond, bridge) when enslaved. */
  master?: string
  addresses: IpAddress[]
}

export function parseIpAddr(text: string): IpInterface[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new ParseError(`ip -j addr: not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (!Array.isArray(doc)) throw new ParseError('ip -j addr: expected a JSON array')
  return doc.filter(isRecord).map((i) => {
    const flags = Array.isArray(i['flags'])
      ? i['flags'].filter((f): f is string => typeof f === 'string')
      : []
    const addrInfo = Array.isArray(i['addr_info']) ? i['addr_info'].filter(isRecord) : []
    return {
      ifindex: num(i['ifindex']),
      ifname: str(i['ifname']) ?? '',
      flags,
      up: flags.includes('UP'),
      lowerUp: flags.includes('LOWER_UP'),
      mtu: num(i['mtu']),
      operstate: str(i['operstate']),
      linkType: str(i['link_type']),
      mac: str(i['address']),
      master: str(i['master']),
      addresses: addrInfo
        .filter((a) => typeof a['local'] === 'string')
        .map((a) => ({
          family: str(a['family']) ?? '',
          local: str(a['local']) ?? '',
          prefixlen: num(a['prefixlen']),
          scope: str(a['scope']),
          label: str(a['label']),
          broadcast: str(a['broadcast']),
          dynamic: a['dynamic'] === true,
          secondary: a['secondary'] === true,
        })),
    }
  })
}

/** One address of one interface, flattened (what faults and guards match on). */
export interface IfAddr {
  ifname: string
  /** Operational state: UP, DOWN, UNKNOWN. */
  operstate: string
  /** Interface flags (UP, LOWER_UP, LOOPBACK, …). */
  flags: string[]
  family: 4 | 6
  address: string
  prefixlen: number
  /** host, link or global. */
  scope: string
}

export function flatAddresses(ifaces: readonly IpInterface[]): IfAddr[] {
  const out: IfAddr[] = []
  for (const i of ifaces)
    for (const a of i.addresses) {
      if (a.family !== 'inet' && a.family !== 'inet6') continue
      out.push({
        ifname: i.ifname || '?',
        operstate: i.operstate ?? 'UNKNOWN',
        flags: i.flags,
        family: a.family === 'inet' ? 4 : 6,
        address: a.local,
        prefixlen: a.prefixlen ?? (a.family === 'inet' ? 32 : 128),
        scope: a.scope ?? 'global',
      })
    }
  return out
}

/** Global-scope addresses of a node's interfaces, without loopback and link-local (those repeat across hosts). */
export function globalAddresses(addrs: readonly IfAddr[]): IfAddr[] {
  return addrs.filter((a) => a.scope === 'global' && !isLoopback(a.address) && !a.flags.includes('LOOPBACK'))
}

export const ipAddr = defineGatherer<IpInterface[]>({
  id: 'ip-addr',
  description: 'Network interfaces and addresses (ip -j addr)',
  script: 'ip -j addr',
  requires: ['ip'],
  parse: (out) => parseIpAddr(out.stdout),
})
