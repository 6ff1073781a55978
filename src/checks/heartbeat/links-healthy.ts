import {corosyncCfgtool} from '../../facts/corosync-cfgtool.js'
import {defineNodeCheck, fail, pass} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 3, runtime: every configured heartbeat link is up towards every peer. */
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
    if (faulty.length)
      return fail(`${faulty.map((l) => `${l.kind} ${l.id}`).join(', ')} faulty or disconnected`, e)
    return pass(`${cfg.links.length} link(s), all connected`, e)
  },
  remediation: remediation(
    'A heartbeat link is down or marked faulty.',
    'Check the interface and the path to the peers (`ip link`, `ping -I <iface> <peer>`), then `corosync-cfgtool -s`. On corosync 2 a ring marked FAULTY stays so until `corosync-cfgtool -r` resets it.',
    ['corosync-cfgtool(8)'],
  ),
})
