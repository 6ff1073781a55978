/**
 * A data-tier experiment (Galera, Patroni, etcd) on a live system, for `hacheck chaos data` and a game day's
 * experiment steps. The pure choice (nodes, target, plan, workload) is run/data-plan.ts; this file
 * does the I/O around runDataExperiment: who leads right now, the controller-self guard, the confirmation,
 * the recovered() probe (the observers' own scripts and parsers), and a dry run's plan.
 */
import {IncompleteError, InputError} from '../../core/errors.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import {etcdObserver, parseEtcdPoll} from '../observe/etcd.js'
import {galeraNotWhole, galeraObserver, parseGaleraPoll} from '../observe/galera.js'
import {
  PATRONI_LIST_SCRIPT,
  PATRONI_SETTLED_MS,
  parsePatroniList,
  patroniNotWhole,
  patroniObserver,
  settledFor,
  type PatroniMember,
} from '../observe/patroni.js'
import {chooseData, dataDryRun, type DataArgs, type DataChoice, type DataCurrent} from './data-plan.js'
import {planOnNodes, runDataExperiment, type DataRunResult} from './data-experiment.js'
import type {DataSafetyOptions} from './data-safety.js'
import {newRunId} from './experiment.js'
import {requireConfirmation} from './fault.js'
import {DEFAULT_LEASE, type LeaseSettings} from '../faults/parts/common.js'
import {acquireLease} from '../../lease/file-store.js'
import {leaseTtlMs} from '../../lease/policy.js'
import type {FaultPlan} from '../plan/types.js'
import {CONTROLLER_REFUSAL_ACTIONS, controllerRefusals} from '../safety/controller.js'
import {MariadbWrite} from '../workloads/mariadb-write.js'
import {PgLeaderWrite} from '../workloads/pg-leader-write.js'

const specOf = (inv: Inventory, name: string): NodeSpec => {
  const n = inv.nodes.find((x) => x.name === name)
  if (!n) throw new InputError(`no node ${name} in the inventory`)
  return n
}

/** The members as the first node that answers lists them. */
async function patroniMembers(
  runner: CommandRunner,
  inv: Inventory,
  nodes: readonly string[],
): Promise<PatroniMember[] | undefined> {
  for (const n of nodes) {
    const r = await runner
      .run(specOf(inv, n), {script: PATRONI_LIST_SCRIPT, sudo: true, timeoutMs: 10_000})
      .catch(() => undefined)
    const ms = r?.exitCode === 0 ? parsePatroniList(r.stdout) : undefined
    if (ms) return ms
  }
  return undefined
}

async function lookCurrent(
  runner: CommandRunner,
  inv: Inventory,
  a: DataArgs,
  nodes: readonly string[],
): Promise<DataCurrent> {
  if (a.node !== undefined || a.experiment === 'galera-partition') return {}
  if (a.experiment === 'etcd-stop-member') {
    for (const n of nodes) {
      const r = await runner
        .run(specOf(inv, n), {script: etcdObserver.pollScript, sudo: true, timeoutMs: 10_000})
        .catch(() => undefined)
      if (r && parseEtcdPoll(r.stdout, r.exitCode).startsWith('leader ')) return {etcdLeader: n}
    }
    return {}
  }
  const ms = await patroniMembers(runner, inv, nodes)
  if (!ms) throw new IncompleteError(`patronictl list answered on none of ${nodes.join(', ')}`)
  const leader = ms.find((m) => m.Role === 'Leader' && m.State === 'running')?.Member
  return leader !== undefined ? {patroniLeader: leader} : {}
}

/** recovered(): the observers' own poll (Galera) or patronictl list (Patroni), judged by their pure predicates. */
function recoveredProbe(
  runner: CommandRunner,
  inv: Inventory,
  c: DataChoice,
): () => Promise<string | undefined> {
  if (c.system === 'galera')
    return async () => {
      const states = await Promise.all(
        c.nodes.map(async (n) => {
          const r = await runner
            .run(specOf(inv, n), {script: galeraObserver.pollScript, sudo: true, timeoutMs: 5000})
            .catch(() => undefined)
          return {node: n, state: r ? parseGaleraPoll(r.stdout, r.exitCode) : 'unreachable'}
        }),
      )
      return galeraNotWhole(states)
    }
  const settled = settledFor(PATRONI_SETTLED_MS)
  return async () => {
    const ms = (await patroniMembers(runner, inv, c.nodes)) ?? []
    return settled(
      patroniNotWhole(ms, {expected: c.nodes.length, ...(c.mayStayOut ? {mayStayOut: c.mayStayOut} : {})}),
      Date.now(),
    )
  }
}

async function refuseController(inv: Inventory, nodes: readonly string[]): Promise<void> {
  const refusals = await controllerRefusals(inv.nodes.filter((n) => nodes.includes(n.name)))
  if (refusals.length)
    throw new InputError(`refusing: ${refusals.join('; ')}`, {
      code: 'target-is-controller',
      actions: CONTROLLER_REFUSAL_ACTIONS,
    })
}

export interface DataStepOptions {
  holdMs: number
  baselineMs: number
  settleMs: number
  yes: boolean
  interactive?: boolean
  lease?: LeaseSettings
  abort?: AbortSignal
  safety?: DataSafetyOptions
  runId?: string
}

/**
 * The pure choice checked before anything connects (the nodes, --node, the database) and the controller
 * guard; returns the nodes of the system.
 */
export async function checkData(args: DataArgs, inv: Inventory): Promise<string[]> {
  const {nodes} = chooseData(args, inv, {patroniLeader: '(leader)', etcdLeader: '(leader)'})
  await refuseController(inv, nodes)
  return nodes
}

/** What a run would do, without changing anything: the target looked up, the nodes discovered, the plan. */
export async function planDataDryRun(
  args: DataArgs,
  inv: Inventory,
  runner: CommandRunner,
  o: {holdMs: number; runId: string; lease?: LeaseSettings},
): Promise<{runId: string; head: string[]; plan: FaultPlan}> {
  const nodes = await checkData(args, inv)
  const choice = chooseData(args, inv, await lookCurrent(runner, inv, args, nodes))
  const plan = await planOnNodes(
    runner,
    {
      runId: o.runId,
      inventory: inv,
      plan: choice.plan,
      holdMs: o.holdMs,
      ...(o.lease ? {lease: o.lease} : {}),
    },
    choice.nodes.map((n) => specOf(inv, n)),
  )
  return dataDryRun(args.experiment, choice, o.runId, plan)
}

/** One data experiment on a live system: who leads now, the confirmation, the run under its safety net. */
export async function runData(
  args: DataArgs,
  inv: Inventory,
  runner: CommandRunner,
  o: DataStepOptions,
): Promise<DataRunResult> {
  const nodes = await checkData(args, inv)
  const choice = chooseData(args, inv, await lookCurrent(runner, inv, args, nodes))
  await requireConfirmation(`run ${args.experiment} on ${choice.target}`, inv.cluster.name, {
    yes: o.yes,
    ...(o.interactive !== undefined ? {interactive: o.interactive} : {}),
  })
  const runId = o.runId ?? newRunId()
  // One controller injects into a cluster at a time (src/lease; a game day's own lease is joined). A lease
  // lost to another controller ends the hold and reverts at once, as a signal does.
  const lost = new AbortController()
  const lease = acquireLease({
    cluster: inv.cluster.name,
    runId,
    ttlMs: leaseTtlMs((o.lease ?? DEFAULT_LEASE).timeoutS),
    onLost: () => lost.abort('the chaos lease was lost to another controller'),
  })
  const abort = o.abort ? AbortSignal.any([o.abort, lost.signal]) : lost.signal
  try {
    return await runDataExperiment(
      {
        runId,
        inventory: inv,
        nodes: choice.nodes,
        plan: choice.plan,
        workload: (ctx) =>
          choice.workload.kind === 'mariadb-write'
            ? new MariadbWrite(choice.workload, ctx)
            : new PgLeaderWrite(choice.workload, ctx),
        observer: choice.system === 'galera' ? galeraObserver : patroniObserver,
        ...(choice.observeEtcd ? {alsoObserve: [etcdObserver]} : {}),
        baselineMs: o.baselineMs,
        holdMs: o.holdMs,
        recovered: recoveredProbe(runner, inv, choice),
        recoveryTimeoutMs: o.settleMs,
        tailMs: 3000,
        ...(o.lease ? {lease: o.lease} : {}),
        abort,
        ...(o.safety ? {safety: o.safety} : {}),
      },
      runner,
    )
  } finally {
    lease.release()
  }
}
