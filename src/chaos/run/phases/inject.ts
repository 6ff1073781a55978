/**
 * The phases that put the fault in place, in the only safe order: the ledger
 * on disk (before anything changes), the dead-men armed and their leases
 * renewed, the inject, the verify that it really is in effect, then the hold
 * (ended early by a signal or a tripped abort condition). A phase that fails
 * throws; whatever it was, the revert phases run next (run/experiment.ts).
 */
import {IncompleteError} from '../../../core/errors.js'
import {armLocal, armStep, localDeadmanDir, renewLocal, renewNodeScript} from '../../safety/deadman.js'
import {writeLedger} from '../../safety/ledger.js'
import {explainedFailure, runStep, secretEnvOf, untilHolds} from '../../safety/steps.js'
import {now} from '../../timeline.js'
import {crashPoint} from '../crash.js'
import {sleep, stopping, type RunContext} from '../context.js'
import {ledgerOfPlan} from '../order.js'

/** Stopped before the fault was in place (a signal): nothing more is injected. */
export class StoppedRun extends Error {}

export function saveLedger(ctx: RunContext): void {
  const ledger = ctx.fault.ledger
  if (!ledger) return
  writeLedger(ledger, ctx.deps.ledgerDir)
  ctx.deps.onLedger?.(ledger)
}

/** 1. The revert ledger, written BEFORE anything changes. */
export function writeRunLedger(ctx: RunContext): void {
  const {plan, inv} = ctx
  crashPoint('before-ledger')
  if (stopping(ctx)) throw new StoppedRun()
  ctx.fault.ledger = ledgerOfPlan({runId: ctx.runId, inv, plan, nodeDir: ctx.nodeDir, deadmen: plan.deadmen})
  saveLedger(ctx)
  ctx.faultEvent('planned', ctx.plan.summary)
  crashPoint('ledger-written')
}

/** 2. The dead-men, armed before the fault; each one's PID goes to the ledger at once. */
export async function armDeadmen(ctx: RunContext): Promise<void> {
  const {plan, runId} = ctx
  const ledger = ctx.fault.ledger
  if (!ledger) return
  ctx.stage('dead-man', 'start')
  for (const [i, d] of plan.deadmen.entries()) {
    if (d.kind === 'node') {
      const o = await runStep(ctx.stepEnv, armStep(runId, d, ctx.nodeDir))
      const pid = Number(o.result?.stdout.trim().split('\n').pop())
      if (!o.ok || !Number.isInteger(pid) || pid <= 0)
        throw new IncompleteError(
          `could not arm the dead-man on ${d.node}: ${o.error ?? `no PID (${o.result?.stdout.trim() ?? ''})`}`,
        )
      ;(ledger.deadmen[i] as {pid?: number}).pid = pid
    } else {
      const env = secretEnvOf(d.undo, ctx.env)
      const armed = await armLocal(runId, d, localDeadmanDir(ctx.ctlState), env)
      ctx.fault.armedLocal.push({...armed, index: i})
      ;(ledger.deadmen[i] as {pid?: number}).pid = armed.pid
    }
    saveLedger(ctx)
  }
  ctx.stage('dead-man', 'done', plan.deadmen.length ? `${plan.deadmen.length} armed` : 'none needed')
  crashPoint('deadman-armed')
}

/** Renews every dead-man's lease once; notes a node-side dead-man that is gone (it fired, or a reboot). */
async function renewOnce(ctx: RunContext): Promise<void> {
  for (const a of ctx.fault.armedLocal) renewLocal(a.paths)
  await Promise.all(
    ctx.plan.deadmen.map(async (d) => {
      if (d.kind !== 'node') return
      const node = ctx.stepEnv.nodes.get(d.node)
      if (!node) return
      try {
        const r = await ctx.deps.runner.run(node, {
          script: renewNodeScript(ctx.runId, ctx.nodeDir),
          sudo: true,
          timeoutMs: 5000,
        })
        if (r.stdout.trim() === 'gone' && !ctx.fault.deadmanGone.has(d.node) && !ctx.fault.revertDone) {
          ctx.fault.deadmanGone.add(d.node)
          ctx.record({
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

/** Renews the leases every renewMs (2 s) until stopRenewal. */
export function startRenewal(ctx: RunContext): void {
  const renewMs = ctx.deps.renewMs ?? 2000
  const loop = (): void => {
    ctx.fault.renewTimer = setTimeout(() => {
      void renewOnce(ctx).finally(() => {
        if (ctx.fault.renewTimer !== undefined) loop()
      })
    }, renewMs)
  }
  loop()
}

export function stopRenewal(ctx: RunContext): void {
  if (ctx.fault.renewTimer !== undefined) clearTimeout(ctx.fault.renewTimer)
  ctx.fault.renewTimer = undefined
}

/**
 * 3. The inject. Its time is placed on the node half a round trip before the answer came back; a step
 * whose failure the plan explains (tc without sch_netem) fails in those words.
 */
export async function inject(ctx: RunContext): Promise<void> {
  const {plan} = ctx
  const ledger = ctx.fault.ledger
  if (!ledger) return
  if (stopping(ctx)) throw new StoppedRun()
  ledger.state = 'injecting'
  saveLedger(ctx)
  ctx.stage('inject', 'start', plan.summary)
  ctx.faultEvent('injecting')
  ctx.fault.injected = true
  let injectedAt: number | null = null
  for (const s of plan.inject) {
    const sent = now()
    const o = await runStep(ctx.stepEnv, s)
    const received = now()
    if (!o.ok) {
      const known = explainedFailure(o)
      const msg = known ? known.message : ctx.failed('inject', o)
      if (known) ctx.stage('inject', 'failed', msg)
      ctx.faultEvent('failed', msg)
      throw new IncompleteError(msg, {code: known?.code ?? 'inject-failed'})
    }
    const rtt = s.kind === 'node' ? (ctx.offsets.get(s.node)?.rttMs ?? received - sent) : 0
    injectedAt = s.kind === 'node' ? Math.max(sent, received - rtt / 2) : (sent + received) / 2
  }
  ctx.fault.injectedAt = injectedAt ?? now()
  ctx.faultEvent('injected', undefined, ctx.fault.injectedAt)
  ctx.guard.arm()
  ledger.state = 'injected'
  saveLedger(ctx)
  ctx.stage('inject', 'done')
  crashPoint('injected')
}

/** 4. The fault is really in effect (each verify step retried with backoff up to verifyTimeoutMs). */
export async function verify(ctx: RunContext): Promise<void> {
  ctx.stage('verify', 'start')
  for (const s of ctx.plan.verify) {
    const o = await untilHolds({...ctx.stepEnv, abort: ctx.hold.signal}, s, ctx.plan.verifyTimeoutMs)
    // Stopped while verifying: revert now, the run says why.
    if (!o.ok && stopping(ctx)) throw new StoppedRun()
    if (!o.ok) {
      const msg = ctx.failed('verify', o)
      ctx.faultEvent('failed', `not in effect: ${msg}`)
      throw new IncompleteError(`the fault is not in effect: ${msg}`, {code: 'verify-failed'})
    }
  }
  ctx.faultEvent('verified')
  ctx.stage('verify', 'done')
  crashPoint('verified')
}

/** 5. The hold: until injection + holdMs, or at once on a signal or a tripped abort condition. */
export async function hold(ctx: RunContext): Promise<void> {
  ctx.stage('hold', 'start', `${ctx.plan.holdMs} ms`)
  crashPoint('holding')
  const end = (ctx.fault.injectedAt ?? now()) + ctx.plan.holdMs
  await sleep(Math.max(0, end - now()), ctx.hold.signal)
  if (ctx.aborted) ctx.stage('hold', 'failed', `${ctx.aborted.reason}: reverting now`)
  else ctx.stage('hold', 'done')
}
