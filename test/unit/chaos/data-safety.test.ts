/**
 * The safety net of a data-tier run (run/data-safety.ts): the ledger built from the data fault's plan, then
 * the whole life of one run's ledger and dead-men, with disk-fill planned into a throwaway directory and
 * every "node" step run for real by bash on this machine (node-side state and ledger dirs are throwaway).
 * An interrupted run (hacheck gone before the revert) is left to its dead-man and then to the same replay
 * `hacheck chaos revert` does, which must find it, report the dead-man's firing and leave nothing.
 */
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import diskFill, {fillFile} from '../../../src/chaos/faults/disk-fill.js'
import type {AnyFault} from '../../../src/chaos/faults/parts/define.js'
import {planGaleraPartition} from '../../../src/chaos/faults/parts/galera-partition.js'
import {NODE_STATE_DIR} from '../../../src/chaos/plan/types.js'
import {dataLedger, DataSafety} from '../../../src/chaos/run/data-safety.js'
import {readLedgers, replayLedger} from '../../../src/chaos/safety/ledger.js'
import {runStep, type StepEnv} from '../../../src/chaos/safety/steps.js'
import type {Inventory} from '../../../src/core/types.js'
import {
  BashRunner,
  deadmanAlive,
  labInventory,
  okPlan,
  planInput,
  planOf,
  stopDeadmenAndRemove,
} from './fixtures.js'

const dirs: string[] = []
const pids: number[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-data-safety-'))
  dirs.push(d)
  return d
}
afterEach(() => stopDeadmenAndRemove(pids, dirs))

const galeraInventory = (): Inventory => {
  const inv = labInventory()
  return {...inv, nodes: inv.nodes.map((n) => ({...n, roles: ['galera']}))}
}

/** A disk-fill of n2 into a throwaway directory (dead-man lease 3 s), and the safety net of its run. */
function setup(runId: string) {
  const dir = tmp()
  const ledgerDir = tmp()
  const nodeStateDir = tmp()
  const input = planInput({runId, holdMs: 1000, lease: {timeoutS: 3, ttlMarginS: 120}})
  const plan = okPlan(planOf(diskFill as unknown as AnyFault, 'n2', {path: dir, size: '1M'}, input))
  const env: StepEnv = {
    runner: new BashRunner(),
    local: () => Promise.reject(new Error('no controller steps')),
    nodes: new Map(input.inventory.nodes.map((n) => [n.name, n])),
  }
  const seen: (string | undefined)[] = []
  const safety = new DataSafety(env, runId, input.inventory, plan, {
    ledgerDir,
    nodeStateDir,
    renewMs: 300,
    onLedger: (e) => seen.push(e?.state),
  })
  const injectAll = async (): Promise<void> => {
    for (const s of plan.inject) expect((await runStep(env, s)).ok).toBe(true)
  }
  return {safety, env, plan, ledgerDir, nodeStateDir, file: fillFile(dir, runId), seen, injectAll}
}

const ledgerOf = (dir: string) => readLedgers(dir)[0]?.entry

describe('the ledger of a data-tier run', () => {
  it('holds what undoes a Galera partition without the inventory: every member, its revert, its dead-man', () => {
    const input = planInput({inventory: galeraInventory()})
    const plan = okPlan(planGaleraPartition(input, 'n3'))
    const e = dataLedger('r1', input.inventory, plan, NODE_STATE_DIR)
    expect(e).toMatchObject({
      schemaVersion: 2,
      runId: 'r1',
      fault: 'partition',
      targets: ['n3'],
      state: 'armed',
    })
    expect(e.summary).toBe('Galera: cut n3 off from the other members for 30 s')
    expect(e.nodes.map((n) => `${n.name}@${n.host}`)).toEqual(
      input.inventory.nodes.map((n) => `${n.name}@${n.host}`),
    )
    expect(e.revert).toEqual(plan.revert)
    expect(e.verifyReverted).toEqual(plan.verifyReverted)
    expect(e.deadmen.map((d) => (d.deadman.kind === 'node' ? d.deadman.node : ''))).toEqual([
      'n1',
      'n2',
      'n3',
    ])
    expect(e.deadmen.every((d) => d.pid === undefined)).toBe(true)
    expect(e.nodeStateDir).toBeUndefined()
    expect(dataLedger('r1', input.inventory, plan, '/tmp/x').nodeStateDir).toBe('/tmp/x')
  })

  it('is on disk before the dead-men are armed, carries their PIDs before the inject, and is removed once the revert is verified', async () => {
    const {safety, ledgerDir, nodeStateDir, file, seen, injectAll} = setup('ds-all')
    safety.save('armed')
    expect(ledgerOf(ledgerDir)).toMatchObject({runId: 'ds-all', state: 'armed', nodeStateDir})
    expect(ledgerOf(ledgerDir)?.deadmen[0]?.pid).toBeUndefined()

    await safety.arm()
    const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
    if (pid !== undefined) pids.push(pid)
    expect(deadmanAlive(pid, 'ds-all')).toBe(true)
    safety.save('injecting')
    await injectAll()
    safety.save('injected')
    expect(existsSync(file)).toBe(true)
    expect(ledgerOf(ledgerDir)?.state).toBe('injected')
    // Held past the 3 s lease: the background renewal keeps the dead-man from firing.
    await new Promise((r) => setTimeout(r, 4000))
    expect(existsSync(file)).toBe(true)

    const errors: string[] = []
    expect(await safety.revert(true, errors)).toBe(true)
    expect(existsSync(file)).toBe(false)
    const fired: string[] = []
    expect(await safety.finish(true, errors, fired)).toBe(true)
    expect(errors).toEqual([])
    expect(fired).toEqual([])
    expect(deadmanAlive(pid, 'ds-all')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
    expect(seen).toEqual(['armed', 'armed', 'injecting', 'injected', 'reverting', undefined])
  }, 20_000)

  it('keeps the ledger and the armed dead-men when the revert is not verified', async () => {
    const {safety, ledgerDir} = setup('ds-unverified')
    safety.save('armed')
    await safety.arm()
    const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
    if (pid !== undefined) pids.push(pid)
    const errors: string[] = []
    expect(await safety.finish(false, errors, [])).toBe(false)
    expect(errors).toEqual([
      'the revert is not verified: the dead-man timers stay armed and the ledger stays for `hacheck chaos revert`',
    ])
    expect(deadmanAlive(pid, 'ds-unverified')).toBe(true)
    expect(readLedgers(ledgerDir)).toHaveLength(1)
    safety.stopRenewal()
  })

  it('removes the ledger without a revert when nothing was injected (stopped right after arming)', async () => {
    const {safety, ledgerDir, file} = setup('ds-early')
    safety.save('armed')
    await safety.arm()
    const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
    if (pid !== undefined) pids.push(pid)
    const errors: string[] = []
    expect(await safety.revert(false, errors)).toBe(true)
    expect(await safety.finish(true, errors, [])).toBe(true)
    expect(errors).toEqual([])
    expect(existsSync(file)).toBe(false)
    expect(deadmanAlive(pid, 'ds-early')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
  })

  it('left behind by a run that died during the hold: the dead-man reverts on its own, the replay of chaos revert reports it and leaves nothing', async () => {
    const {safety, env, ledgerDir, nodeStateDir, file, injectAll} = setup('ds-killed')
    safety.save('armed')
    await safety.arm()
    const pid = ledgerOf(ledgerDir)?.deadmen[0]?.pid
    if (pid !== undefined) pids.push(pid)
    safety.save('injecting')
    await injectAll()
    safety.save('injected')
    // hacheck dies: nobody renews the lease any more.
    safety.stopRenewal()
    const start = Date.now()
    while (existsSync(file) && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 200))
    expect(existsSync(file)).toBe(false)
    const entry = ledgerOf(ledgerDir)
    expect(entry?.state).toBe('injected')
    expect(entry?.nodeStateDir).toBe(nodeStateDir)
    const report = await replayLedger(entry!, env, {
      dir: ledgerDir,
      stateDir: tmp(),
      force: true,
      retryMs: 5000,
    })
    expect(report.cleaned).toBe(true)
    expect(report.actions.filter((a) => !a.ok)).toEqual([])
    expect(report.deadmanLogs[0]?.text).toMatch(/firing: lease not renewed/)
    expect(deadmanAlive(pid, 'ds-killed')).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
  }, 20_000)
})
