/**
 * evacuate: a planned failover, as in rolling maintenance. The node is put in
 * standby, every resource moves off it, it stays empty for the hold, then it
 * is taken out of standby again. Clients should see no failed request.
 *
 * Phases:
 * - inject (on a peer node): `crm_attribute --node N --name standby --update on`.
 * - verify: crm_mon (read by src/facts/crm-mon.ts on the controller) shows N
 *   in standby with no resource running on it (this is the "wait until
 *   resources moved" step; up to 2 minutes).
 * - revert: restore the previous value of the attribute (delete it when it
 *   was not set, which is the usual case; the preflight refuses a node that
 *   is already in standby).
 * - verify removed: crm_mon shows N online and not in standby.
 * - dead-man: on the peer, restores the attribute if hacheck dies.
 */
import {shellJoin} from '../../core/shell.js'
import {clusterNodes} from '../observe/cluster.js'
import type {Options} from '../plan/options.js'
import {CRM_MON_XML} from '../plan/holds.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'
import {defineFault, targetOf, type FaultContext} from './parts/define.js'

interface EvacuateOptions {
  node: string
  /** The node the crm_attribute commands run on (a peer). */
  via: string
  /** The node's standby attribute before the fault (undefined: not set). */
  priorStandby?: string
}

/** An ordinary client's patience: longer than the fourth SYN retransmit (at 15 s). */
const EVACUATE_PROBE_TIMEOUT_S = 20

/** The peer the crm_attribute commands run on: the node crm_mon answered on, else another cluster node. */
function viaOf(ctx: FaultContext<Options, unknown>): string {
  const node = targetOf(ctx)
  const snap = ctx.snapshot
  return (
    (snap.via && snap.via !== node ? snap.via : undefined) ??
    clusterNodes(ctx.inventory).find((n) => n.name !== node)?.name ??
    node
  )
}

const standbyAttr = (node: string): string[] => ['crm_attribute', '--node', node, '--name', 'standby']

export default defineFault({
  id: 'evacuate',
  summary: 'Planned failover: put a node in standby, wait until its resources moved, then bring it back.',
  description: `crm_attribute --node NODE --name standby --update on (run on a peer), then hacheck waits until crm_mon shows no resource on NODE, holds for --duration, and restores the attribute. A planned failover must be invisible to clients: the default expectation is "failed-probes == 0".

The probes here wait up to 20 s (--probe-timeout), like an ordinary client: moving a VIP leaves the address nowhere for a moment (the resource agents' stop + start, 2-8 s on a loaded machine), which TCP rides out by retransmitting the SYN (after 1 s, 3 s, 7 s, 15 s). A client with a normal timeout sees a slower request, not an error, and that stall is reported as latency (p95/p99/max). Pass --probe-timeout 800ms to count any stall over 800 ms as a failure.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --duration 20s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --duration 30s --load http://198.18.2.100/ --rate 50 --probe-timeout 800ms --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --duration 20s --workload pg-write --expect "lost-writes == 0" --yes',
  ],
  target: {required: true, description: 'Node to empty: a name, or @service, @dc, @replica.'},
  options: {},
  commonDefaults: {probeTimeout: `${EVACUATE_PROBE_TIMEOUT_S}s`},
  phases: {
    inject: 'on a peer: crm_attribute --node N --name standby --update on',
    verify: 'crm_mon shows N in standby with no resource running on it (up to 2 minutes: the resources move)',
    revert: "restore the node's previous standby attribute (delete it when it was not set)",
    deadman: 'on the peer: the same restore, run when the lease is not renewed',
  },
  touches: (ctx) => [targetOf(ctx), viaOf(ctx)],
  async look(ctx, runner): Promise<{priorStandby?: string}> {
    const via = ctx.inventory.nodes.find((n) => n.name === viaOf(ctx))
    if (!via) return {}
    const q = await runner.run(via, {
      script: `${shellJoin([...standbyAttr(targetOf(ctx)), '--query', '--quiet'])} 2>/dev/null || true`,
      sudo: true,
      timeoutMs: 15_000,
    })
    const v = q.stdout.trim()
    return v === '' || /\(null\)/.test(v) ? {} : {priorStandby: v}
  },
  plan: (input, ctx) =>
    planEvacuate(input, {node: targetOf(ctx), via: viaOf(ctx), priorStandby: ctx.looked.priorStandby}),
})

function planEvacuate(input: PlanInput, o: EvacuateOptions): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (!nodeSpec(input.inventory, o.via)) return refuse(`unknown node ${o.via}`)
  if (o.via === o.node) return refuse('evacuate runs its commands on a peer, not on the node it empties')
  if (o.priorStandby !== undefined && /^(on|true|yes|1)$/i.test(o.priorStandby)) {
    return refuse(`node ${o.node} is already in standby`)
  }
  const attr = standbyAttr(o.node)
  const undo =
    o.priorStandby === undefined
      ? `${shellJoin([...attr, '--delete'])} 2>/dev/null || ${shellJoin([...attr, '--update', 'off'])}`
      : shellJoin([...attr, '--update', o.priorStandby])
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
        script: CRM_MON_XML,
        holds: {fact: 'crm-mon', node: o.node, standby: true, resourcesRunning: 0},
      },
    ],
    verifyTimeoutMs: 120_000,
    revert: [{kind: 'node', node: o.via, what: `take ${o.node} out of standby`, script: undo}],
    verifyReverted: [
      {
        kind: 'node',
        node: o.via,
        what: `${o.node} is online and not in standby`,
        script: CRM_MON_XML,
        holds: {fact: 'crm-mon', node: o.node, online: true, standby: false},
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
