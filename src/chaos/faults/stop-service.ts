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
import {opt} from '../plan/options.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'
import {defineFault, targetOf} from './parts/define.js'

export interface StopServiceOptions {
  node: string
  /** systemd unit name (etcd, patroni, mariadb, …). */
  unit: string
}

const UNIT_PATTERN = '^[A-Za-z0-9_.:@-]{1,64}$'

/** Also used directly by the data-tier experiments (test/integration/data/patroni.test.ts). */
export function planStopService(input: PlanInput, o: StopServiceOptions): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (!new RegExp(UNIT_PATTERN).test(o.unit))
    return refuse(
      `the unit must be a systemd unit name (letters, digits, . _ - : @), found ${JSON.stringify(o.unit)}`,
    )
  const u = shellQuote(o.unit)
  const start = `systemctl start ${u}`
  const plan: FaultPlan = {
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

export default defineFault({
  id: 'stop-service',
  summary: 'Stop a systemd unit on a node (systemctl stop) for the duration, then start it again.',
  description: `The unit (etcd, patroni, mariadb, pacemaker, …) is stopped cleanly with systemctl stop and started again with systemctl start after --duration (or by the node-side dead-man if hacheck dies); the revert is verified with systemctl is-active. A clean stop is the "planned maintenance" failure: the member leaves, and its peers elect a new leader if it led.

Nothing leaves a Corosync membership: the system whose member stops judges its own quorum.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node p2 --unit etcd --duration 20s --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --unit pacemaker --duration 30s --dry-run',
  ],
  target: {required: true, description: 'Node whose unit is stopped: a name, or @service, @dc, @replica.'},
  options: {
    unit: opt.string({
      description: 'systemd unit name, e.g. etcd.',
      pattern: UNIT_PATTERN,
      expected: 'a systemd unit name such as etcd',
      required: true,
      helpValue: 'UNIT',
    }),
  },
  phases: {
    inject: 'systemctl is-active UNIT (refused when it is not running), then systemctl stop UNIT',
    verify: 'systemctl is-active UNIT says it is not active',
    revert: 'systemctl start UNIT; verify systemctl is-active UNIT',
    deadman: 'on the node: systemctl start UNIT when the lease is not renewed',
  },
  plan: (input, ctx) => planStopService(input, {node: targetOf(ctx), ...ctx.options}),
})
