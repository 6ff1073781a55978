/**
 * The planner behind power-off, power-cycle and reset (faults/<id>.ts): through
 * the node's BMC with ipmitool, run on the controller.
 *
 * `ipmitool -I lanplus -C <cipher, default 3> -H host [-p port] -U user -E …`:
 * -E makes ipmitool read the password from IPMI_PASSWORD, which hacheck fills
 * from the variable the inventory names in bmc.passwordEnv. The password is
 * never in argv (visible to every local user), a plan, the ledger, a log or a
 * report. Cipher 3 by default: ipmitool's own default (17) is not supported
 * by every BMC and stalls on some (ipmi_sim).
 *
 * Phases:
 * - power-off: inject `chassis power off`; verify `chassis power status` says
 *   off; hold; revert `chassis power on` (skipped with --leave-off); verify on.
 * - power-cycle / reset: inject `chassis power cycle|reset`; verify the BMC
 *   accepted it; revert = `chassis power on` (idempotent: makes sure it is on).
 * - dead-man: a detached loop on the controller powers the node on if hacheck
 *   dies (the node cannot heal itself while it is off).
 * The cluster is expected to fence the node (fencing may power it on again
 * during the hold: that is the cluster doing its job).
 */
import type {BmcRef} from '../../../core/types.js'
import type {FaultPlan, LocalStep, PlanResult} from '../../plan/types.js'
import {nodeSpec, refuse, seconds, ttlS, type PlanInput} from './common.js'
import {defineFault, type FaultDeclaration, targetOf} from './define.js'

export type PowerAction = 'off' | 'cycle' | 'reset'

export interface PowerOptions {
  node: string
  action: PowerAction
  leaveOff?: boolean
}

export function ipmiBase(bmc: BmcRef): string[] {
  const iface = bmc.interface ?? 'lanplus'
  return [
    'ipmitool',
    '-I',
    iface,
    ...(iface === 'lanplus' ? ['-C', String(bmc.cipher ?? 3)] : []),
    '-H',
    bmc.host,
    ...(bmc.port && bmc.port !== 623 ? ['-p', String(bmc.port)] : []),
    '-U',
    bmc.user,
    '-E',
  ]
}

export function ipmiStep(bmc: BmcRef, what: string, args: string[], expectStdout?: string): LocalStep {
  const step: LocalStep = {
    kind: 'local',
    what,
    argv: [...ipmiBase(bmc), ...args],
    secretEnv: {IPMI_PASSWORD: bmc.passwordEnv ?? 'IPMI_PASSWORD'},
    timeoutMs: 20_000,
  }
  if (expectStdout) step.expectStdout = expectStdout
  return step
}

export function faultIdOf(action: PowerAction): 'power-off' | 'power-cycle' | 'reset' {
  return action === 'off' ? 'power-off' : action === 'cycle' ? 'power-cycle' : 'reset'
}

/** What the power commands' help says about ipmitool and the password. */
export const IPMI_HELP = `Runs ipmitool on this machine against the node's BMC from the inventory: -I lanplus -C <cipher, default 3> -H <bmc.host> -U <bmc.user> -E. The password is read from the environment variable named by bmc.passwordEnv and handed to ipmitool only as IPMI_PASSWORD; it is never on a command line, in a log or in a report.`

export const POWER_TARGET = {required: true, description: 'Target node: a name, or @service, @dc, @replica.'}

export const POWER_DEADMAN =
  'on the controller: a detached loop that runs `ipmitool … chassis power on` (the node cannot heal itself while it is off)'

export function planPower(input: PlanInput, o: PowerOptions): PlanResult {
  const n = nodeSpec(input.inventory, o.node)
  if (!n) return refuse(`unknown node ${o.node}`)
  const bmc = n.bmc
  if (!bmc) return refuse(`node ${o.node} has no bmc: in the inventory; power faults need one`)
  if (!bmc.passwordEnv) return refuse(`node ${o.node}'s bmc has no passwordEnv`)
  const on = ipmiStep(bmc, `power ${o.node} on`, ['chassis', 'power', 'on'])
  const isOn = ipmiStep(bmc, `${o.node} is powered on`, ['chassis', 'power', 'status'], 'Chassis Power is on')
  const isOff = ipmiStep(
    bmc,
    `${o.node} is powered off`,
    ['chassis', 'power', 'status'],
    'Chassis Power is off',
  )
  const leaveOff = o.action === 'off' && o.leaveOff === true
  const fault = faultIdOf(o.action)
  const inject =
    o.action === 'off'
      ? ipmiStep(bmc, `power ${o.node} off`, ['chassis', 'power', 'off'])
      : ipmiStep(bmc, `${o.action} ${o.node}`, ['chassis', 'power', o.action])
  const verify =
    o.action === 'off'
      ? isOff
      : ipmiStep(
          bmc,
          `the BMC of ${o.node} answers`,
          ['chassis', 'power', 'status'],
          'Chassis Power is (on|off)',
        )
  const plan: FaultPlan = {
    fault,
    targets: [o.node],
    summary:
      o.action === 'off'
        ? `power ${o.node} off through its BMC (${bmc.host}) for ${seconds(input.holdMs)}${leaveOff ? ', and leave it off' : ', then on again'}`
        : `${o.action} ${o.node} through its BMC (${bmc.host}), then observe for ${seconds(input.holdMs)}`,
    notes: [
      `ipmitool reads the BMC password from IPMI_PASSWORD, set from $${bmc.passwordEnv}; it is never on the command line`,
      ...(leaveOff
        ? [
            `--leave-off: ${o.node} stays off after the run; power it on with: hacheck chaos power-cycle or ipmitool … chassis power on`,
          ]
        : []),
    ],
    inject: [inject],
    verify: [verify],
    verifyTimeoutMs: 15_000,
    revert: leaveOff ? [] : [on],
    verifyReverted: leaveOff ? [] : [isOn],
    revertTimeoutMs: 60_000,
    deadmen: leaveOff
      ? []
      : [
          {
            kind: 'local',
            what: `power ${o.node} back on`,
            undo: on,
            leaseTimeoutS: input.lease.timeoutS,
            ttlS: ttlS(input),
          },
        ],
    holdMs: input.holdMs,
    leavesMembership: [o.node],
    expectFenced: [o.node],
    defaultExpectations: [`fenced: ${o.node}`, 'no-split-brain', 'recovered'],
    reverts: !leaveOff,
  }
  return {ok: true, plan}
}

/**
 * power-cycle and reset, which differ only in the chassis command: sent once,
 * the cluster observed for --duration, the revert makes sure the node is on.
 */
export function oneShotPowerFault(o: {
  action: 'cycle' | 'reset'
  summary: string
  examples: string[]
}): FaultDeclaration<Record<string, never>, undefined> {
  return defineFault({
    id: faultIdOf(o.action),
    summary: o.summary,
    description: `${IPMI_HELP}

chassis power ${o.action} is sent once; --duration is how long the cluster is observed afterwards. The revert makes sure the node is powered on.
A detached dead-man on this machine powers the node back on if hacheck dies. The cluster is expected to fence the node and recover its resources elsewhere.`,
    examples: o.examples,
    target: POWER_TARGET,
    options: {},
    phases: {
      inject: `ipmitool … chassis power ${o.action}`,
      verify: 'the BMC answers chassis power status',
      revert: 'ipmitool … chassis power on (idempotent: makes sure it is on), then status says on',
      deadman: POWER_DEADMAN,
    },
    plan: (input, ctx) => planPower(input, {node: targetOf(ctx), action: o.action}),
  })
}
