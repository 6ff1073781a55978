/**
 * stop-service: stop a service on one node with its init system (`systemctl stop UNIT`) for the hold, then
 * start it again. The data tier's "stop an etcd member" (a clean stop: the member leaves, the others elect
 * a leader if it led), usable for any unit (patroni, mariadb).
 *
 * Unlike kill-process it has a revert (`systemctl start`), verified with `systemctl is-active`, and a
 * dead-man that starts the unit again if hacheck dies during the hold. Nothing leaves a Corosync
 * membership: the system whose member stops judges its own quorum.
 */
import {shellQuote} from '../../core/shell.js'
import type {DataFaultPlan, DataPlanResult} from '../types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './common.js'

export interface StopServiceOptions {
  node: string
  /** systemd unit name (etcd, patroni, mariadb, …). */
  unit: string
}

const UNIT = /^[A-Za-z0-9_.:@-]{1,64}$/

export function planStopService(input: PlanInput, o: StopServiceOptions): DataPlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (!UNIT.test(o.unit))
    return refuse(
      `the unit must be a systemd unit name (letters, digits, . _ - : @), found ${JSON.stringify(o.unit)}`,
    )
  const u = shellQuote(o.unit)
  const start = `systemctl start ${u}`
  const plan: DataFaultPlan = {
    fault: 'stop-service',
    targets: [o.node],
    summary: `stop ${o.unit} on ${o.node} for ${seconds(input.holdMs)}, then start it again`,
    notes: [`${o.unit} is stopped cleanly (systemctl stop); the revert and the dead-man start it again`],
    inject: [
      {
        kind: 'node',
        node: o.node,
        what: `stop ${o.unit}`,
        script: `systemctl is-active --quiet ${u} || { echo "${o.unit} is not running on this node" >&2; exit 3; }\nsystemctl stop ${u}`,
      },
    ],
    verify: [
      {
        kind: 'node',
        node: o.node,
        what: `${o.unit} is stopped`,
        script: `! systemctl is-active --quiet ${u}`,
      },
    ],
    verifyTimeoutMs: 30_000,
    revert: [{kind: 'node', node: o.node, what: `start ${o.unit}`, script: start}],
    verifyReverted: [
      {kind: 'node', node: o.node, what: `${o.unit} is active`, script: `systemctl is-active --quiet ${u}`},
    ],
    revertTimeoutMs: 60_000,
    deadmen: [nodeDeadman(input, o.node, start)],
    holdMs: input.holdMs,
    leavesMembership: [],
    expectFenced: [],
    defaultExpectations: ['recovered'],
    reverts: true,
  }
  return {ok: true, plan}
}
