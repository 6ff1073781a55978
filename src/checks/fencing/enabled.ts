import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/** Item 2: stonith-enabled (fencing-enabled on Pacemaker 3) is true. */
export default defineClusterCheck({
  id: 'fencing.enabled',
  title: 'STONITH (fencing) is enabled',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'Without fencing, a node that stops answering may still be writing to shared data or holding the VIP; the cluster can only guess, and a wrong guess is a split brain. Pacemaker refuses to recover resources of a lost node only when fencing is on.',
  params: {},
  claim: 'cluster-state',
  facts: {mon: crmMon},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no crm_mon output')
    const opts = first.facts.mon.summary.options
    const e = [
      ev(
        first.node.name,
        crmMon,
        {'stonith-enabled': opts.stonithEnabled ?? opts.raw['stonith-enabled'] ?? null},
        true,
      ),
    ]
    if (opts.stonithEnabled === undefined) return unknown('crm_mon did not report stonith-enabled', e)
    return opts.stonithEnabled
      ? pass('stonith-enabled is true', e)
      : fail('stonith-enabled is false: a lost node is never fenced', e)
  },
  remediation: remediation(
    'Fencing is disabled, so the cluster cannot safely recover from a node that stops answering.',
    'Configure a fence device for every node (e.g. `pcs stonith create fence-n1 fence_ipmilan ip=<bmc> username=<user> password=<pw> lanplus=1 pcmk_host_list=n1`), test it (`stonith_admin --reboot n1` in a maintenance window), then `pcs property set stonith-enabled=true` (crmsh: `crm configure property stonith-enabled=true`).',
    ['https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/fencing.html'],
  ),
})
