import {crmMon} from '../../facts/crm-mon.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/** Also expected (leftovers): the cluster is not left in maintenance mode, no resource left unmanaged. */
export default defineClusterCheck({
  id: 'pacemaker.maintenance-mode',
  title: 'No maintenance mode or unmanaged resources left over',
  area: 'pacemaker',
  severity: 'critical',
  rationale:
    'In maintenance mode (or with unmanaged resources) Pacemaker watches but does not act: a failure is not recovered. It is easy to forget after a change window.',
  params: {},
  claim: 'cluster-state',
  facts: {mon: crmMon},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no crm_mon output')
    const mon = first.facts.mon
    const unmanaged = mon.resources.filter((r) => r.managed === false || r.maintenance).map((r) => r.id)
    const e = [
      ev(
        first.node.name,
        crmMon,
        {
          maintenanceMode: mon.summary.options.maintenanceMode ?? false,
          stopAllResources: mon.summary.options.stopAllResources ?? false,
          unmanaged,
        },
        'no maintenance mode, every resource managed',
      ),
    ]
    if (mon.summary.options.maintenanceMode)
      return fail('the cluster is in maintenance mode: nothing will be recovered', e)
    if (mon.summary.options.stopAllResources)
      return fail('stop-all-resources is set: every resource is stopped', e)
    if (unmanaged.length) return fail(`unmanaged resource(s): ${unmanaged.join(', ')}`, e)
    return pass('not in maintenance mode, every resource managed', e)
  },
  remediation: remediation(
    'Pacemaker is told not to manage some or all resources.',
    'When the change window is over: `pcs property set maintenance-mode=false` (crmsh: `crm configure property maintenance-mode=false`), and `pcs resource manage <id>` for unmanaged resources.',
    ['https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/options.html'],
  ),
})
