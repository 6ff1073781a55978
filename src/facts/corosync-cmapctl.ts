/**
 * corosync-cmapctl: the whole Corosync configuration/runtime map, one
 * `key (type) = value` per line. Numbers of integer and float types become
 * numbers (a u64 beyond 2^53, only seen in counters, stays a string); str and
 * bin stay strings. The typed view picks what the checks use: the runtime
 * totem timing (token already includes token_coefficient), the configured
 * totem values, the nodelist, quorum and qdevice keys, votequorum runtime and
 * the current members.
 *
 * Also read: the corosync 1.x/objctl `key=value` form (values as strings) and
 * `corosync-cmapctl -m stats` (same line format, other key space).
 */
import {defineGatherer, ParseError, wholeLines} from './gatherer.js'
import {dict, lines, toBool, toInt, toNum} from './util.js'

export type CmapValue = number | string

export interface CmapMember {
  nodeid: number
  /** Addresses in ring/link order, from "r(0) ip(198.18.1.11) r(1) ip(198.18.3.11)". */
  ips: string[]
  status?: string
  joinCount?: number
}

export interface CmapNode {
  index: number
  nodeid?: number
  name?: string
  /** ringN_addr by N. */
  addrs: {link: number; addr: string}[]
}

export interface Cmap {
  /** Every key; look up with e.g. `values['runtime.config.totem.token']`. */
  values: Record<string, CmapValue>
  /** cmap type of each key (u8, u32, str …; "unknown" for the key=value form). */
  types: Record<string, string>
  /** runtime.config.totem.* — the values corosync actually runs with (ms). */
  runtime: {token?: number; consensus?: number; join?: number; tokenRetransmitsBeforeLossConst?: number}
  /** totem.* — as configured (token here excludes token_coefficient). */
  totem: {
    token?: number
    tokenCoefficient?: number
    consensus?: number
    transport?: string
    clusterName?: string
    rrpMode?: string
    linkMode?: string
  }
  quorum: {
    provider?: string
    expectedVotes?: number
    twoNode?: boolean
    waitForAll?: boolean
    lastManStanding?: boolean
    autoTieBreaker?: boolean
    device?: {
      model?: string
      votes?: number
      net?: {host?: string; port?: number; algorithm?: string; tls?: string}
    }
  }
  /** runtime.votequorum.* */
  votequorum: {twoNode?: boolean; waitForAllStatus?: boolean; thisNodeId?: number}
  nodelist: CmapNode[]
  localNodePos?: number
  /** From runtime.members.* (corosync 3) or runtime.totem.pg.mrp.srp.members.* (corosync 2). */
  members: CmapMember[]
}

const INT_TYPES = new Set(['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'])
const FLOAT_TYPES = new Set(['flt', 'dbl'])

function typed(type: string, value: string): CmapValue {
  if (INT_TYPES.has(type)) {
    const n = Number(value)
    return /^-?\d+$/.test(value) && Number.isSafeInteger(n) ? n : value
  }
  if (FLOAT_TYPES.has(type)) return toNum(value) ?? value
  return value
}

/** Parses the key/value lines; throws ParseError on a line of another shape. */
export function parseCmapValues(text: string): {
  values: Record<string, CmapValue>
  types: Record<string, string>
} {
  const values = dict<CmapValue>()
  const types = dict<string>()
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i] ?? ''
    if (line.trim() === '') continue
    const m = /^(\S+) \(([a-z0-9]+)\) = (.*)$/.exec(line)
    if (m) {
      const [, key = '', type = '', value = ''] = m
      values[key] = typed(type, value)
      types[key] = type
      continue
    }
    const legacy = /^([A-Za-z0-9_.:\-/]+)=(.*)$/.exec(line)
    if (legacy) {
      const [, key = '', value = ''] = legacy
      values[key] = value
      types[key] = 'unknown'
      continue
    }
    throw new ParseError(`not a "key (type) = value" line: "${line}"`, i + 1)
  }
  return {values, types}
}

function members(values: Record<string, CmapValue>): CmapMember[] {
  const byId = new Map<number, CmapMember>()
  for (const [key, value] of Object.entries(values)) {
    const m = /^runtime\.(?:totem\.pg\.mrp\.srp\.)?members\.(\d+)\.(ip|status|join_count)$/.exec(key)
    if (!m) continue
    const nodeid = Number(m[1])
    const member = byId.get(nodeid) ?? {nodeid, ips: []}
    byId.set(nodeid, member)
    if (m[2] === 'ip') member.ips = [...String(value).matchAll(/ip\(([^)]*)\)/g)].map((x) => x[1] ?? '')
    else if (m[2] === 'status') member.status = String(value)
    else if (typeof value === 'number') member.joinCount = value
  }
  return [...byId.values()].sort((a, b) => a.nodeid - b.nodeid)
}

function nodelist(values: Record<string, CmapValue>): CmapNode[] {
  const byIndex = new Map<number, CmapNode>()
  for (const [key, value] of Object.entries(values)) {
    const m = /^nodelist\.node\.(\d+)\.(.+)$/.exec(key)
    if (!m) continue
    const index = Number(m[1])
    const node = byIndex.get(index) ?? {index, addrs: []}
    byIndex.set(index, node)
    const field = m[2] ?? ''
    const ring = /^ring(\d+)_addr$/.exec(field)
    if (field === 'nodeid' && typeof value === 'number') node.nodeid = value
    else if (field === 'name') node.name = String(value)
    else if (ring) node.addrs.push({link: Number(ring[1]), addr: String(value)})
  }
  for (const n of byIndex.values()) n.addrs.sort((a, b) => a.link - b.link)
  return [...byIndex.values()].sort((a, b) => a.index - b.index)
}

export function parseCmap(text: string): Cmap {
  const {values, types} = parseCmapValues(text)
  // Keys corosync does not know are stored as str: read digits either way.
  const n = (k: string) => {
    const v = values[k]
    return typeof v === 'number' ? v : toInt(v)
  }
  const s = (k: string) => {
    const v = values[k]
    return v === undefined ? undefined : String(v)
  }
  const b = (k: string) => toBool(s(k))
  const hasDevice = Object.keys(values).some((k) => k.startsWith('quorum.device.'))
  const hasNet = Object.keys(values).some((k) => k.startsWith('quorum.device.net.'))
  return {
    values,
    types,
    runtime: {
      token: n('runtime.config.totem.token'),
      consensus: n('runtime.config.totem.consensus'),
      join: n('runtime.config.totem.join'),
      tokenRetransmitsBeforeLossConst: n('runtime.config.totem.token_retransmits_before_loss_const'),
    },
    totem: {
      token: n('totem.token'),
      tokenCoefficient: n('totem.token_coefficient'),
      consensus: n('totem.consensus'),
      transport: s('totem.transport'),
      clusterName: s('totem.cluster_name'),
      rrpMode: s('totem.rrp_mode'),
      linkMode: s('totem.link_mode'),
    },
    quorum: {
      provider: s('quorum.provider'),
      expectedVotes: n('quorum.expected_votes'),
      twoNode: b('quorum.two_node'),
      waitForAll: b('quorum.wait_for_all'),
      lastManStanding: b('quorum.last_man_standing'),
      autoTieBreaker: b('quorum.auto_tie_breaker'),
      device: hasDevice
        ? {
            model: s('quorum.device.model'),
            votes: n('quorum.device.votes'),
            net: hasNet
              ? {
                  host: s('quorum.device.net.host'),
                  port: n('quorum.device.net.port'),
                  algorithm: s('quorum.device.net.algorithm'),
                  tls: s('quorum.device.net.tls'),
                }
              : undefined,
          }
        : undefined,
    },
    votequorum: {
      twoNode: b('runtime.votequorum.two_node'),
      waitForAllStatus: b('runtime.votequorum.wait_for_all_status'),
      thisNodeId: n('runtime.votequorum.this_node_id'),
    },
    nodelist: nodelist(values),
    localNodePos: n('nodelist.local_node_pos'),
    members: members(values),
  }
}

/** The token timings corosync runs with (runtime.config.*, else as configured), ms. */
export interface TotemTimings {
  tokenMs?: number
  consensusMs?: number
  tokenCoefficientMs?: number
}

export function totemTimings(c: Cmap): TotemTimings {
  const t: TotemTimings = {}
  const token = c.runtime.token ?? c.totem.token
  const consensus = c.runtime.consensus ?? c.totem.consensus
  if (token !== undefined) t.tokenMs = token
  if (consensus !== undefined) t.consensusMs = consensus
  if (c.totem.tokenCoefficient !== undefined) t.tokenCoefficientMs = c.totem.tokenCoefficient
  return t
}

/** A node's own ring addresses from the nodelist, found by its name or by one of its addresses. */
export function ringAddrsOf(c: Cmap, nodeName: string, addrs: readonly string[]): string[] {
  const n =
    c.nodelist.find((x) => x.name === nodeName) ??
    c.nodelist.find((x) => x.addrs.some((a) => addrs.includes(a.addr)))
  return n ? n.addrs.map((a) => a.addr) : []
}

export const corosyncCmapctl = defineGatherer<Cmap>({
  id: 'corosync-cmapctl',
  description: 'Corosync configuration and runtime map (corosync-cmapctl)',
  script: 'corosync-cmapctl',
  requires: ['corosync-cmapctl'],
  parse: (out) => parseCmap(wholeLines(out.stdout)),
})
