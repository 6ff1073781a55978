/**
 * evacuate: a planned failover, as in rolling maintenance. The node is put in
 * standby, every resource moves off it, it stays empty for the hold, then it
 * is taken out of standby again. Clients should see no failed request.
 *
 * Phases:
 * - inject (on a peer node): `crm_attribute --node N --name standby --update on`.
 * - verify: crm_mon shows N in standby with no resource running on it (this
 *   is the "wait until resources moved" step; up to 2 minutes).
 * - revert: restore the previous value of the attribute (delete it when it
 *   was not set, which is the usual case; the preflight refuses a node that
 *   is already in standby).
 * - verify removed: crm_mon shows N online and not in standby.
 * - dead-man: on the peer, restores the attribute if hacheck dies.
 */
import {shellJoin} from '../../core/shell.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'

export interface EvacuateOptions {
  node: string
  /** The node the crm_attribute commands run on (a peer). */
  via: string
  /** The node's standby attribute before the fault (undefined: not set). */
  priorStandby?: string
}

export function planEvacuate(input: PlanInput, o: EvacuateOptions): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (!nodeSpec(input.inventory, o.via)) return refuse(`unknown node ${o.via}`)
  if (o.via === o.node) return refuse('evacuate runs its commands on a peer, not on the node it empties')
  if (o.priorStandby !== undefined && /^(on|true|yes|1)$/i.test(o.priorStandby)) {
    return refuse(`node ${o.node} is already in standby`)
  }
  const attr = ['crm_attribute', '--node', o.node, '--name', 'standby']
  const undo =
    o.priorStandby === undefined
      ? `${shellJoin([...attr, '--delete'])} 2>/dev/null || ${shellJoin([...attr, '--update', 'off'])}`
      : shellJoin([...attr, '--update', o.priorStandby])
  const node = o.node.replace(/[^A-Za-z0-9_.-]/g, '.')
  const plan: FaultPlan = {
    fault: 'evacuate',
    targets: [o.node],
    summary: `evacuate ${o.node}: standby, wait until its resources moved, hold ${seconds(input.holdMs)}, then back online`,
    notes: ['a planned failover must be invisible to clients: the default expectation is failed-probes == 0'],
    inject: [
      {
        kind: 'node',
        node: o.via,
        what: `put ${o.node} in standby`,
        script: shellJoin([...attr, '--update', 'on']),
      },
    ],
    verify: [
      {
        kind: 'node',
        node: o.via,
        what: `${o.node} is in standby and runs no resource`,
        script: `crm_mon -1 --output-as=xml | grep -q '<node name="${node}" [^>]*standby="true"[^>]*resources_running="0"'`,
      },
    ],
    verifyTimeoutMs: 120_000,
    revert: [{kind: 'node', node: o.via, what: `take ${o.node} out of standby`, script: undo}],
    verifyReverted: [
      {
        kind: 'node',
        node: o.via,
        what: `${o.node} is online and not in standby`,
        script: `crm_mon -1 --output-as=xml | grep -q '<node name="${node}" [^>]*online="true"[^>]*standby="false"'`,
      },
    ],
    revertTimeoutMs: 120_000,
    deadmen: [nodeDeadman(input, o.via, undo)],
    holdMs: input.holdMs,
    leavesMembership: [],
    expectFenced: [],
    defaultExpectations: ['failed-probes == 0', 'not-fenced', 'no-split-brain'],
    reverts: true,
  }
  return {ok: true, plan}
}
