/**
 * corosync-cfgtool: status of each heartbeat ring (corosync 2, RRP) or link
 * (corosync 3, knet/udpu) from `corosync-cfgtool -s`.
 *
 * Formats handled:
 *   corosync 2:   "Printing ring status." / "RING ID 0" / "id = 198.18.1.11" /
 *                 "status = ring 0 active with no faults" or "… FAULTY"
 *   corosync 3.0: "Printing link status." / "LINK ID 0" / "addr = …" /
 *                 "status = OK", or "status:" followed by "nodeid  2: connected"
 *   corosync 3.1: "Local node ID 1, transport knet" / "LINK ID 0 udp" /
 *                 "status:" / "nodeid:   2: connected" (one line per node),
 *                 and with -b a one-line "status = n33" (one char per node).
 * Exit code: corosync-cfgtool -s exits 1 when a ring is faulty, with the full
 * status printed; that output is valid. "Could not initialize …" (corosync not
 * running) also exits 1 but has no ring/link: ParseError, i.e. "could not tell".
 */
import {defineGatherer, ParseError, wholeLines} from './gatherer.js'
import {lines, toInt} from './util.js'

export interface LinkPeer {
  /** Undefined in the brief (-b) form, which lists nodes by position only. */
  nodeid?: number
  /** 'localhost' | 'connected' | 'disconnected' | other text as printed. */
  state: string
}

export interface CfgLink {
  kind: 'ring' | 'link'
  id: number
  /** "udp", "sctp" … after "LINK ID n" (corosync 3.1+). */
  transport?: string
  /** Local address of the ring/link ("id =" or "addr ="). */
  addr?: string
  /** The status text as printed ("ring 0 active with no faults", "OK", "n33" …); undefined for the per-node form. */
  status?: string
  peers: LinkPeer[]
  /** True when the ring is marked FAULTY or any peer is disconnected on this link. */
  faulty: boolean
}

export interface CfgStatus {
  localNodeId?: number
  /** From "Local node ID 1, transport knet" (corosync 3.1+). */
  transport?: string
  links: CfgLink[]
  /** Lines that are neither status nor known headers (e.g. "Could not get the ring status"). */
  messages: string[]
}

function peersFromBrief(status: string): LinkPeer[] | undefined {
  // -b: one char per node in nodeid order: n = this node, 3 = enabled+connected, 1 = enabled only, 0 = down.
  if (!/^[n0-3]+$/.test(status) || !status.includes('n')) return undefined
  return [...status].map((c) => ({
    state: c === 'n' ? 'localhost' : c === '3' ? 'connected' : 'disconnected',
  }))
}

export function parseCfgtool(text: string): CfgStatus {
  const result: CfgStatus = {links: [], messages: []}
  let current: CfgLink | undefined
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const t = (ls[i] ?? '').trim()
    if (t === '' || /^Printing (ring|link) status\.$/.test(t)) continue
    const local = /^Local node ID (\d+)(?:, transport (\S+))?$/.exec(t)
    if (local) {
      result.localNodeId = toInt(local[1])
      result.transport = local[2]
      continue
    }
    const head = /^(RING|LINK) ID (\d+)(?:\s+(\S+))?$/.exec(t)
    if (head) {
      current = {
        kind: head[1] === 'RING' ? 'ring' : 'link',
        id: Number(head[2]),
        transport: head[3],
        peers: [],
        faulty: false,
      }
      result.links.push(current)
      continue
    }
    const kv = /^(id|addr|status)\s*=\s*(.*)$/.exec(t)
    if (kv && current) {
      const value = (kv[2] ?? '').trim()
      if (kv[1] === 'status') {
        current.status = value
        current.peers = peersFromBrief(value) ?? current.peers
      } else current.addr = value
      continue
    }
    if (t === 'status:' && current) continue
    const peer = /^nodeid:?\s*(\d+):\s*(.*)$/.exec(t)
    if (peer && current) {
      current.peers.push({nodeid: Number(peer[1]), state: (peer[2] ?? '').trim()})
      continue
    }
    result.messages.push(t)
  }
  for (const l of result.links) {
    l.faulty =
      /FAULTY/i.test(l.status ?? '') ||
      l.peers.some((p) => p.state !== 'localhost' && p.state !== 'connected')
  }
  if (result.links.length === 0) {
    throw new ParseError(
      `no ring or link status in output${result.messages[0] ? `: ${result.messages[0]}` : ''}`,
    )
  }
  return result
}

export const corosyncCfgtool = defineGatherer<CfgStatus>({
  id: 'corosync-cfgtool',
  description: 'Status of each Corosync ring/link on this node (corosync-cfgtool -s)',
  script: 'corosync-cfgtool -s',
  requires: ['corosync-cfgtool'],
  // 1 = a ring is faulty (corosync 2): the full status is printed and is the finding.
  okExitCodes: [0, 1],
  parse: (out) => parseCfgtool(wholeLines(out.stdout)),
})
