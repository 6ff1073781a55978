/**
 * The service behind every `hacheck chaos <fault>` command (and each step of a
 * game day): resolve the target → refuse the controller → preflight from
 * crm_mon → discovery → plan → --dry-run or confirmation → run (with signal
 * handling) → save → render.
 */
import {createInterface} from 'node:readline/promises'

import {errorMessage, IncompleteError, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import {parseQuorumtool} from '../../facts/corosync-quorumtool.js'
import {CRM_MON_WATCH_ARGV, parseCrmMon} from '../../facts/crm-mon.js'
import {buildClusterView} from '../../view/build.js'
import {corosyncIdentity} from '../../view/identity.js'
import {pacemakerStateOf, serviceResourceIds} from '../../view/pacemaker.js'
import {membershipOf} from '../../view/readings.js'
import type {ClusterView, MembershipReading, NodeReadings, PacemakerState} from '../../view/types.js'
import {discoverNode, type NodeFacts} from '../observe/discovery.js'
import {parseExpectation} from '../measure/expectations.js'
import {DEFAULT_LEASE, type LeaseSettings, type PlanInput} from '../faults/parts/common.js'
import {CONTROLLER_REFUSAL_ACTIONS, controllerRefusals} from '../safety/controller.js'
import {saveRun} from '../history.js'
import {manualRevert, type LedgerEntry} from '../safety/ledger.js'
import type {WorkloadSpec} from '../workloads/probes.js'
import {holdsVip} from '../observe/observer.js'
import {describePgWrite, writesTable} from '../workloads/pg-write.js'
import {preflight, type PreflightResult} from '../safety/preflight.js'
import type {RunProgress} from './progress.js'
import type {ChaosResult} from '../measure/result.js'
import {runExperiment, type ExperimentOutcome} from './experiment.js'
import type {LocalRun} from '../safety/steps.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {acquireLease} from '../../lease/file-store.js'
import {leaseTtlMs} from '../../lease/policy.js'

export interface ClusterSnapshot {
  /** Pacemaker as the first cluster node that answered sees it. */
  state?: PacemakerState
  /** That node's corosync membership and votes. */
  votes?: MembershipReading
  /** The node crm_mon answered on. */
  via?: string
  /** Nodes currently holding the VIP. */
  vipHolders: string[]
  /** The reconciled view (every cluster node's membership, the VIP): what preflight refuses to break. */
  view?: ClusterView
}

export function clusterNodes(inv: Inventory): NodeSpec[] {
  return inv.nodes.filter((n) => n.roles.length === 0 || n.roles.includes('cluster'))
}

async function readNode(runner: CommandRunner, n: NodeSpec, vip: string | undefined): Promise<NodeReadings> {
  const r: NodeReadings = {reach: {ok: true}}
  try {
    const q = await runner.run(n, {argv: ['corosync-quorumtool', '-s'], sudo: true, timeoutMs: 10_000})
    try {
      r.membership = {ok: true, value: membershipOf(parseQuorumtool(q.stdout))}
    } catch (err) {
      r.membership = {
        ok: false,
        error: `corosync-quorumtool -s: ${errorMessage(err)} ${q.stderr.trim()}`.trim(),
      }
    }
    if (vip) {
      const a = await runner.run(n, {argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 10_000})
      r.addresses = {ok: true, value: a.exitCode === 0 && holdsVip(a.stdout, vip) ? [vip] : []}
    }
  } catch (err) {
    return {reach: {ok: false, reason: 'unreachable', message: errorMessage(err)}}
  }
  return r
}

/**
 * The cluster before a fault: every cluster node's membership and VIP (in parallel), crm_mon from the first
 * that answers (preferred nodes first), reconciled into a view.
 */
export async function snapshotCluster(
  runner: CommandRunner,
  inv: Inventory,
  prefer: readonly string[] = [],
): Promise<ClusterSnapshot> {
  const nodes = clusterNodes(inv)
  const order = [
    ...nodes.filter((n) => prefer.includes(n.name)),
    ...nodes.filter((n) => !prefer.includes(n.name)),
  ]
  const vip = inv.cluster.vip
  const readings: Record<string, NodeReadings> = Object.fromEntries(
    await Promise.all(nodes.map(async (n) => [n.name, await readNode(runner, n, vip)] as const)),
  )
  const snap: ClusterSnapshot = {vipHolders: []}
  for (const n of order) {
    if (!readings[n.name]?.reach.ok) continue
    try {
      const r = await runner.run(n, {argv: [...CRM_MON_WATCH_ARGV], sudo: true, timeoutMs: 15_000})
      if (r.exitCode !== 0) continue
      snap.state = pacemakerStateOf(parseCrmMon(r.stdout))
      snap.via = n.name
      const m = readings[n.name]?.membership
      if (m?.ok) snap.votes = m.value
      ;(readings[n.name] as NodeReadings).pacemaker = {ok: true, value: snap.state}
      break
    } catch {
      // next node
    }
  }
  snap.view = buildClusterView({
    stack: 'pacemaker',
    ...(vip ? {vip} : {}),
    nodes: nodes.map((n) => ({
      name: n.name,
      aliases: [n.host],
      roles: n.roles.length ? n.roles : ['cluster'],
      hasBmc: false,
    })),
    readings,
  })
  snap.vipHolders = snap.view.nodes.filter((n) => n.holdsVip === true).map((n) => n.name)
  // An LB pair whose VIP is keepalived's (no Pacemaker node): the LBs that hold it.
  const pair = vrrpPair(inv)
  if (pair && vip) snap.vipHolders = await lbVipHolders(runner, pair, vip)
  return snap
}

/**
 * `--node` accepts a node name or a role in the cluster right now:
 * @service (the VIP holder, else the node running the most service resources),
 * @dc (the designated controller), @replica (a cluster node not running the service).
 */
export function resolveTarget(spec: string, inv: Inventory, snap: ClusterSnapshot): string {
  const names = inv.nodes.map((n) => n.name)
  if (!spec.startsWith('@')) {
    if (!names.includes(spec))
      throw new InputError(`--node ${spec}: no such node in the inventory (it has: ${names.join(', ')})`)
    return spec
  }
  const cluster = clusterNodes(inv).map((n) => n.name)
  const service = (): string | undefined => {
    if (snap.vipHolders.length === 1) return snap.vipHolders[0]
    const s = snap.state
    if (!s) return undefined
    const ids = serviceResourceIds(s)
    const count = new Map<string, number>()
    for (const r of s.resources)
      if (ids.has(r.id) && r.active) for (const n of r.nodes) count.set(n, (count.get(n) ?? 0) + 1)
    return [...count].sort((a, b) => b[1] - a[1])[0]?.[0]
  }
  switch (spec) {
    case '@service': {
      const n = service()
      if (!n)
        throw new IncompleteError(
          '--node @service: cannot tell which node runs the service (no VIP holder, no active resource)',
        )
      return n
    }
    case '@dc': {
      const n = snap.state?.dc
      if (!n) throw new IncompleteError('--node @dc: the cluster has no designated controller right now')
      return n
    }
    case '@replica': {
      const svc = service()
      const n = cluster.find((c) => c !== svc)
      if (!n) throw new IncompleteError('--node @replica: no cluster node other than the service holder')
      return n
    }
    default:
      throw new InputError(`--node ${spec}: expected a node name, @service, @dc or @replica`)
  }
}

export interface FaultRequest {
  /** The fault-specific planner, given discovery results and the cluster snapshot. */
  plan(input: PlanInput, snap: ClusterSnapshot): PlanResult
  /** Node names (or @roles) the fault touches; every one is discovered and checked against the controller. */
  touches(inv: Inventory, snap: ClusterSnapshot): string[]
  /** Nodes whose discovery is needed (default: touched ones). */
  discover?: string[]
  /** Read-only look-ups the planner needs beyond discovery (runs before plan). */
  prepare?(ctx: {runner: CommandRunner; inventory: Inventory; snap: ClusterSnapshot}): Promise<void>
}

export interface RunOptions {
  inventory: Inventory
  runner: CommandRunner
  local: LocalRun
  runId: string
  holdMs: number
  lease?: LeaseSettings
  workload?: WorkloadSpec
  expectations?: string[]
  baselineMs: number
  settleMs: number
  observe: boolean
  readLogs: boolean
  dryRun: boolean
  yes: boolean
  allowQuorumLoss: boolean
  /** Skip the health/quorum preflight (game-day steps that expect a degraded cluster). */
  skipPreflight?: boolean
  name?: string
  live: RunProgress
  /** Where to save the run (default: the state dir). */
  stateDir?: string
  interactive?: boolean
}

export type FaultOutcome =
  | {kind: 'dry-run'; runId: string; head: string[]; plan: FaultPlan; preflight?: PreflightResult}
  | ({kind: 'ran'} & ExperimentOutcome)

/** Validates expectation strings up front (bad input → exit 2 before anything happens). */
export function checkExpectations(list: readonly string[] | undefined): void {
  for (const e of list ?? []) parseExpectation(e)
}

async function confirm(summary: string, cluster: string): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const a = await rl.question(
      `hacheck chaos: about to ${summary} on cluster ${cluster}.\nType "yes" to go on: `,
    )
    return a.trim().toLowerCase() === 'yes'
  } finally {
    rl.close()
  }
}

export async function runFault(req: FaultRequest, o: RunOptions): Promise<FaultOutcome> {
  const inv = o.inventory
  checkExpectations(o.expectations)
  o.live.note('looking at the cluster (crm_mon, quorum, VIP holders)')
  const snap = await snapshotCluster(o.runner, inv)
  const touched = req.touches(inv, snap)
  const touchedSpecs = inv.nodes.filter((n) => touched.includes(n.name))
  // The controller-self guard, first by address, then again with the nodes' own addresses.
  let refusals = await controllerRefusals(touchedSpecs)
  if (refusals.length)
    throw new InputError(`refusing: ${refusals.join('; ')}`, {
      code: 'target-is-controller',
      actions: CONTROLLER_REFUSAL_ACTIONS,
    })
  const facts = new Map<string, NodeFacts>()
  const discover = req.discover ?? touched
  await Promise.all(
    inv.nodes
      .filter((n) => discover.includes(n.name))
      .map(async (n) => {
        try {
          facts.set(n.name, await discoverNode(o.runner, n))
        } catch (err) {
          throw new IncompleteError(`cannot look at ${n.name} before the fault: ${errorMessage(err)}`, {
            code: 'discovery-failed',
          })
        }
      }),
  )
  refusals = await controllerRefusals(touchedSpecs, {facts})
  if (refusals.length)
    throw new InputError(`refusing: ${refusals.join('; ')}`, {
      code: 'target-is-controller',
      actions: CONTROLLER_REFUSAL_ACTIONS,
    })
  await req.prepare?.({runner: o.runner, inventory: inv, snap})
  const input: PlanInput = {
    runId: o.runId,
    inventory: inv,
    facts,
    holdMs: o.holdMs,
    lease: o.lease ?? DEFAULT_LEASE,
  }
  const planned = req.plan(input, snap)
  if (!planned.ok)
    throw new InputError(`refusing: ${planned.reason}`, {code: 'fault-refused', actions: planned.actions})
  const plan = planned.plan
  let pre: PreflightResult | undefined
  if (snap.state)
    pre = preflight(snap.state, snap.votes, plan.leavesMembership, {
      allowQuorumLoss: o.allowQuorumLoss,
      ...(snap.view ? {view: snap.view} : {}),
    })
  if (o.dryRun) {
    const head: string[] = []
    const pair = vrrpPair(inv)
    if (pair)
      head.push(
        snap.vipHolders.length === 1
          ? `# preflight: ok (the VIP is on ${snap.vipHolders[0] ?? ''}, VRRP MASTER of ${pair.map((n) => n.name).join(', ')})`
          : `# preflight: a real run would REFUSE: the VIP is on ${snap.vipHolders.join(' and ') || 'no LB'}`,
      )
    else if (!snap.state)
      head.push('# preflight: crm_mon did not answer on any cluster node: a real run would refuse')
    else if (pre && !pre.ok) head.push(`# preflight: a real run would REFUSE: ${pre.problems.join('; ')}`)
    else if (pre) head.push(`# preflight: ok (${pre.quorum.explanation})`)
    if (o.workload?.kind === 'pg-write')
      head.push(
        `# workload: ${describePgWrite(o.workload)}; a real run creates ${writesTable(o.runId)} first and drops it after the read-back`,
      )
    return {kind: 'dry-run', runId: o.runId, head, plan, preflight: pre}
  }
  const lbPair = vrrpPair(inv)
  if (!o.skipPreflight && lbPair) {
    // An LB pair with a keepalived VIP: healthy means exactly one LB holds the VIP.
    if (snap.vipHolders.length !== 1)
      throw new IncompleteError(
        `preflight: the VIP ${inv.cluster.vip ?? ''} is on ${snap.vipHolders.length ? snap.vipHolders.join(' and ') : 'no LB'} of ${lbPair.map((n) => n.name).join(', ')}; refusing to inject a fault into an LB pair that is not healthy`,
        {
          code: 'preflight-failed',
          actions: ['Bring the LB pair back to one VRRP MASTER first (hacheck audit --only x.vrrp).'],
        },
      )
    o.live.note(`preflight ok: the VIP is on ${snap.vipHolders[0] ?? ''} (VRRP MASTER)`)
  } else if (!o.skipPreflight) {
    if (!snap.state)
      throw new IncompleteError(
        'preflight: crm_mon did not answer on any cluster node; refusing to inject a fault into a cluster hacheck cannot see',
        {code: 'preflight-failed'},
      )
    if (pre && !pre.ok) {
      throw new IncompleteError(`preflight refused: ${pre.problems.join('; ')}`, {
        code: 'preflight-failed',
        actions: ['Bring the cluster back to health first (crm_mon -1), or see --allow-quorum-loss.'],
      })
    }
    if (pre) o.live.note(`preflight ok: ${pre.quorum.explanation}`)
  }
  if (!o.yes) {
    const tty = o.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true)
    if (!tty) {
      throw new InputError(
        `refusing to ${plan.summary} without confirmation: there is no terminal to ask on; pass --yes to confirm`,
        {
          code: 'confirmation-required',
        },
      )
    }
    if (!(await confirm(plan.summary, inv.cluster.name)))
      throw new InputError('not confirmed: nothing was changed', {code: 'not-confirmed'})
  }
  const totem = [...facts.values()].map((f) => f.totem).find((t) => t.tokenMs !== undefined)
  // What the cluster says it is: how the audit matches this run to the cluster later (never by name).
  const identity = [...facts.values()]
    .map((f) => (f.cmap ? corosyncIdentity(f.cmap.totem.clusterName, f.cmap.nodelist) : undefined))
    .find((x) => x !== undefined)
  // Signals: the first one reverts now; the second prints the manual revert; the third leaves (the dead-man reverts).
  const ac = new AbortController()
  let ledger: LedgerEntry | undefined
  let signals = 0
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++
    if (signals === 1) {
      process.stderr.write(
        `\nhacheck chaos: ${sig}: reverting the fault now (again to print the manual revert commands)\n`,
      )
      ac.abort()
    } else if (signals === 2) {
      process.stderr.write(
        `\nhacheck chaos: still reverting. If you must stop hacheck, undo the fault by hand:\n\n`,
      )
      for (const c of ledger ? manualRevert(ledger) : ['# nothing is in place (no ledger)'])
        process.stderr.write(`${c}\n\n`)
      process.stderr.write('(a third signal exits at once; the dead-man timers then revert on their own)\n')
    } else {
      process.exit(3)
    }
  }
  // One controller injects into a cluster at a time (src/lease; lost lease → revert now).
  const lease = acquireLease({
    cluster: inv.cluster.name,
    ...(identity ? {key: identity.id} : {}),
    runId: o.runId,
    ttlMs: leaseTtlMs((o.lease ?? DEFAULT_LEASE).timeoutS),
    onLost: () => {
      o.live.note('chaos lease lost to another controller: reverting now')
      ac.abort()
    },
  })
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let outcome: ExperimentOutcome
  try {
    outcome = await runExperiment(
      {
        runId: o.runId,
        inventory: inv,
        plan,
        workload: o.workload,
        expectations: o.expectations,
        baselineMs: o.baselineMs,
        settleMs: o.settleMs,
        observe: o.observe,
        readLogs: o.readLogs && o.observe,
        totem,
        ...(identity ? {identity} : {}),
        name: o.name,
      },
      {
        runner: o.runner,
        local: o.local,
        abort: ac.signal,
        progress: (p) => o.live.onProgress(p),
        onLedger: (e) => {
          ledger = e
        },
        stateDir: o.stateDir,
      },
    )
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    lease.release()
  }
  saveRun(outcome.result, outcome.timeline, o.stateDir)
  return {kind: 'ran', ...outcome}
}

export function statusExit(r: ChaosResult): 0 | 1 | 3 {
  return r.status === 'pass' ? 0 : r.status === 'fail' ? 1 : 3
}
