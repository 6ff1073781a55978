import {keepalivedConf, type KeepalivedConf, type VrrpInstanceConf} from '../../facts/keepalived-conf.js'
import {defineClusterCheck, fail, pass, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {confsOf, isFinding, routerKey} from './common.js'

/** keepalived's default of garp_master_repeat (and so of garp_lower_prio_repeat). */
const DEFAULT_GARP_REPEAT = 5

/** The settings in force for one instance: its own, else global_defs', else keepalived's defaults. */
export function readvertInForce(conf: KeepalivedConf, i: VrrpInstanceConf) {
  const g = conf.readvert
  const r = i.readvert
  const masterRepeat = r.garpMasterRepeat ?? g.garpMasterRepeat ?? DEFAULT_GARP_REPEAT
  return {
    higherPrioSendAdvert: r.higherPrioSendAdvert ?? g.higherPrioSendAdvert ?? false,
    garpLowerPrioRepeat: r.garpLowerPrioRepeat ?? g.garpLowerPrioRepeat ?? masterRepeat,
    garpMasterRefreshS: r.garpMasterRefreshS ?? g.garpMasterRefreshS ?? 0,
    strict: conf.strict,
  }
}

export default defineClusterCheck({
  id: 'vrrp.split-heal',
  title: 'When a VRRP split heals, the clients are sent back to the MASTER',
  area: 'vrrp',
  severity: 'warning',
  rationale:
    "While two LBs are MASTER at once (a cut link, dropped adverts) the clients follow the last gratuitous ARP they heard. When the split heals, the winner never changed state, so it announces nothing unless it hears the loser's advert first: when the loser steps down without one, the clients stay on the loser's MAC, which no longer holds the VIP, until their ARP entry expires (15–45 s on Linux, up to 4 h on some routers). Measured with hacheck chaos link-pull on a keepalived pair: about one run in three. `vrrp_higher_prio_send_advert` (the loser sends one last advert, the winner answers it with gratuitous ARPs) or a short `vrrp_garp_master_refresh` closes it.",
  params: {maxRefreshS: 10},
  roles: ['lb'],
  facts: {},
  optionalFacts: {conf: keepalivedConf},
  claim: 'cluster-state',
  evaluate(nodes, {maxRefreshS}) {
    const confs = confsOf(nodes)
    if (isFinding(confs)) return confs
    const limit = maxRefreshS as number
    const findings: Finding[] = []
    for (const c of confs)
      for (const i of c.instances) {
        const f = readvertInForce(c.conf, i)
        const e = [
          ev(
            c.node,
            keepalivedConf,
            {instance: i.name, ...f},
            `higher_prio_send_advert with garp_lower_prio_repeat > 0, or garp_master_refresh <= ${limit} s`,
          ),
        ]
        const what = `${c.node} ${i.name} (${routerKey(i)})`
        if (f.higherPrioSendAdvert && f.garpLowerPrioRepeat > 0 && !f.strict)
          findings.push(
            pass(
              `${what}: a healed split is re-announced (higher_prio_send_advert, ${f.garpLowerPrioRepeat} gratuitous ARPs from the winner)`,
              e,
              c.node,
            ),
          )
        else if (f.garpMasterRefreshS > 0 && f.garpMasterRefreshS <= limit)
          findings.push(
            pass(
              `${what}: gratuitous ARPs refreshed every ${f.garpMasterRefreshS} s while MASTER: clients stranded at most that long after a healed split`,
              e,
              c.node,
            ),
          )
        else findings.push(fail(`${what}: ${whyNot(f, limit)}`, e, c.node))
      }
    return findings
  },
  remediation: remediation(
    'After a VRRP split heals, clients can stay on the LB that gave the VIP up.',
    'In `global_defs` of every LB set `vrrp_higher_prio_send_advert true` (and leave `vrrp_garp_lower_prio_repeat` above 0), or `vrrp_garp_master_refresh {{maxRefreshS}}` or less (without `vrrp_strict`, which forbids the first); reload keepalived on each LB. Prove it: `hacheck chaos link-pull --node @service --interface <public if>` under load, the outage must close when the link is back.',
    [
      'keepalived.conf(5): vrrp_higher_prio_send_advert, vrrp_garp_lower_prio_repeat, vrrp_garp_master_refresh',
    ],
  ),
})

function whyNot(f: ReturnType<typeof readvertInForce>, limit: number): string {
  const refresh =
    f.garpMasterRefreshS > 0
      ? `gratuitous ARPs refreshed only every ${f.garpMasterRefreshS} s (> ${limit} s)`
      : 'no garp_master_refresh'
  if (f.strict)
    return `vrrp_strict forbids higher_prio_send_advert, and ${refresh}: clients that followed the other LB during a split can stay on it after the split heals`
  if (f.higherPrioSendAdvert)
    return `higher_prio_send_advert is on but garp_lower_prio_repeat is 0 (the winner sends no gratuitous ARP), and ${refresh}: clients can stay on the LB that stepped down`
  return `no higher_prio_send_advert and ${refresh}: when a split heals, the winner announces nothing unless it hears the loser first, and clients can stay on the LB that stepped down until their ARP entry expires`
}
