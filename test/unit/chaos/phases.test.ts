/**
 * The runner's phases (run/phases/), each on its own over one RunContext, with disk-fill planned into a
 * throwaway directory and every "node" step run for real by bash on this machine (the node-side state
 * dir and the ledger dir are throwaway too). What each phase must leave behind is checked after it, not
 * only at the end of a run: the ledger is on disk before anything changes, the dead-man's PID is in it
 * before the inject, the ledger says `injected` once the fault is there, and it is removed only once the
 * revert is verified and the dead-man is gone. The dead-man loops this starts are stopped by PID.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import diskFill, {fillFile} from '../../../src/chaos/faults/disk-fill.js'
import type {AnyFault} from '../../../src/chaos/faults/parts/define.js'
import {newContext, type RunContext} from '../../../src/chaos/run/context.js'
import {recovered} from '../../../src/chaos/run/phases/after.js'
import {armDeadmen, inject, StoppedRun, verify, writeRunLedger} from '../../../src/chaos/run/phases/inject.js'
import {cancelDeadmen, revert} from '../../../src/chaos/run/phases/revert.js'
import {readLedgers} from '../../../src/chaos/safety/ledger.js'
import {BashRunner, deadmanAlive, okPlan, planInput, planOf, stopDeadmenAndRemove} from './fixtures.js'

const dirs: string[] = []
const pids: number[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-phases-'))
  dirs.push(d)
  return d
}

afterEach(() => stopDeadmenAndRemove(pids, dirs))

/** A disk-fill of n2 into a throwaway directory, and the context the runner would make for it. */
function setup(
  runId: string,
  abort?: AbortSignal,
): {ctx: RunContext; dir: string; ledgerDir: string; file: string} {
  const dir = tmp()
  const ledgerDir = tmp()
  const input = planInput({runId, holdMs: 1000})
  const plan = okPlan(planOf(diskFill as unknown as AnyFault, 'n2', {path: dir, size: '1M'}, input))
  const ctx = newContext(
    {
      runId,
      inventory: input.inventory,
      plan,
      baselineMs: 0,
      settleMs: 0,
      observe: false,
      readLogs: false,
      expectations: [],
    },
    {
      runner: new BashRunner(),
      local: async () => ({stdout: '', stderr: '', exitCode: 0, durationMs: 0}),
      nodeStateDir: tmp(),
      stateDir: tmp(),
      ledgerDir,
      renewMs: 300,
      ...(abort ? {abort} : {}),
    },
  )
  return {ctx, dir, ledgerDir, file: fillFile(dir, runId)}
}

const ledgerOf = (ledgerDir: string) => readLedgers(ledgerDir)[0]?.entry

/** The first two phases (ledger, then dead-man); the dead-man's PID, to stop it after the test. */
async function ledgerAndDeadman(ctx: RunContext, ledgerDir: string): Promise<number | undefined> {
  writeRunLedger(ctx)
  await armDeadmen(ctx)
  const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
  if (pid !== undefined) pids.push(pid)
  return pid
}

describe('the runner phases, one by one', () => {
  it('writeRunLedger: the ledger is on disk, with the revert steps, before anything changes', () => {
    const {ctx, ledgerDir, file} = setup('ph-ledger')
    writeRunLedger(ctx)
    const entry = ledgerOf(ledgerDir)
    expect(entry).toMatchObject({runId: 'ph-ledger', fault: 'disk-fill', state: 'armed', targets: ['n2']})
    expect(entry?.revert.map((s) => s.what)).toEqual([`remove ${file}`])
    expect(existsSync(file)).toBe(false)
    expect(ctx.timeline.map((e) => e.kind === 'fault' && e.phase)).toEqual(['planned'])
  })

  it('writeRunLedger: a run stopped before it (a signal) writes nothing and says so', () => {
    const ac = new AbortController()
    ac.abort()
    const {ctx, ledgerDir} = setup('ph-stopped', ac.signal)
    expect(() => writeRunLedger(ctx)).toThrow(StoppedRun)
    expect(readLedgers(ledgerDir)).toEqual([])
    expect(ctx.aborted).toEqual({by: 'signal', reason: 'interrupted (SIGINT or SIGTERM)'})
  })

  it('armDeadmen → inject → verify → revert → cancelDeadmen: each leaves what the next one relies on', async () => {
    const {ctx, ledgerDir, file} = setup('ph-all')
    writeRunLedger(ctx)

    await armDeadmen(ctx)
    const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
    if (pid !== undefined) pids.push(pid)
    expect(deadmanAlive(pid, 'ph-all')).toBe(true)
    expect(existsSync(file)).toBe(false)

    await inject(ctx)
    expect(existsSync(file)).toBe(true)
    expect(ctx.fault).toMatchObject({injected: true})
    expect(ctx.fault.injectedAt).toBeGreaterThan(0)
    expect(ledgerOf(ledgerDir)?.state).toBe('injected')

    await verify(ctx)
    expect(ctx.timeline.filter((e) => e.kind === 'fault').map((e) => e.kind === 'fault' && e.phase)).toEqual([
      'planned',
      'injecting',
      'injected',
      'verified',
    ])

    await revert(ctx)
    expect(existsSync(file)).toBe(false)
    expect(ctx.fault).toMatchObject({revertDone: true, revertVerified: true})
    // Still there until the dead-man is gone: chaos revert would need it.
    expect(ledgerOf(ledgerDir)?.state).toBe('reverting')

    await cancelDeadmen(ctx)
    expect(deadmanAlive(pid, 'ph-all')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
    expect(ctx.fault.ledgerRemoved).toBe(true)
    expect(ctx.errors).toEqual([])
  })

  it('verify: a fault that is not in effect fails the run, and the revert still runs after it', async () => {
    const {ctx, ledgerDir, file} = setup('ph-noeffect')
    const pid = await ledgerAndDeadman(ctx, ledgerDir)
    await inject(ctx)
    rmSync(file)
    ctx.plan.verifyTimeoutMs = 300
    await expect(verify(ctx)).rejects.toThrow(/^the fault is not in effect: .*is there/)
    await revert(ctx)
    await cancelDeadmen(ctx)
    expect(deadmanAlive(pid, 'ph-noeffect')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
  })

  it('cancelDeadmen: a revert that is not verified keeps the ledger and the dead-man (the backstop)', async () => {
    const {ctx, ledgerDir, file} = setup('ph-unverified')
    const pid = await ledgerAndDeadman(ctx, ledgerDir)
    await inject(ctx)
    // A revert that leaves the file in place: it runs, but cannot be verified.
    ctx.plan.revert = [{kind: 'node', node: 'n2', what: 'a revert that does nothing', script: 'true'}]
    ctx.plan.revertTimeoutMs = 300
    await revert(ctx)
    expect(ctx.fault).toMatchObject({revertDone: true, revertVerified: false})
    await cancelDeadmen(ctx)
    expect(ledgerOf(ledgerDir)?.runId).toBe('ph-unverified')
    expect(deadmanAlive(pid, 'ph-unverified')).toBe(true)
    expect(ctx.notes.at(-1)).toMatch(/the revert is not verified: the dead-man timers stay armed/)
    expect(existsSync(file)).toBe(true)
  })

  it('revert: nothing was injected (stopped after the dead-man), so there is nothing to undo or verify', async () => {
    const {ctx, ledgerDir} = setup('ph-notinjected')
    const pid = await ledgerAndDeadman(ctx, ledgerDir)
    await revert(ctx)
    expect(ctx.fault).toMatchObject({injected: false, revertDone: true, revertVerified: true})
    await cancelDeadmen(ctx)
    expect(deadmanAlive(pid, 'ph-notinjected')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
  })

  it('recovered: clients count as recovered once the last 3 s hold successful operations only', () => {
    const {ctx} = setup('ph-recovered')
    ctx.workload = {describe: () => '', start: () => {}, stop: async () => {}, settleLagMs: 0}
    const probe = (t: number, ok: boolean) => ({
      kind: 'probe' as const,
      t,
      probe: 'http' as const,
      ok,
      latencyMs: 1,
    })
    ctx.timeline.push(probe(1000, false), ...[2000, 3000, 4000, 5000].map((t) => probe(t, true)))
    expect(recovered(ctx, 4000)).toBe(false)
    expect(recovered(ctx, 5000)).toBe(true)
    ctx.timeline.push(probe(5200, false))
    expect(recovered(ctx, 5500)).toBe(false)
    // No operation at all in the window is not a recovery either.
    expect(recovered(ctx, 20_000)).toBe(false)
  })
})
