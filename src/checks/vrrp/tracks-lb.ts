import {keepalivedConf, type KeepalivedConf, type VrrpInstanceConf} from '../../facts/keepalived-conf.js'
import {fail, pass, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {defineVrrpConfCheck} from './common.js'

interface Tracker {
  kind: 'track_script' | 'track_process'
  name: string
  daemon: string
  /** Negative weight lowers the priority; 0 (keepalived's default) puts the instance in FAULT. */
  weight: number
}

/** The trackers of an instance that follow one of the LB daemons. */
export function lbTrackers(
  conf: KeepalivedConf,
  inst: VrrpInstanceConf,
  daemons: readonly string[],
): Tracker[] {
  const out: Tracker[] = []
  const follows = (text: string | undefined): string | undefined =>
    daemons.find(
      (d) =>
        text !== undefined &&
        new RegExp(`(^|[\\s/'"=])${d.replace(/[.+]/g, '\\$&')}($|[\\s'";.])`).test(text),
    )
  for (const name of inst.trackScripts) {
    const s = conf.scripts.find((x) => x.name === name)
    const d = follows(s?.script)
    if (s && d) out.push({kind: 'track_script', name, daemon: d, weight: s.weight ?? 0})
  }
  for (const name of inst.trackProcesses) {
    const p = conf.trackProcesses.find((x) => x.name === name)
    const d = daemons.find((x) => x === p?.process)
    if (p && d) out.push({kind: 'track_process', name, daemon: d, weight: p.weight ?? 0})
  }
  return out
}

export default defineVrrpConfCheck({
  id: 'vrrp.tracks-lb',
  title: 'keepalived follows the load-balancer daemon',
  severity: 'critical',
  rationale:
    'VRRP only knows that the machine is alive. If haproxy (or nginx) dies and keepalived does not track it, the LB keeps the VIP and every client request to it fails, while the healthy peer waits as BACKUP.',
  params: {daemons: ['haproxy', 'nginx', 'envoy', 'traefik']},
  judge(router, members, {daemons}) {
    const list = daemons as string[]
    const prio = new Map(members.map((m) => [m.node, m.inst.priority ?? 100]))
    return members.map((m): Finding => {
      const t = lbTrackers(m.conf, m.inst, list)
      const e = [
        ev(
          m.node,
          keepalivedConf,
          {
            instance: m.inst.name,
            trackScript: m.inst.trackScripts,
            trackProcess: m.inst.trackProcesses,
            scripts: m.conf.scripts.map((s) => ({name: s.name, script: s.script, weight: s.weight ?? 0})),
            processes: m.conf.trackProcesses,
          },
          `a track_script or track_process following ${list.join('/')}`,
        ),
      ]
      const what = `${router} on ${m.node}`
      if (t.length === 0)
        return fail(
          `${what}: no track_script/track_process follows ${list.join(', ')}: a dead proxy keeps the VIP`,
          e,
          m.node,
        )
      // A weight that does not bring the priority below every peer's does not move the VIP.
      const peers = members.filter((o) => o.node !== m.node).map((o) => prio.get(o.node) ?? 100)
      const own = prio.get(m.node) ?? 100
      const weak = t.filter(
        (x) => x.weight !== 0 && peers.length > 0 && own + Math.min(0, x.weight) >= Math.min(...peers),
      )
      if (weak.length === t.length)
        return fail(
          `${what}: ${t.map((x) => `${x.kind} ${x.name} (weight ${x.weight})`).join(', ')} lowers priority ${own} only to ${own + Math.min(0, ...t.map((x) => x.weight))}, not below the peer's ${Math.min(...peers)}: the VIP stays`,
          e,
          m.node,
        )
      return pass(
        `${what}: ${t.map((x) => `${x.kind} ${x.name} follows ${x.daemon}${x.weight ? ` (weight ${x.weight})` : ' (FAULT on failure)'}`).join(', ')}`,
        e,
        m.node,
      )
    })
  },
  remediation: remediation(
    'keepalived keeps the VIP on an LB whose proxy is down.',
    'Define `vrrp_script chk_lb { script "/usr/bin/pgrep -x haproxy"; interval 1; fall 2; rise 2 }` (or `vrrp_track_process` with `process haproxy`) and add `track_script { chk_lb }` to every `vrrp_instance`; leave its weight at 0 (FAULT on failure) or make it larger than the priority gap to the peer. Reload keepalived on each LB.',
    ['keepalived.conf(5): vrrp_script, vrrp_track_process, track_script'],
  ),
})
