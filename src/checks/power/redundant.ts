import {ipmiPowerSupplies} from '../../facts/ipmi.js'
import {defineNodeCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Also expected: redundant power supplies, read from the BMC's sensors where a BMC is reachable. */
export default defineNodeCheck({
  id: 'power.redundant',
  title: 'The node has redundant, healthy power supplies',
  area: 'power',
  severity: 'warning',
  rationale:
    'A single power supply (or one of two already failed) makes a PSU or PDU failure a node failure; the cluster survives it, but with no margin left.',
  params: {minSupplies: 2},
  facts: {},
  optionalFacts: {psu: ipmiPowerSupplies},
  evaluate(_f, {minSupplies}, node, _ctx, {psu}) {
    if (!node.bmc) return skip('no BMC declared for this node in the inventory')
    if (!psu.ok) {
      if (psu.error.code === 'not-applicable')
        return unknown(psu.error.message, [ev(node.name, ipmiPowerSupplies, psu.error)])
      return unknown(`the BMC did not return its sensors: ${psu.error.message}`, [
        ev(node.name, ipmiPowerSupplies, psu.error),
      ])
    }
    const sensors = psu.value
    const e = [ev(node.name, ipmiPowerSupplies, sensors, `>= ${minSupplies} power supplies, all ok`)]
    if (sensors.length === 0)
      return skip('the BMC reports no power-supply sensors (virtual or simulated BMC)', e)
    const bad = sensors.filter((s) => s.status !== 'ok' && s.status !== 'ns')
    if (bad.length)
      return fail(
        `power supply problem: ${bad.map((s) => `${s.name} ${s.status} ${s.reading}`).join(', ')}`,
        e,
      )
    if (sensors.length < (minSupplies as number))
      return fail(`${sensors.length} power supply sensor(s), ${minSupplies} expected`, e)
    return pass(`${sensors.length} power supplies, all ok`, e)
  },
  remediation: remediation(
    'The node depends on a single working power supply.',
    'Fit a second PSU and connect each to a different PDU/feed; replace a failed PSU. `ipmitool sdr type "Power Supply"` shows the state.',
    ['ipmitool(1) sdr'],
  ),
})
