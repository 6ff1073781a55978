/**
 * One chaos experiment, end to end:
 *
 *   observer + workload start → baseline → ledger written → dead-men armed →
 *   inject → verify → hold (leases renewed every 2 s) → revert → verify removed
 *   → dead-men cancelled and verified gone → ledger removed → settle (wait for
 *   the clients and the cluster to recover) → Pacemaker's log read on the
 *   survivors → metrics, floor, expectations → result.
 *
 * The revert always runs once anything may have been injected: in `finally`,
 * and when `abort` fires (SIGINT/SIGTERM: the command aborts the hold, the
 * revert still runs). The ledger is on disk before the first change and is
 * removed only after the revert is verified; the dead-men revert on their own
 * if this process dies at any point in between.
 */
import {hostname} from 'node:os'

import {errorMessage, IncompleteError} from '../../core/errors.js'
import {stateDir} from '../../cli/paths.js'
import type {CommandRunner, Inventory, NodeSpec} from '../../core/types.js'
import type {ClusterIdentity} from '../../core/results.js'
import {cibadmin} from '../../facts/cibadmin.js'
import type {TotemTimings as Totem} from '../../facts/corosync-cmapctl.js'
import {fenceTimingFor, type FenceTiming} from '../measure/fence-timing.js'
import {parseCib} from '../../facts/cibadmin.js'
import {configInForce, type ConfigInForce} from '../measure/config.js'
import {measureOffset, type ClockOffset} from '../observe/clock.js'
import {
  armLocal,
  armStep,
  cancelLocal,
  cancelStep,
  collectLocalLog,
  collectNodeDeadmanLogScript,
  localDeadmanDir,
  renewLocal,
  renewNodeScript,
  verifyNodeDeadmanGoneScript,
  type DeadmanPaths,
} from '../safety/deadman.js'
import {evaluateExpectation, parseExpectation, type ExpectationResult} from '../measure/expectations.js'
import {newLedger, removeLedger, writeLedger, type LedgerEntry} from '../safety/ledger.js'
import {describeWorkload, startWorkload, type WorkloadSpec} from '../workloads/probes.js'
import type {RunningWorkload} from '../workloads/schedule.js'
import {
  failoverMetrics,
  judgeRecovery,
  phaseAgreement,
  recoveryMs,
  rtoFloor,
  splitBrainWindows,
  writeMetrics,
  type WriteMetrics,
} from '../measure/metrics.js'
import {startObserver, type RunningObserver} from '../observe/observer.js'
import {
  describePgTarget,
  preparePgWrites,
  readBackWrites,
  startPgWrites,
  writesTable,
  type WriteReadback,
} from '../workloads/pg-write.js'
import {
  LOG_PHASE_RE,
  logExcerpts,
  logPhaseEvents,
  logSizeScript,
  parseLogSlice,
  parseReadLog,
  readLogScript,
  readLogSliceScript,
  type NodeLogLine,
} from '../observe/pacemaker-log.js'
import {MAX_SEQ_LIST, type ChaosResult, type ChaosStatus, type WritesOut} from '../measure/result.js'
import {
  explainedFailure,
  runStep,
  secretEnvOf,
  untilHolds,
  type LocalRun,
  type StepEnv,
  type StepOutcome,
} from '../safety/steps.js'
import type {ProgressEvent} from './progress.js'
import {now, type ClusterEvent, type FaultPhase, type TimelineEvent} from '../timeline.js'
import {NODE_STATE_DIR, type FaultPlan, type Step} from '../plan/types.js'

export interface ExperimentSpec {
  runId: string
  inventory: Inventory
  plan: FaultPlan
  workload?: WorkloadSpec
  /** Expectation strings; the fault's defaults (plus `rto <= objective`) when undefined. */
  expectations?: string[]
  baselineMs: number
  /** After the revert: wait at most this long for clients and cluster to recover. */
  settleMs: number
  /** Poll the cluster (crm_mon, VIP holders) during the run. */
  observe: boolean
  /** Read Pacemaker's log on the survivors afterwards. */
  readLogs: boolean
  /** Corosync timings from discovery, for the RTO floor. */
  totem?: Totem
  /** The cluster's identity (corosync cluster name + nodelist), saved with the run. */
  identity?: ClusterIdentity
  name?: string
  crmIntervalMs?: number
  vipIntervalMs?: number
  /** pg-write: how long the read-back after the run may wait for a primary (default 60 s). */
  readBackTimeoutMs?: number
}

export interface RunDeps {
  runner: CommandRunner
  local: LocalRun
  progress?: (p: ProgressEvent) => void
  /** Fires on SIGINT/SIGTERM: stop waiting, revert now. */
  abort?: AbortSignal
  /** Told every time the ledger changes (the command prints its manual commands on a second Ctrl-C). */
  onLedger?: (entry: LedgerEntry | undefined) => void
  env?: NodeJS.ProcessEnv
  /** Node-side state dir (default /run/hacheck). */
  nodeStateDir?: string
  /** Controller state dir (default $XDG_STATE_HOME/hacheck). */
  stateDir?: string
  ledgerDir?: string
  /** Lease renewal interval (default 2000 ms). */
  renewMs?: number
}

export interface ExperimentOutcome {
  result: ChaosResult
  timeline: TimelineEvent[]
}

const sleep = (ms: number, abort?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (abort?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      abort?.removeEventListener('abort', done)
      resolve()
    }
    abort?.addEventListener('abort', done, {once: true})
  })

/** Survivors first: nodes the fault does not target, in inventory order. */
export function observerOrder(inv: Inventory, plan: FaultPlan): string[] {
  const cluster = inv.nodes
    .filter((n) => n.roles.length === 0 || n.roles.includes('cluster'))
    .map((n) => n.name)
  const away = new Set([...plan.targets, ...plan.leavesMembership])
  return [...cluster.filter((n) => !away.has(n)), ...cluster.filter((n) => away.has(n))]
}

/** The nodes a plan's steps refer to (for the ledger). */
export function nodesOfPlan(inv: Inventory, plan: FaultPlan): NodeSpec[] {
  const names = new Set<string>()
  const add = (s: Step): void => {
    if (s.kind === 'node') names.add(s.node)
  }
  ;[...plan.inject, ...plan.verify, ...plan.revert, ...plan.verifyReverted].forEach(add)
  for (const d of plan.deadmen) if (d.kind === 'node') names.add(d.node)
  return inv.nodes.filter((n) => names.has(n.name))
}

export async function runExperiment(spec: ExperimentSpec, deps: RunDeps): Promise<ExperimentOutcome> {
  const {plan, inventory: inv, runId} = spec
  const startedAt = new Date()
  const timeline: TimelineEvent[] = []
  const notes = [...plan.notes]
  const errors: string[] = []
  const progress = deps.progress ?? (() => {})
  const record = (e: TimelineEvent): void => {
    timeline.push(e)
    progress({type: 'event', event: e})
  }
  const stage = (s: string, state: 'start' | 'done' | 'failed' | 'skipped', detail?: string): void =>
    progress({type: 'stage', stage: s, state, detail})
  const nodes = new Map(inv.nodes.map((n) => [n.name, n]))
  const stepEnv: StepEnv = {runner: deps.runner, local: deps.local, nodes, env: deps.env}
  const nodeDir = deps.nodeStateDir ?? NODE_STATE_DIR
  const ctlState = deps.stateDir ?? stateDir()
  const faultEvent = (phase: FaultPhase, detail?: string, t = now()): void =>
    record({kind: 'fault', t, fault: plan.fault, phase, target: plan.targets, ...(detail ? {detail} : {})})
  const abort = deps.abort

  // Clock offsets (and round trips) of every reachable cluster node: for the
  // log timestamps, and to place the injection at the middle of its round trip.
  const offsets = new Map<string, ClockOffset>()
  await Promise.all(
    inv.nodes.map(async (n) => {
      const o = await measureOffset(deps.runner, n, 5).catch(() => undefined)
      if (o) offsets.set(n.name, o)
    }),
  )
  // Where each cluster node's Pacemaker log ends now (its lines of this run are read after it), and
  // the configuration in force, from the CIB of a healthy node, before anything changes.
  const clusterNodes = inv.nodes.filter((n) => n.roles.length === 0 || n.roles.includes('cluster'))
  const [logStart, config] = await Promise.all([
    spec.readLogs ? logSizes(deps.runner, clusterNodes) : new Map<string, number>(),
    spec.observe ? readConfig(spec, deps.runner) : undefined,
  ])

  // pg-write: its table on the primary before anything else starts (nothing has changed yet if this fails).
  const pgWrite = spec.workload?.kind === 'pg-write' ? spec.workload : undefined
  const table = writesTable(runId)
  if (pgWrite) {
    stage('workload', 'start', `create ${table} through ${describePgTarget(pgWrite.target)}`)
    try {
      const info = await preparePgWrites(pgWrite, table, deps.env)
      record({kind: 'note', t: now(), text: `pg-write: table ${table} created on primary ${info.primary}`})
      stage('workload', 'done')
    } catch (err) {
      stage('workload', 'failed', errorMessage(err))
      throw err
    }
  }

  let observer: RunningObserver | undefined
  let workload: RunningWorkload | undefined
  // An LB pair with a keepalived VIP (no Pacemaker): only the VIP is watched, every 200 ms.
  const lbPair = vrrpPair(inv)
  if (spec.observe) {
    observer = startObserver({
      runner: deps.runner,
      nodes: vipNodes(inv),
      prefer: observerOrder(inv, plan),
      vip: inv.cluster.vip,
      offsets: new Map([...offsets].map(([n, o]) => [n, o.offsetMs])),
      crmIntervalMs: spec.crmIntervalMs ?? 200,
      vipIntervalMs: spec.vipIntervalMs ?? (lbPair ? 200 : undefined),
      pacemaker: !lbPair,
      record,
    })
  }
  if (spec.workload) {
    const w = spec.workload
    try {
      workload =
        w.kind === 'pg-write'
          ? startPgWrites(w, table, runId, record, deps.env)
          : w.kind === 'sessions'
            ? await startSessions(w, record)
            : startWorkload(w, record)
    } catch (err) {
      // Nothing is injected yet (a login through the service failed): stop watching and say why.
      await observer?.stop()
      stage('workload', 'failed', errorMessage(err))
      throw new IncompleteError(errorMessage(err), {code: 'workload-failed'})
    }
    record({kind: 'note', t: now(), text: `workload: ${describeWorkload(w)}`})
  }
  stage('baseline', 'start', `${spec.baselineMs} ms`)
  await sleep(spec.baselineMs, abort)
  stage('baseline', 'done')

  let ledger: LedgerEntry | undefined
  const armedLocal: {pid: number; paths: DeadmanPaths; index: number}[] = []
  let renewTimer: NodeJS.Timeout | undefined
  let deadmanFired = false
  const deadmanGone = new Set<string>()
  let injected = false
  let injectedAt: number | null = null
  let revertDone = !plan.reverts
  let revertVerified = !plan.reverts
  let ledgerRemoved = false
  let aborted = false
  const saveLedger = (): void => {
    if (!ledger) return
    writeLedger(ledger, deps.ledgerDir)
    deps.onLedger?.(ledger)
  }
  const fail = (stageName: string, o: StepOutcome): string => {
    const msg = `${o.step.what}${o.step.kind === 'node' ? ` on ${o.step.node}` : ''}: ${o.error ?? 'failed'}`
    stage(stageName, 'failed', msg)
    return msg
  }

  try {
    if (abort?.aborted) throw new AbortedRun()
    // 1. Ledger, BEFORE anything changes.
    ledger = newLedger({
      runId,
      inventoryFile: inv.file,
      fault: plan.fault,
      targets: plan.targets,
      summary: plan.summary,
      nodes: nodesOfPlan(inv, plan),
      revert: plan.revert,
      verifyReverted: plan.verifyReverted,
      deadmen: plan.deadmen.map((deadman) => ({deadman})),
      ...(nodeDir !== NODE_STATE_DIR ? {nodeStateDir: nodeDir} : {}),
    })
    saveLedger()
    faultEvent('planned', plan.summary)

    // 2. Dead-men, armed before the fault.
    stage('dead-man', 'start')
    for (const [i, d] of plan.deadmen.entries()) {
      if (d.kind === 'node') {
        const o = await runStep(stepEnv, armStep(runId, d, nodeDir))
        const pid = Number(o.result?.stdout.trim().split('\n').pop())
        if (!o.ok || !Number.isInteger(pid) || pid <= 0) {
          throw new IncompleteError(
            `could not arm the dead-man on ${d.node}: ${o.error ?? `no PID (${o.result?.stdout.trim() ?? ''})`}`,
          )
        }
        ;(ledger.deadmen[i] as {pid?: number}).pid = pid
      } else {
        const env = secretEnvOf(d.undo, deps.env)
        const armed = await armLocal(runId, d, localDeadmanDir(ctlState), env)
        armedLocal.push({...armed, index: i})
        ;(ledger.deadmen[i] as {pid?: number}).pid = armed.pid
      }
      saveLedger()
    }
    stage('dead-man', 'done', plan.deadmen.length ? `${plan.deadmen.length} armed` : 'none needed')
    const renewMs = deps.renewMs ?? 2000
    const renew = async (): Promise<void> => {
      for (const a of armedLocal) renewLocal(a.paths)
      await Promise.all(
        plan.deadmen.map(async (d) => {
          if (d.kind !== 'node') return
          const node = nodes.get(d.node)
          if (!node) return
          try {
            const r = await deps.runner.run(node, {
              script: renewNodeScript(runId, nodeDir),
              sudo: true,
              timeoutMs: 5000,
            })
            if (r.stdout.trim() === 'gone' && !deadmanGone.has(d.node) && !revertDone) {
              deadmanGone.add(d.node)
              record({
                kind: 'note',
                t: now(),
                text: `the dead-man on ${d.node} is gone: it fired (lease expired) or the node rebooted`,
              })
            }
          } catch {
            // Node unreachable (fenced, rebooting, link pulled): nothing to renew now.
          }
        }),
      )
    }
    const renewLoop = (): void => {
      renewTimer = setTimeout(() => {
        void renew().finally(() => {
          if (renewTimer !== undefined) renewLoop()
        })
      }, renewMs)
    }
    renewLoop()

    // 3. Inject.
    if (abort?.aborted) throw new AbortedRun()
    ledger.state = 'injecting'
    saveLedger()
    stage('inject', 'start', plan.summary)
    faultEvent('injecting')
    injected = true
    for (const s of plan.inject) {
      const sent = now()
      const o = await runStep(stepEnv, s)
      const received = now()
      if (!o.ok) {
        const known = explainedFailure(o)
        const msg = known ? known.message : fail('inject', o)
        if (known) stage('inject', 'failed', msg)
        faultEvent('failed', msg)
        throw new IncompleteError(msg, {code: known?.code ?? 'inject-failed'})
      }
      // The change took effect on the node about half a round trip before the answer came back.
      const rtt = s.kind === 'node' ? (offsets.get(s.node)?.rttMs ?? received - sent) : 0
      injectedAt = s.kind === 'node' ? Math.max(sent, received - rtt / 2) : (sent + received) / 2
    }
    faultEvent('injected', undefined, injectedAt ?? now())
    ledger.state = 'injected'
    saveLedger()
    stage('inject', 'done')

    // 4. Verify it is in effect.
    stage('verify', 'start')
    for (const s of plan.verify) {
      const o = await untilHolds({...stepEnv, abort}, s, plan.verifyTimeoutMs)
      if (!o.ok) {
        const msg = fail('verify', o)
        faultEvent('failed', `not in effect: ${msg}`)
        throw new IncompleteError(`the fault is not in effect: ${msg}`, {code: 'verify-failed'})
      }
    }
    faultEvent('verified')
    stage('verify', 'done')

    // 5. Hold.
    stage('hold', 'start', `${plan.holdMs} ms`)
    const holdEnd = (injectedAt ?? now()) + plan.holdMs
    await sleep(Math.max(0, holdEnd - now()), abort)
    if (abort?.aborted) {
      aborted = true
      stage('hold', 'failed', 'interrupted: reverting now')
    } else stage('hold', 'done')
  } catch (err) {
    if (err instanceof AbortedRun) {
      aborted = true
    } else {
      errors.push(errorMessage(err))
    }
  } finally {
    if (renewTimer !== undefined) {
      clearTimeout(renewTimer)
      renewTimer = undefined
    }
    // 6. Revert: always, once anything may have changed.
    if (ledger) {
      if (injected && plan.revert.length > 0) {
        ledger.state = 'reverting'
        saveLedger()
        stage('revert', 'start')
        faultEvent('reverting')
        let ok = true
        for (const s of plan.revert) {
          const o = await untilHolds(stepEnv, s, plan.revertTimeoutMs)
          if (!o.ok) {
            ok = false
            errors.push(`revert failed: ${fail('revert', o)}`)
          }
        }
        revertDone = ok
        if (ok) {
          faultEvent('reverted')
          let verified = true
          for (const s of plan.verifyReverted) {
            const o = await untilHolds(stepEnv, s, plan.revertTimeoutMs)
            if (!o.ok) {
              verified = false
              errors.push(`the fault is not fully removed: ${fail('revert', o)}`)
            }
          }
          revertVerified = verified
          if (verified) faultEvent('revert-verified')
          stage('revert', verified ? 'done' : 'failed')
        }
      } else if (injected && !plan.reverts) {
        faultEvent('reverted', 'nothing to revert (declared by the fault)')
        stage('revert', 'skipped', 'this fault has no revert')
      } else if (!injected) {
        revertDone = true
        revertVerified = true
      }
      // Dead-men: cancelled once the revert is verified (otherwise they stay armed as the backstop).
      let deadmenClean = true
      if (revertVerified) {
        for (const [i, d] of plan.deadmen.entries()) {
          const pid = ledger.deadmen[i]?.pid
          if (d.kind === 'node') {
            const log = await runStep(stepEnv, {
              kind: 'node',
              node: d.node,
              what: 'collect the dead-man log',
              script: collectNodeDeadmanLogScript(runId, nodeDir),
            })
            if (log.ok && log.result?.stdout.trim()) {
              deadmanFired = true
              notes.push(`dead-man on ${d.node} fired: ${log.result.stdout.trim().split('\n')[0] ?? ''}`)
            }
            const c = await untilHolds(stepEnv, cancelStep(runId, d.node, pid, nodeDir), 30_000)
            const v = await untilHolds(
              stepEnv,
              {
                kind: 'node',
                node: d.node,
                what: 'no dead-man is left',
                script: verifyNodeDeadmanGoneScript(runId, pid, nodeDir),
              },
              30_000,
            )
            if (!c.ok || !v.ok) {
              deadmenClean = false
              errors.push(`dead-man on ${d.node} not cleaned up: ${(c.ok ? v : c).error ?? ''}`)
            }
          } else {
            await cancelLocal(runId, pid, localDeadmanDir(ctlState))
            const fired = collectLocalLog(runId, localDeadmanDir(ctlState))
            if (fired.trim()) {
              deadmanFired = true
              notes.push(`controller-side dead-man fired: ${fired.trim().split('\n')[0] ?? ''}`)
            }
          }
        }
        if (deadmenClean) {
          removeLedger(runId, deps.ledgerDir)
          ledgerRemoved = true
          deps.onLedger?.(undefined)
        }
      } else if (plan.deadmen.length) {
        notes.push(
          'the revert is not verified: the dead-man timers stay armed and the ledger stays for `hacheck chaos revert`',
        )
      }
    }
  }

  // 7. Settle: let clients and cluster recover, then stop measuring.
  if (injected && !abort?.aborted) {
    stage('settle', 'start')
    await settle(spec, timeline, observer, abort)
    stage('settle', 'done')
  }
  await workload?.stop()
  await observer?.stop()

  // pg-write: read every row back from the primary the VIP leads to now, then drop the table.
  let readback: WriteReadback | undefined
  if (pgWrite) {
    stage('read-back', 'start', `${table} through ${describePgTarget(pgWrite.target)}`)
    readback = await readBackWrites(pgWrite, table, {
      timeoutMs: abort?.aborted ? 10_000 : (spec.readBackTimeoutMs ?? 60_000),
      env: deps.env,
    })
    if (readback.error) {
      errors.push(`pg-write: ${readback.error}`)
      notes.push(`pg-write: the table ${table} may be left on the primary: DROP TABLE IF EXISTS ${table};`)
      stage('read-back', 'failed', readback.error)
    } else {
      if (readback.tableMissing)
        notes.push(`pg-write: ${table} does not exist on the new primary: every acknowledged write is lost`)
      if (readback.cleanupError)
        errors.push(`pg-write: ${readback.cleanupError}; drop it by hand: DROP TABLE IF EXISTS ${table};`)
      if (readback.kept) notes.push(`pg-write: ${table} kept (--pg-keep-table): drop it when done`)
      stage(
        'read-back',
        'done',
        `${readback.present?.size ?? 0} rows from ${readback.readFrom ?? '?'}${readback.dropped ? ', table dropped' : ''}`,
      )
    }
  }

  // 8. Pacemaker's own log on the survivors.
  const logLines: NodeLogLine[] = []
  if (spec.readLogs && injectedAt !== null) {
    stage('logs', 'start')
    const fromT = injectedAt - 5000
    const toT = now() + 5000
    const services = observer?.services()
    const events: ClusterEvent[] = []
    logLines.length = 0
    // Survivors only: a victim logs the others as lost, which is its view, not the cluster's.
    const away = new Set([...plan.targets, ...plan.leavesMembership])
    await Promise.all(
      inv.nodes
        .filter((n) => (n.roles.length === 0 || n.roles.includes('cluster')) && !away.has(n.name))
        .map(async (n) => {
          const off = offsets.get(n.name)
          const from = logStart.get(n.name)
          try {
            // The run's own slice of the log when its start is known (all lines, for the excerpts
            // around each phase), else the phase lines of the log's tail.
            const script = from === undefined ? readLogScript() : readLogSliceScript(from)
            const r = await deps.runner.run(n, {script, sudo: true, timeoutMs: 20_000})
            if (r.exitCode !== 0) return
            const parsed = parseReadLog(r.stdout)
            const {year, tzOffsetMin} = parsed
            let text = parsed.text
            if (from !== undefined) {
              logLines.push(
                ...parseLogSlice(text, {node: n.name, year, tzOffsetMin, offsetMs: off?.offsetMs ?? 0}),
              )
              text = text
                .split('\n')
                .filter((l) => LOG_PHASE_RE.test(l))
                .join('\n')
            }
            events.push(
              ...logPhaseEvents(text, {
                node: n.name,
                year,
                tzOffsetMin,
                offsetMs: off?.offsetMs ?? 0,
                fromT,
                toT,
                serviceResources: services && services.size ? services : undefined,
              }),
            )
          } catch {
            // unreachable: its log is not read
          }
        }),
    )
    // The same fact is logged on every node: keep the earliest per (phase, node, resource).
    const best = new Map<string, ClusterEvent>()
    for (const e of events) {
      const k = `${e.phase}|${e.node ?? ''}|${e.resource ?? ''}`
      const prev = best.get(k)
      if (!prev || e.t < prev.t) best.set(k, e)
    }
    for (const e of [...best.values()].sort((a, b) => a.t - b.t)) timeline.push(e)
    // keepalived's transitions on the LB pair (every LB: the target's own FAULT is its own to log).
    const vrrp = lbPair ? await readKeepalivedLogs(deps.runner, lbPair, offsets, fromT, toT) : []
    // Redis Sentinel's failover of the session store (nodes with role session).
    const sessionNodes = inv.nodes.filter((n) => n.roles.includes('session'))
    const store = sessionNodes.length
      ? await readSentinelLogs(deps.runner, sessionNodes, offsets, fromT, toT)
      : []
    timeline.push(...vrrp, ...store)
    stage('logs', 'done', `${best.size + vrrp.length + store.length} phase lines`)
  }

  timeline.sort((a, b) => a.t - b.t)
  const result = buildResult(spec, {
    timeline,
    startedAt,
    injectedAt,
    errors,
    notes,
    aborted,
    revert: {planned: plan.reverts, done: revertDone, verified: revertVerified, deadmanFired, ledgerRemoved},
    offsets,
    fence: undefined,
    ...(readback ? {writes: readback} : {}),
    ...(config ? {config} : {}),
    ...(logLines.length ? {logLines: logLines.filter((l) => l.t >= injectedAt! - 10_000)} : {}),
  })
  if (spec.observe && injectedAt !== null && plan.expectFenced.length) {
    result.floor = await floorFor(spec, deps, result.metrics.recoveryMs)
  }
  return {result, timeline}
}

class AbortedRun extends Error {}

/** Each node's Pacemaker log size (bytes) now; nodes that do not answer are left out. */
async function logSizes(runner: CommandRunner, nodes: readonly NodeSpec[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const r = await runner.run(n, {script: logSizeScript(), sudo: true, timeoutMs: 10_000})
        const size = Number(r.stdout.trim())
        if (r.exitCode === 0 && Number.isInteger(size) && size >= 0) sizes.set(n.name, size)
      } catch {
        // unreachable: its log is read the old way afterwards, if at all
      }
    }),
  )
  return sizes
}

/** The configuration in force, from the CIB of the first healthy node in observer order. */
async function readConfig(spec: ExperimentSpec, runner: CommandRunner): Promise<ConfigInForce | undefined> {
  for (const name of observerOrder(spec.inventory, spec.plan)) {
    const node = spec.inventory.nodes.find((n) => n.name === name)
    if (!node) continue
    try {
      const r = await runner.run(node, {argv: ['cibadmin', '--query'], sudo: true, timeoutMs: 10_000})
      if (r.exitCode !== 0) continue
      return configInForce(parseCib(r.stdout), spec.totem, spec.inventory.cluster.objectives, name)
    } catch {
      // try the next node
    }
  }
  return configInForce(undefined, spec.totem, spec.inventory.cluster.objectives)
}

/** Waits until probes are OK again for a while and fenced nodes are back, or settleMs. */
async function settle(
  spec: ExperimentSpec,
  timeline: readonly TimelineEvent[],
  observer: RunningObserver | undefined,
  abort?: AbortSignal,
): Promise<void> {
  const deadline = now() + spec.settleMs
  const quietMs = 3000
  // Events land on the timeline when they complete: for writes (2 s timeout), look only at those old
  // enough to have all completed (probes keep their 1 s).
  const lag = spec.workload?.kind === 'pg-write' ? Math.max(1000, spec.workload.timeoutMs + 200) : 1000
  while (now() < deadline && !abort?.aborted) {
    await sleep(500, abort)
    const t = now()
    const recent = timeline.filter(
      (e) => (e.kind === 'probe' || e.kind === 'write') && e.t >= t - quietMs - lag && e.t <= t - lag,
    )
    const probesOk =
      !spec.workload ||
      (recent.length > 0 && recent.every((e) => (e.kind === 'probe' || e.kind === 'write') && e.ok))
    const s = observer?.last()
    const clusterOk =
      !observer ||
      vrrpPair(spec.inventory) !== undefined ||
      (s !== undefined && s.nodes.filter((n) => n.type === 'member').every((n) => n.online && !n.unclean))
    if (probesOk && clusterOk) return
  }
}

async function floorFor(
  spec: ExperimentSpec,
  deps: RunDeps,
  recovery: number | null,
): Promise<ChaosResult['floor']> {
  const victim = spec.plan.expectFenced[0] as string
  let fence: FenceTiming = {}
  for (const name of observerOrder(spec.inventory, spec.plan)) {
    const node = spec.inventory.nodes.find((n) => n.name === name)
    if (!node) continue
    try {
      // The audit's own CIB gatherer: passwords are blanked on the node before the CIB leaves it.
      const r = await deps.runner.run(node, {script: cibadmin.script, sudo: true, timeoutMs: 10_000})
      if (r.exitCode === 0) {
        fence = fenceTimingFor(cibadmin.parse(r), victim)
        break
      }
    } catch {
      // try the next node
    }
  }
  const floor = rtoFloor({
    tokenMs: spec.totem?.tokenMs,
    consensusMs: spec.totem?.consensusMs,
    fenceDelayMs: fence.delayBaseMs,
    fenceActionMs: fence.actionMs,
  })
  return {...floor, ...judgeRecovery(recovery, floor, {failoverExpected: true})}
}

interface BuildInput {
  timeline: TimelineEvent[]
  startedAt: Date
  injectedAt: number | null
  errors: string[]
  notes: string[]
  aborted: boolean
  revert: ChaosResult['revert']
  offsets: Map<string, ClockOffset>
  fence: FenceTiming | undefined
  /** pg-write: what was read back after the run. */
  writes?: WriteReadback
  config?: ConfigInForce
  /** The survivors' Pacemaker log lines written during the run (for the excerpts around each phase). */
  logLines?: NodeLogLine[]
}

/**
 * The default expectations of a run: the fault's own, plus the inventory's RTO
 * objective, plus its RPO objective when a write workload ran.
 */
export function defaultExpectations(
  plan: FaultPlan,
  inv: Inventory,
  hasWorkload: boolean,
  writes = false,
): string[] {
  const out = [...plan.defaultExpectations]
  if (inv.cluster.objectives.rtoMs !== undefined && hasWorkload)
    out.push(`rto <= ${inv.cluster.objectives.rtoMs}ms`)
  if (writes) {
    out.push('acked-writes > 0', 'split-brain-writes == 0')
    if (inv.cluster.objectives.rpoMs !== undefined) out.push(`rpo <= ${inv.cluster.objectives.rpoMs}ms`)
  }
  return hasWorkload ? out : out.filter((e) => !/^(rto|recovery|failed-probes|p\d\d|recovered)/.test(e))
}

/** The write accounting of a pg-write run, for the result. */
export function writesOut(
  table: string,
  timeline: readonly TimelineEvent[],
  rb: WriteReadback | undefined,
): {metrics: WriteMetrics | undefined; out: WritesOut; fields: Partial<ChaosResult['metrics']>} {
  const present = rb?.present
  const m = writeMetrics(timeline, new Set(present?.keys() ?? []))
  const read = present !== undefined
  const cap = (xs: number[]): number[] => xs.slice(0, MAX_SEQ_LIST)
  const out: WritesOut = {
    table,
    attempted: m.attempted,
    acked: m.acked,
    failed: m.failed - m.unknown,
    unknown: m.unknown,
    present: read ? m.present : null,
    presentUnacked: read ? m.presentUnacked.length : 0,
    failedPresent: read ? m.failedPresent.length : 0,
    unexpected: read ? m.unexpected.length : 0,
    lostSeqs: read ? cap(m.lost) : [],
    splitBrainSeqs: cap(m.splitBrain),
    primaries: m.primaries,
    ...(rb?.readFrom ? {readFrom: rb.readFrom} : {}),
    dropped: rb?.dropped ?? false,
    ...(m.lost.length > MAX_SEQ_LIST || m.splitBrain.length > MAX_SEQ_LIST ? {truncated: true} : {}),
  }
  const fields: Partial<ChaosResult['metrics']> = {
    ackedWrites: m.acked,
    lostWrites: read ? m.lost.length : null,
    rpoMs: read ? Math.round(m.rpoMs) : null,
    firstLostSeq: read ? (m.lost[0] ?? null) : null,
    lastLostSeq: read ? (m.lost[m.lost.length - 1] ?? null) : null,
    splitBrainWrites: m.splitBrain.length,
    writes: out,
  }
  return {metrics: read ? m : undefined, out, fields}
}

export function buildResult(spec: ExperimentSpec, b: BuildInput): ChaosResult {
  const {plan, inventory: inv} = spec
  const metrics = failoverMetrics(b.timeline)
  const rec = recoveryMs(metrics)
  const pgWrite = spec.workload?.kind === 'pg-write'
  const w = pgWrite ? writesOut(b.writes?.table ?? writesTable(spec.runId), b.timeline, b.writes) : undefined
  const texts = spec.expectations ?? [
    ...defaultExpectations(plan, inv, spec.workload !== undefined, pgWrite),
    // A user logged out by the failover is a failure of the run, like a lost write.
    ...(spec.workload?.kind === 'sessions' ? ['sessions-lost == 0'] : []),
  ]
  const expectations: ExpectationResult[] = texts.map((t) => {
    try {
      return evaluateExpectation(parseExpectation(t), {
        metrics,
        recoveryMs: rec,
        timeline: b.timeline,
        expectFenced: plan.expectFenced,
        observed: spec.observe,
        ...(w
          ? {
              writes: w.metrics ?? {
                error: b.writes?.error ?? 'the writes were not read back',
              },
            }
          : {}),
      })
    } catch (err) {
      return {text: t, status: 'error', observed: '', message: errorMessage(err)}
    }
  })
  if (b.injectedAt === null) {
    for (const e of expectations) {
      e.status = 'error'
      e.message = `${e.text}: not evaluated (the fault was not injected)`
    }
  }
  let status: ChaosStatus = 'pass'
  if (expectations.some((e) => e.status === 'fail')) status = 'fail'
  if (expectations.some((e) => e.status === 'error') || b.errors.length) status = 'error'
  if (!b.revert.verified || !b.revert.done) status = 'error'
  if (b.aborted) status = 'aborted'
  const vipSamples = b.timeline.filter((e) => e.kind === 'cluster' && e.phase === 'vip-holders').length
  const split = splitBrainWindows(b.timeline).map((w) => ({
    nodes: w.nodes,
    from: new Date(w.fromT).toISOString(),
    to: new Date(w.toT).toISOString(),
    fromMs: b.injectedAt === null ? null : Math.round(w.fromT - b.injectedAt),
    toMs: b.injectedAt === null ? null : Math.round(w.toT - b.injectedAt),
    samples: w.samples,
  }))
  const finished = new Date()
  return {
    status,
    fault: plan.fault,
    target: plan.targets,
    metrics: {
      clientOutageMs: metrics.probes ? metrics.clientOutageMs : null,
      clientOutageMinMs: metrics.clientOutageMinMs,
      recoveryMs: metrics.probes ? rec : null,
      probes: metrics.probes,
      failedProbes: metrics.failedProbes,
      latency: metrics.latency,
      maxVipHolders: metrics.maxVipHolders,
      ...(metrics.sessionsLost !== undefined
        ? {sessionsLost: metrics.sessionsLost, lostUsers: metrics.lostUsers ?? []}
        : {}),
      vipSamples,
      ...(split.length ? {splitBrain: split} : {}),
      outages: metrics.outages,
      ...(w ? w.fields : {}),
    },
    phases: metrics.phases.map((p) => ({
      name: p.name,
      atMs: Math.round(p.atMs),
      ...(p.node ? {node: p.node} : {}),
      ...(p.resource ? {resource: p.resource} : {}),
      ...(p.source ? {source: p.source} : {}),
    })),
    expectations,
    schemaVersion: 1,
    runId: spec.runId,
    ...(spec.name ? {name: spec.name} : {}),
    summary: plan.summary,
    cluster: inv.cluster.name,
    ...(spec.identity ? {clusterIdentity: spec.identity} : {}),
    ...(inv.file ? {inventory: inv.file} : {}),
    startedAt: b.startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - b.startedAt.getTime(),
    holdMs: plan.holdMs,
    injectedAt: b.injectedAt,
    ...(spec.workload ? {workload: describeWorkload(spec.workload)} : {}),
    objectives: {...inv.cluster.objectives},
    phaseAgreement: phaseAgreement(b.timeline).map((p) => ({
      ...p,
      ...(p.observedMs !== undefined ? {observedMs: Math.round(p.observedMs)} : {}),
      ...(p.logMs !== undefined ? {logMs: Math.round(p.logMs)} : {}),
      ...(p.deltaMs !== undefined ? {deltaMs: Math.round(p.deltaMs)} : {}),
      ...(p.observedWindowMs
        ? {observedWindowMs: [Math.round(p.observedWindowMs[0]), Math.round(p.observedWindowMs[1])]}
        : {}),
    })),
    clockOffsets: Object.fromEntries(
      [...b.offsets].map(([n, o]) => [
        n,
        {offsetMs: Math.round(o.offsetMs * 10) / 10, rttMs: Math.round(o.rttMs * 10) / 10},
      ]),
    ),
    revert: b.revert,
    notes: b.notes,
    errors: b.errors,
    ...(b.config ? {config: b.config} : {}),
    ...(b.logLines?.length && b.injectedAt !== null
      ? {logExcerpts: logExcerpts(b.logLines, metrics.phases, b.injectedAt)}
      : {}),
  }
}

/** A run id: sortable by time, unique enough, safe in file names, iptables comments and shell words. */
export function newRunId(d = new Date()): string {
  const stamp = d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase()
  const rand = Math.random().toString(36).slice(2, 6).padEnd(4, '0')
  return `${stamp}-${rand}`
}

export const CONTROLLER_HOSTNAME = hostname()
