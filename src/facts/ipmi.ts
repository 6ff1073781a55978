/**
 * Controller-side IPMI probes (ipmitool over lanplus against the node's BMC,
 * from the inventory). Non-disruptive: `chassis power status` and `sdr type
 * "Power Supply"` only read. The password goes in IPMI_PASSWORD (ipmitool -E),
 * never on argv.
 */
import type {Inventory, NodeSpec} from '../core/types.js'
import {defineGatherer, ParseError} from './gatherer.js'
import {lines} from './util.js'

/** ipmitool argv for a node's BMC, or why it cannot be built. */
export function ipmitoolCommand(
  node: NodeSpec,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): {argv: string[]; env: Record<string, string>} | {notApplicable: string} {
  const bmc = node.bmc
  if (!bmc) return {notApplicable: `no BMC declared for ${node.name} in the inventory`}
  if (!bmc.passwordEnv) return {notApplicable: `no bmc.passwordEnv declared for ${node.name}`}
  const password = env[bmc.passwordEnv]
  if (password === undefined)
    return {
      notApplicable: `${bmc.passwordEnv} is not set: export it to let hacheck talk to ${node.name}'s BMC`,
    }
  const iface = bmc.interface ?? 'lanplus'
  const argv = ['ipmitool', '-I', iface, '-H', bmc.host, '-U', bmc.user, '-E', '-N', '2', '-R', '2']
  if (bmc.port) argv.push('-p', String(bmc.port))
  if (iface === 'lanplus') argv.push('-C', String(bmc.cipher ?? 3))
  return {argv: [...argv, ...args], env: {IPMI_PASSWORD: password}}
}

export interface PowerStatus {
  on: boolean
}

export function parsePowerStatus(text: string): PowerStatus {
  const m = /Chassis Power is (on|off)/i.exec(text)
  if (!m)
    throw new ParseError(
      `expected "Chassis Power is on|off", found ${JSON.stringify(text.trim().slice(0, 80))}`,
    )
  return {on: (m[1] ?? '').toLowerCase() === 'on'}
}

export const ipmiPowerStatus = defineGatherer<PowerStatus>({
  id: 'ipmi-power-status',
  description: "Power state read from the node's BMC (ipmitool chassis power status), from the controller",
  script: 'ipmitool -I lanplus -C 3 -H <bmc> -U <user> -E chassis power status',
  requires: ['ipmitool'],
  controller: (node: NodeSpec, _inv: Inventory) => ipmitoolCommand(node, ['chassis', 'power', 'status']),
  parse: (out) => parsePowerStatus(out.stdout),
})

export interface PowerSupplySensor {
  name: string
  status: string
  reading: string
}

/** `ipmitool sdr type "Power Supply"`: `PS1 Status | 71h | ok | 10.1 | Presence detected`. */
export function parsePowerSupplies(text: string): PowerSupplySensor[] {
  const out: PowerSupplySensor[] = []
  for (const l of lines(text)) {
    const cols = l.split('|').map((c) => c.trim())
    if (cols.length < 5) continue
    out.push({name: cols[0] ?? '', status: cols[2] ?? '', reading: cols[4] ?? ''})
  }
  return out
}

export const ipmiPowerSupplies = defineGatherer<PowerSupplySensor[]>({
  id: 'ipmi-power-supplies',
  description:
    'Power-supply sensors read from the node\'s BMC (ipmitool sdr type "Power Supply"), from the controller',
  script: 'ipmitool -I lanplus -C 3 -H <bmc> -U <user> -E sdr type "Power Supply"',
  requires: ['ipmitool'],
  controller: (node: NodeSpec) => ipmitoolCommand(node, ['sdr', 'type', 'Power Supply']),
  parse: (out) => parsePowerSupplies(out.stdout),
})
