import {corosyncCfgtool, type CfgLink} from '../../facts/corosync-cfgtool.js'
import {defineNodeCheck, fail, pass, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

const label = (l: CfgLink): string => `${l.kind} ${l.id}${l.addr ? ` (${l.addr})` : ''}`

/** Peers (by node id) that no link of this node reaches; undefined when the output lists no peers. */
function peersCutOff(links: readonly CfgLink[]): number[] | undefined {
  const peers = new Set<number>()
  for (const l of links)
    for (const p of l.peers) if (p.nodeid !== undefined && p.state !== 'localhost') peers.add(p.nodeid)
  if (peers.size === 0) return undefined
  return [...peers].filter(
    (id) =>
      !links.some(
        (l) =>
          !/FAULTY/i.test(l.status ?? '') && l.peers.some((p) => p.nodeid === id && p.state === 'connected'),
      ),
  )
}

/**
 * Item 3, runtime: every configured heartbeat link is up towards every peer. A link down while another
 * still reaches every peer is a warning (the cluster is fine, its redundancy is gone), naming the link;
 * a peer no link reaches is a failure.
 */
export default defineNodeCheck({
  id: 'heartbeat.links-healthy',
  title: 'Every heartbeat link is connected',
  area: 'heartbeat',
  severity: 'critical',
  rationale:
    'A redundant link that is already down gives no redundancy: the next failure splits the cluster.',
  params: {},
  facts: {cfg: corosyncCfgtool},
  evaluate({cfg}, _p, node) {
    const observed = cfg.links.map((l) => ({
      [l.kind]: l.id,
      addr: l.addr,
      status: l.status,
      down: l.peers.filter((p) => p.state === 'disconnected').map((p) => p.nodeid),
    }))
    const e = [ev(node.name, corosyncCfgtool, observed, 'every link connected to every peer')]
    if (cfg.links.length === 0)
      return fail(
        `corosync-cfgtool reports no link${cfg.messages.length ? `: ${cfg.messages.join('; ')}` : ''}`,
        e,
      )
    const faulty = cfg.links.filter((l) => l.faulty)
    if (faulty.length === 0) return pass(`${cfg.links.length} link(s), all connected`, e)
    const down = faulty
      .map((l) => {
        const peers = l.peers.filter((p) => p.state === 'disconnected' && p.nodeid !== undefined)
        return `${label(l)} down${peers.length ? ` towards node ${peers.map((p) => p.nodeid).join(', ')}` : ''}`
      })
      .join('; ')
    const healthy = cfg.links.filter((l) => !l.faulty)
    const cut = peersCutOff(cfg.links)
    if (cut !== undefined && cut.length)
      return fail(`${down}: node ${cut.join(', ')} reached by no link from ${node.name}`, e)
    if (healthy.length === 0 && cut === undefined) return fail(`${down}: no link left`, e)
    const carrying = healthy.length ? healthy.map(label).join(', ') : 'the other links'
    return warn(
      `${down}; ${carrying} still ${healthy.length > 1 ? 'carry' : 'carries'} the heartbeat: redundancy lost`,
      e,
    )
  },
  remediation: remediation(
    'A heartbeat link is down or marked faulty.',
    'Check the interface and the path to the peers (`ip link`, `ping -I <iface> <peer>`), then `corosync-cfgtool -s`. While one link is down, the cluster depends on the remaining one: repair it before the next failure. On corosync 2 a ring marked FAULTY stays so until `corosync-cfgtool -r` resets it.',
    ['corosync-cfgtool(8)'],
  ),
})
