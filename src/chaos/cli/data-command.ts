/**
 * `hacheck chaos data EXPERIMENT`: the data-tier experiments (Galera, Patroni, etcd) from the command line.
 * The pure choice (nodes, target, plan, workload) is plan/data-experiments.ts; this file does the I/O around
 * runDataExperiment: who leads right now, the controller-self guard, the confirmation, the recovered() probe
 * (the observers' own scripts and parsers), the report and the exit code.
 */
import {IncompleteError, InputError} from '../../core/errors.js'
import type {CommandIo} from '../../cli/output.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import {loadInventory} from '../../inventory/load.js'
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
import {
  chooseData,
  dataExit,
  type DataArgs,
  type DataChoice,
  type DataCurrent,
} from '../plan/data-experiments.js'
import {renderDataRun} from '../report/data-run.js'
import {runDataExperiment, type DataRunResult} from '../run/data-experiment.js'
import {newRunId} from '../run/experiment.js'
import {requireConfirmation} from '../run/fault.js'
import {guardSignals} from '../run/signals.js'
import {DEFAULT_LEASE} from '../faults/parts/common.js'
import {CONTROLLER_REFUSAL_ACTIONS, controllerRefusals} from '../safety/controller.js'
import {MariadbWrite} from '../workloads/mariadb-write.js'
import {PgLeaderWrite} from '../workloads/pg-leader-write.js'
import {createInfra} from './command.js'

export interface DataRunOptions {
  inventory: string
  args: Omit<DataArgs, 'env'>
  holdMs: number
  baselineMs: number
  settleMs: number
  yes: boolean
  acceptNewHostKeys: boolean
  /** The dead-men's lease timeout (default DEFAULT_LEASE's 10 s). */
  leaseTimeoutS?: number
}

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

export async function executeData(o: DataRunOptions, io: CommandIo): Promise<DataRunResult> {
  const inv = await loadInventory(o.inventory)
  const args: DataArgs = {...o.args, env: process.env}
  // The nodes, --node and the database checked before anything connects (the leaders are looked up next).
  const {nodes} = chooseData(args, inv, {patroniLeader: '(leader)', etcdLeader: '(leader)'})
  await refuseController(inv, nodes)
  const infra = await createInfra({acceptNewHostKeys: o.acceptNewHostKeys})
  try {
    const choice = chooseData(args, inv, await lookCurrent(infra.runner, inv, args, nodes))
    await requireConfirmation(`run ${o.args.experiment} on ${choice.target}`, inv.cluster.name, {yes: o.yes})
    const runId = newRunId()
    const signals = guardSignals()
    const res = await runDataExperiment(
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
        recovered: recoveredProbe(infra.runner, inv, choice),
        recoveryTimeoutMs: o.settleMs,
        tailMs: 3000,
        ...(o.leaseTimeoutS !== undefined ? {lease: {...DEFAULT_LEASE, timeoutS: o.leaseTimeoutS}} : {}),
        abort: signals.signal,
        safety: {onLedger: signals.onLedger},
      },
      infra.runner,
    ).finally(() => signals.release())
    process.exitCode = dataExit(res, inv.cluster.objectives.rpoMs)
    if (!io.json) io.write(renderDataRun(res))
    return res
  } finally {
    await infra.close()
  }
}
