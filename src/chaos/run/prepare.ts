/**
 * Everything before a fault, read-only: the cluster right now → the target and
 * node options resolved (@service, @dc, @replica) → the nodes it touches
 * checked against the controller → discovery → the fault's own look-ups → its
 * plan → the preflight verdict. Nothing on any node has changed when this
 * returns (or throws): a dry run stops here.
 */
import {errorMessage, IncompleteError, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory} from '../../core/types.js'
import {corosyncIdentity} from '../../view/identity.js'
import type {ClusterIdentity} from '../../core/results.js'
import type {TotemTimings} from '../../facts/corosync-cmapctl.js'
import {DEFAULT_LEASE, type LeaseSettings, type PlanInput} from '../faults/parts/common.js'
import type {AnyFault, FaultContext} from '../faults/parts/define.js'
import {resolveTarget, snapshotCluster, type ClusterSnapshot} from '../observe/cluster.js'
import {discoverNode, type NodeFacts} from '../observe/discovery.js'
import type {Options, OptionValues} from '../plan/options.js'
import type {FaultPlan} from '../plan/types.js'
import {CONTROLLER_REFUSAL_ACTIONS, controllerRefusals} from '../safety/controller.js'
import {vrrpPair} from '../observe/vrrp.js'
import {preflight, type PreflightResult} from '../safety/preflight.js'

/** A fault as the operator chose it: the declaration, the target as given (a name or @role), option values. */
export interface FaultSelection {
  fault: AnyFault
  target?: string
  options: Readonly<Record<string, unknown>>
}

export interface PrepareOptions {
  inventory: Inventory
  runner: CommandRunner
  runId: string
  holdMs: number
  lease?: LeaseSettings
  allowQuorumLoss: boolean
  note?: (text: string) => void
}

export interface PreparedFault {
  runId: string
  plan: FaultPlan
  snapshot: ClusterSnapshot
  /** undefined when crm_mon answered nowhere (a real run refuses). */
  preflight?: PreflightResult
  facts: ReadonlyMap<string, NodeFacts>
  /** Corosync timings from discovery, for the RTO floor. */
  totem?: TotemTimings
  /** What the cluster says it is (corosync cluster name + node list). */
  identity?: ClusterIdentity
}

/** The fault's context: target and node options resolved against the cluster right now. */
export function faultContext(
  sel: FaultSelection,
  inv: Inventory,
  snap: ClusterSnapshot,
): FaultContext<Options, undefined> {
  const options: Record<string, unknown> = {...sel.options}
  for (const [k, spec] of Object.entries(sel.fault.options))
    if (spec.type === 'node' && typeof options[k] === 'string')
      options[k] = resolveTarget(options[k] as string, inv, snap)
  return {
    inventory: inv,
    ...(sel.target !== undefined ? {target: resolveTarget(sel.target, inv, snap)} : {}),
    options: options as OptionValues<Options>,
    snapshot: snap,
    looked: undefined,
  }
}

async function refuseController(
  inv: Inventory,
  touched: readonly string[],
  facts?: ReadonlyMap<string, NodeFacts>,
): Promise<void> {
  const specs = inv.nodes.filter((n) => touched.includes(n.name))
  const refusals = await controllerRefusals(specs, facts ? {facts} : {})
  if (refusals.length)
    throw new InputError(`refusing: ${refusals.join('; ')}`, {
      code: 'target-is-controller',
      actions: CONTROLLER_REFUSAL_ACTIONS,
    })
}

async function discover(
  runner: CommandRunner,
  inv: Inventory,
  names: readonly string[],
): Promise<Map<string, NodeFacts>> {
  const facts = new Map<string, NodeFacts>()
  await Promise.all(
    inv.nodes
      .filter((n) => names.includes(n.name))
      .map(async (n) => {
        try {
          facts.set(n.name, await discoverNode(runner, n))
        } catch (err) {
          throw new IncompleteError(`cannot look at ${n.name} before the fault: ${errorMessage(err)}`, {
            code: 'discovery-failed',
          })
        }
      }),
  )
  return facts
}

export async function prepareFault(sel: FaultSelection, o: PrepareOptions): Promise<PreparedFault> {
  const inv = o.inventory
  o.note?.('looking at the cluster (crm_mon, quorum, VIP holders)')
  const snapshot = await snapshotCluster(o.runner, inv)
  const ctx = faultContext(sel, inv, snapshot)
  const touched = sel.fault.touches?.(ctx) ?? (ctx.target !== undefined ? [ctx.target] : [])
  // The controller-self guard, first by address, then again with the nodes' own addresses.
  await refuseController(inv, touched)
  const facts = await discover(o.runner, inv, sel.fault.discover?.(ctx) ?? touched)
  await refuseController(inv, touched, facts)
  const looked = await sel.fault.look?.(ctx, o.runner)
  const input: PlanInput = {
    runId: o.runId,
    inventory: inv,
    facts,
    holdMs: o.holdMs,
    lease: o.lease ?? DEFAULT_LEASE,
  }
  const planned = sel.fault.plan(input, {...ctx, looked})
  if (!planned.ok)
    throw new InputError(`refusing: ${planned.reason}`, {code: 'fault-refused', actions: planned.actions})
  const plan = planned.plan
  const pre = snapshot.state
    ? preflight(snapshot.state, snapshot.votes, plan.leavesMembership, {
        allowQuorumLoss: o.allowQuorumLoss,
        ...(snapshot.view ? {view: snapshot.view} : {}),
      })
    : undefined
  const totem = [...facts.values()].map((f) => f.totem).find((t) => t.tokenMs !== undefined)
  // What the cluster says it is: how the audit matches this run to the cluster later (never by name).
  const identity = [...facts.values()]
    .map((f) => (f.cmap ? corosyncIdentity(f.cmap.totem.clusterName, f.cmap.nodelist) : undefined))
    .find((x) => x !== undefined)
  return {
    runId: o.runId,
    plan,
    snapshot,
    facts,
    ...(pre ? {preflight: pre} : {}),
    ...(totem ? {totem} : {}),
    ...(identity ? {identity} : {}),
  }
}

/** The preflight verdict as a refusal (exit 3), unless the cluster may be degraded on purpose. */
export function refuseUnhealthy(p: PreparedFault, inv: Inventory): void {
  const pair = vrrpPair(inv)
  if (pair) {
    // An LB pair with a keepalived VIP: healthy means exactly one LB holds the VIP.
    if (p.snapshot.vipHolders.length !== 1)
      throw new IncompleteError(
        `preflight: the VIP ${inv.cluster.vip ?? ''} is on ${p.snapshot.vipHolders.length ? p.snapshot.vipHolders.join(' and ') : 'no LB'} of ${pair.map((n) => n.name).join(', ')}; refusing to inject a fault into an LB pair that is not healthy`,
        {
          code: 'preflight-failed',
          actions: ['Bring the LB pair back to one VRRP MASTER first (hacheck audit --only x.vrrp).'],
        },
      )
    return
  }
  if (!p.snapshot.state)
    throw new IncompleteError(
      'preflight: crm_mon did not answer on any cluster node; refusing to inject a fault into a cluster hacheck cannot see',
      {code: 'preflight-failed'},
    )
  if (p.preflight && !p.preflight.ok)
    throw new IncompleteError(`preflight refused: ${p.preflight.problems.join('; ')}`, {
      code: 'preflight-failed',
      actions: ['Bring the cluster back to health first (crm_mon -1), or see --allow-quorum-loss.'],
    })
}

/** What the dry run says about the preflight (first lines). */
export function preflightLines(p: PreparedFault, inv: Inventory): string[] {
  const pair = vrrpPair(inv)
  if (pair)
    return [
      p.snapshot.vipHolders.length === 1
        ? `# preflight: ok (the VIP is on ${p.snapshot.vipHolders[0] ?? ''}, VRRP MASTER of ${pair.map((n) => n.name).join(', ')})`
        : `# preflight: a real run would REFUSE: the VIP is on ${p.snapshot.vipHolders.join(' and ') || 'no LB'}`,
    ]
  if (!p.snapshot.state)
    return ['# preflight: crm_mon did not answer on any cluster node: a real run would refuse']
  if (p.preflight && !p.preflight.ok)
    return [`# preflight: a real run would REFUSE: ${p.preflight.problems.join('; ')}`]
  if (p.preflight) return [`# preflight: ok (${p.preflight.quorum.explanation})`]
  return []
}
