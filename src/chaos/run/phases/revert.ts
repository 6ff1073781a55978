/**
 * The phases that take the fault away, run whatever happened before them
 * (once a ledger exists): the revert (retried until the node answers again),
 * the verify that nothing of it is left, the dead-men cancelled by PID and
 * verified gone, and only then the ledger removed. If any of that fails, the
 * ledger and the dead-men stay: `hacheck chaos revert` and the dead-men's
 * own leases finish the job.
 */
import {
  cancelLocal,
  cancelStep,
  collectLocalLog,
  collectNodeDeadmanLogScript,
  localDeadmanDir,
  verifyNodeDeadmanGoneScript,
} from '../../safety/deadman.js'
import {removeLedger} from '../../safety/ledger.js'
import {runStep, untilHolds} from '../../safety/steps.js'
import type {NodeDeadman} from '../../plan/types.js'
import {crashPoint} from '../crash.js'
import type {RunContext} from '../context.js'
import {saveLedger, stopRenewal} from './inject.js'

/** 6. Revert and verify removed: every revert step, then every verify-removed step, each until it holds. */
export async function revert(ctx: RunContext): Promise<void> {
  const {plan, fault} = ctx
  stopRenewal(ctx)
  ctx.guard.disarm()
  const ledger = fault.ledger
  if (!ledger) return
  if (!fault.injected) {
    fault.revertDone = true
    fault.revertVerified = true
    return
  }
  // A fault without a revert (kill-process KILL) may still have clean-up steps (its saved PIDs): they run.
  if (plan.revert.length === 0) {
    if (!plan.reverts) {
      ctx.faultEvent('reverted', 'nothing to revert (declared by the fault)')
      ctx.stage('revert', 'skipped', 'this fault has no revert')
    }
    return
  }
  ledger.state = 'reverting'
  saveLedger(ctx)
  ctx.stage('revert', 'start')
  ctx.faultEvent('reverting')
  crashPoint('reverting')
  let ok = true
  for (const s of plan.revert) {
    const o = await untilHolds(ctx.stepEnv, s, plan.revertTimeoutMs)
    if (!o.ok) {
      ok = false
      ctx.errors.push(`revert failed: ${ctx.failed('revert', o)}`)
    }
  }
  fault.revertDone = ok
  if (!ok) return
  ctx.faultEvent('reverted')
  let verified = true
  for (const s of plan.verifyReverted) {
    const o = await untilHolds(ctx.stepEnv, s, plan.revertTimeoutMs)
    if (!o.ok) {
      verified = false
      ctx.errors.push(`the fault is not fully removed: ${ctx.failed('revert', o)}`)
    }
  }
  fault.revertVerified = verified
  if (verified) ctx.faultEvent('revert-verified')
  ctx.stage('revert', verified ? 'done' : 'failed')
  if (verified) crashPoint('reverted')
}

/** Cancels one node-side dead-man (by PID, after checking it is this run's loop) and verifies it is gone. */
async function cancelNodeDeadman(ctx: RunContext, d: NodeDeadman, pid: number | undefined): Promise<boolean> {
  const log = await runStep(ctx.stepEnv, {
    kind: 'node',
    node: d.node,
    what: 'collect the dead-man log',
    script: collectNodeDeadmanLogScript(ctx.runId, ctx.nodeDir),
  })
  if (log.ok && log.result?.stdout.trim()) {
    ctx.fault.deadmanFired = true
    ctx.notes.push(`dead-man on ${d.node} fired: ${log.result.stdout.trim().split('\n')[0] ?? ''}`)
  }
  const c = await untilHolds(ctx.stepEnv, cancelStep(ctx.runId, d.node, pid, ctx.nodeDir), 30_000)
  const v = await untilHolds(
    ctx.stepEnv,
    {
      kind: 'node',
      node: d.node,
      what: 'no dead-man is left',
      script: verifyNodeDeadmanGoneScript(ctx.runId, pid, ctx.nodeDir),
    },
    30_000,
  )
  if (c.ok && v.ok) return true
  ctx.errors.push(`dead-man on ${d.node} not cleaned up: ${(c.ok ? v : c).error ?? ''}`)
  return false
}

/**
 * 7. Dead-men cancelled once the revert is verified (otherwise they stay armed as the backstop), then
 * the ledger removed when they are all gone.
 */
export async function cancelDeadmen(ctx: RunContext): Promise<void> {
  const {plan, fault} = ctx
  const ledger = fault.ledger
  if (!ledger) return
  if (!fault.revertVerified) {
    if (plan.deadmen.length)
      ctx.notes.push(
        'the revert is not verified: the dead-man timers stay armed and the ledger stays for `hacheck chaos revert`',
      )
    return
  }
  let clean = true
  for (const [i, d] of plan.deadmen.entries()) {
    const pid = ledger.deadmen[i]?.pid
    if (d.kind === 'node') {
      clean = (await cancelNodeDeadman(ctx, d, pid)) && clean
      continue
    }
    const dir = localDeadmanDir(ctx.ctlState)
    await cancelLocal(ctx.runId, pid, dir)
    const fired = collectLocalLog(ctx.runId, dir)
    if (fired.trim()) {
      fault.deadmanFired = true
      ctx.notes.push(`controller-side dead-man fired: ${fired.trim().split('\n')[0] ?? ''}`)
    }
  }
  if (!clean) return
  crashPoint('deadman-cancelled')
  removeLedger(ctx.runId, ctx.deps.ledgerDir)
  fault.ledgerRemoved = true
  ctx.deps.onLedger?.(undefined)
  crashPoint('ledger-removed')
}
