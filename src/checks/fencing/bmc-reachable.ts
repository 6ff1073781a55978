import {ipmiPowerStatus} from '../../facts/ipmi.js'
import {defineNodeCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 2: the node's BMC answers with the inventory's credentials (non-disruptive power status). */
export default defineNodeCheck({
  id: 'fencing.bmc-reachable',
  title: "The node's BMC answers with valid credentials",
  area: 'fencing',
  severity: 'critical',
  rationale:
    'Fencing through IPMI only works if the BMC is reachable and the credentials are right on the day it is needed. A power-status query proves both without touching the node.',
  params: {},
  facts: {},
  optionalFacts: {power: ipmiPowerStatus},
  evaluate(_f, _p, node, _ctx, {power}) {
    if (!node.bmc) return skip('no BMC declared for this node in the inventory')
    if (!power.ok) {
      if (power.error.code === 'not-applicable')
        return unknown(power.error.message, [ev(node.name, ipmiPowerStatus, power.error)])
      if (power.error.code === 'not-installed')
        return unknown('ipmitool is not installed on the controller', [
          ev(node.name, ipmiPowerStatus, power.error),
        ])
      return fail(`BMC ${node.bmc.host} did not answer a power-status query: ${power.error.message}`, [
        ev(node.name, ipmiPowerStatus, power.error, 'Chassis Power is on'),
      ])
    }
    const e = [
      ev(
        node.name,
        ipmiPowerStatus,
        power.value.on ? 'Chassis Power is on' : 'Chassis Power is off',
        'Chassis Power is on',
      ),
    ]
    return pass(`BMC ${node.bmc.host} answers, power ${power.value.on ? 'on' : 'off'}`, e)
  },
  remediation: remediation(
    "hacheck could not query the node's BMC with the inventory's address and credentials.",
    "From a cluster node, try the fence agent non-disruptively: `fence_ipmilan -a <bmc> -l <user> -p <pw> -P -o status` (add `-C 3` style cipher options if your BMC needs them). Check the BMC network (management VLAN, firewall on UDP 623) and the account. Keep the inventory's bmc.host/user/passwordEnv in step with the fence device.",
    ['fence_ipmilan(8)', 'ipmitool(1)'],
  ),
})
