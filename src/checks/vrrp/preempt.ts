import {keepalivedConf} from '../../facts/keepalived-conf.js'
import {defineClusterCheck, fail, pass, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {confsOf, isFinding, routerKey} from './common.js'

export default defineClusterCheck({
  id: 'vrrp.preempt',
  title: 'A recovered LB does not take the VIP back at once',
  area: 'vrrp',
  severity: 'warning',
  rationale:
    "With preemption (keepalived's default) the higher-priority LB takes the VIP back the moment its VRRP comes up, often before its proxy has warmed up or while it still flaps: every recovery becomes a second client outage. `nopreempt` (with `state BACKUP`) or a `preempt_delay` avoids that.",
  params: {minPreemptDelayS: 30},
  roles: ['lb'],
  facts: {},
  optionalFacts: {conf: keepalivedConf},
  claim: 'cluster-state',
  evaluate(nodes, {minPreemptDelayS}) {
    const confs = confsOf(nodes)
    if (isFinding(confs)) return confs
    const findings: Finding[] = []
    for (const c of confs)
      for (const i of c.instances) {
        const e = [
          ev(
            c.node,
            keepalivedConf,
            {
              instance: i.name,
              state: i.state ?? null,
              nopreempt: i.nopreempt,
              preemptDelayS: i.preemptDelayS ?? null,
            },
            `nopreempt with state BACKUP, or preempt_delay >= ${minPreemptDelayS}`,
          ),
        ]
        const what = `${c.node} ${i.name} (${routerKey(i)})`
        if (i.nopreempt && (i.state ?? 'BACKUP').toUpperCase() !== 'BACKUP')
          findings.push(
            fail(
              `${what}: nopreempt with state ${i.state ?? ''}: keepalived only honours nopreempt on an instance that starts as BACKUP`,
              e,
              c.node,
            ),
          )
        else if (i.nopreempt) findings.push(pass(`${what}: nopreempt, starts as BACKUP`, e, c.node))
        else if ((i.preemptDelayS ?? 0) >= (minPreemptDelayS as number))
          findings.push(pass(`${what}: preempts after ${i.preemptDelayS} s`, e, c.node))
        else
          findings.push(
            fail(
              `${what}: preempts ${i.preemptDelayS ? `after only ${i.preemptDelayS} s` : 'at once (no nopreempt, no preempt_delay)'}: a recovered LB takes the VIP back immediately`,
              e,
              c.node,
            ),
          )
      }
    return findings
  },
  remediation: remediation(
    'An LB takes the VIP back as soon as it recovers.',
    'On every LB of the router set `state BACKUP` and `nopreempt` in the `vrrp_instance` (the VIP then stays where it is until that LB fails), or keep preemption with `preempt_delay {{minPreemptDelayS}}` or more; reload keepalived on each LB.',
    ['keepalived.conf(5): nopreempt, preempt_delay'],
  ),
})
