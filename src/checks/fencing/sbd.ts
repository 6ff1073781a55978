import {sbdConfig} from '../../facts/sbd-config.js'
import {sbdDump} from '../../facts/sbd-dump.js'
import {defineNodeCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 2 (SBD): a watchdog is configured and msgwait >= 2 x watchdog timeout on every device. */
export default defineNodeCheck({
  id: 'fencing.sbd',
  title: 'SBD has a watchdog and msgwait >= 2 x watchdog',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'SBD fencing assumes the victim reads its poison pill and its watchdog resets it within msgwait. With no watchdog, or msgwait shorter than twice the watchdog timeout, the cluster may assume death before it happened.',
  params: {factor: 2},
  facts: {},
  optionalFacts: {conf: sbdConfig, dump: sbdDump},
  evaluate(_f, {factor}, node, _ctx, {conf, dump}) {
    if (!conf.ok) {
      if (conf.error.code === 'not-applicable') return skip('SBD is not configured on this node')
      return unknown(conf.error.message, [ev(node.name, sbdConfig, conf.error)])
    }
    const c = conf.value
    const e = [
      ev(node.name, sbdConfig, {
        devices: c.devices,
        watchdogDev: c.watchdogDev,
        watchdogTimeout: c.watchdogTimeout,
      }),
    ]
    if (!c.watchdogDev || c.watchdogDev === 'none')
      return fail('SBD is configured without a watchdog device', e)
    if (c.devices.length === 0) return pass(`diskless SBD with watchdog ${c.watchdogDev}`, e)
    if (!dump.ok)
      return unknown(`SBD devices configured but their headers could not be read: ${dump.error.message}`, [
        ...e,
        ev(node.name, sbdDump, dump.error),
      ])
    const bad: string[] = []
    for (const d of dump.value.devices) {
      const t = d.header?.timeouts
      if (!t?.watchdog || !t.msgwait)
        bad.push(`${d.device}: header unreadable${d.error ? ` (${d.error})` : ''}`)
      else if (t.msgwait < (factor as number) * t.watchdog)
        bad.push(`${d.device}: msgwait ${t.msgwait}s < ${factor} x watchdog ${t.watchdog}s`)
    }
    e.push(
      ev(
        node.name,
        sbdDump,
        dump.value.devices.map((d) => ({device: d.device, timeouts: d.header?.timeouts})),
        `msgwait >= ${factor} x watchdog`,
      ),
    )
    if (bad.length) return fail(bad.join('; '), e)
    return pass(
      `${dump.value.devices.length} SBD device(s) with watchdog ${c.watchdogDev}; msgwait >= ${factor} x watchdog`,
      e,
    )
  },
  remediation: remediation(
    'SBD timing or watchdog configuration cannot guarantee that a fenced node is dead when the cluster thinks it is.',
    'Configure a hardware watchdog (SBD_WATCHDOG_DEV) and re-create the SBD header with coherent timeouts, e.g. `sbd -d <dev> -1 15 -4 30 create` (watchdog 15 s, msgwait 30 s) during a maintenance window; then set stonith-timeout accordingly.',
    ['sbd(8)'],
  ),
})
