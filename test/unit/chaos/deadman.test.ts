/**
 * The dead-man loop for real, on this machine, in a temp directory instead of
 * /run/hacheck, with a harmless undo (it writes a marker file). Every process
 * it starts is stopped by PID.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {
  armLocal,
  armNodeScript,
  cancelLocal,
  cancelNodeScript,
  collectNodeDeadmanLogScript,
  deadmanPaths,
  deadmanTag,
  isLocalDeadman,
  renewNodeScript,
  verifyNodeDeadmanGoneScript,
} from '../../../src/chaos/safety/deadman.js'
import type {LocalDeadman, NodeDeadman} from '../../../src/chaos/plan/types.js'
import {stopDeadmenAndRemove} from './fixtures.js'

const dirs: string[] = []
const pids: number[] = []
afterEach(() => stopDeadmenAndRemove(pids, dirs))

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-deadman-'))
  dirs.push(d)
  return d
}

const bash = (script: string): {out: string; code: number} => {
  try {
    return {out: execFileSync('bash', ['-c', script], {encoding: 'utf8'}), code: 0}
  } catch (e) {
    const err = e as {stdout?: string; status?: number}
    return {out: err.stdout ?? '', code: err.status ?? 1}
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function alive(pid: number, runId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(deadmanTag(runId))
  } catch {
    return false
  }
}

describe('node-side dead-man', () => {
  it('logs on disk (/var/log/hacheck/chaos), not in /run, so the log outlives a fencing reboot; chaos revert reads the old place too', () => {
    const p = deadmanPaths('r1')
    expect(p.lease).toBe('/run/hacheck/r1.lease')
    expect(p.log).toBe('/var/log/hacheck/chaos/r1.deadman.log')
    expect(p.legacyLog).toBe('/run/hacheck/r1.deadman.log')
    const collect = collectNodeDeadmanLogScript('r1')
    expect(collect).toContain('/var/log/hacheck/chaos/r1.deadman.log')
    expect(collect).toContain('/run/hacheck/r1.deadman.log')
    expect(
      armNodeScript('r1', {kind: 'node', node: 'n1', undo: 'true', leaseTimeoutS: 5, ttlS: 60}),
    ).toContain('mkdir -p /var/log/hacheck/chaos')
  })

  it('runs the undo when its lease is not renewed, then removes its files and leaves a log', async () => {
    const dir = tmp()
    const marker = join(dir, 'undone')
    const runId = 'dm-expire'
    const d: NodeDeadman = {
      kind: 'node',
      node: 'n1',
      undo: `echo undone > ${marker}`,
      leaseTimeoutS: 2,
      ttlS: 60,
    }
    const armed = bash(armNodeScript(runId, d, dir))
    expect(armed.code).toBe(0)
    const pid = Number(armed.out.trim())
    pids.push(pid)
    expect(alive(pid, runId)).toBe(true)
    expect(existsSync(marker)).toBe(false)
    await sleep(3500)
    expect(readFileSync(marker, 'utf8')).toBe('undone\n')
    expect(alive(pid, runId)).toBe(false)
    const p = deadmanPaths(runId, dir)
    expect(existsSync(p.lease) || existsSync(p.pid) || existsSync(p.undo)).toBe(false)
    expect(bash(verifyNodeDeadmanGoneScript(runId, pid, dir)).code).toBe(0)
    const log = bash(collectNodeDeadmanLogScript(runId, dir)).out
    expect(log).toMatch(/firing: lease not renewed for 2s/)
    expect(log).toMatch(/undo exit 0/)
    expect(existsSync(p.log)).toBe(false)
  })

  it('stays quiet while the lease is renewed, and is cancelled by PID', async () => {
    const dir = tmp()
    const marker = join(dir, 'undone')
    const runId = 'dm-renew'
    const d: NodeDeadman = {
      kind: 'node',
      node: 'n1',
      undo: `echo undone > ${marker}`,
      leaseTimeoutS: 2,
      ttlS: 60,
    }
    const pid = Number(bash(armNodeScript(runId, d, dir)).out.trim())
    pids.push(pid)
    for (let i = 0; i < 4; i++) {
      await sleep(900)
      expect(bash(renewNodeScript(runId, dir)).out.trim()).toBe('alive')
    }
    expect(existsSync(marker)).toBe(false)
    expect(bash(verifyNodeDeadmanGoneScript(runId, pid, dir)).code).toBe(1)
    expect(bash(cancelNodeScript(runId, pid, dir)).code).toBe(0)
    expect(alive(pid, runId)).toBe(false)
    expect(bash(verifyNodeDeadmanGoneScript(runId, pid, dir)).code).toBe(0)
    expect(bash(renewNodeScript(runId, dir)).out.trim()).toBe('gone')
    // Cancelling again is harmless.
    expect(bash(cancelNodeScript(runId, pid, dir)).code).toBe(0)
    await sleep(2500)
    expect(existsSync(marker)).toBe(false)
  })

  it('fires at the absolute TTL even while the lease is renewed', async () => {
    const dir = tmp()
    const marker = join(dir, 'undone')
    const runId = 'dm-ttl'
    const d: NodeDeadman = {
      kind: 'node',
      node: 'n1',
      undo: `echo undone > ${marker}`,
      leaseTimeoutS: 30,
      ttlS: 2,
    }
    const pid = Number(bash(armNodeScript(runId, d, dir)).out.trim())
    pids.push(pid)
    for (let i = 0; i < 4 && !existsSync(marker); i++) {
      bash(renewNodeScript(runId, dir))
      await sleep(900)
    }
    await sleep(600)
    expect(existsSync(marker)).toBe(true)
    expect(bash(collectNodeDeadmanLogScript(runId, dir)).out).toMatch(/ttl reached/)
  })

  it('cancel never kills a process that is not this run’s loop', () => {
    const dir = tmp()
    // PID 1 is never a dead-man: the ownership check must refuse it.
    expect(bash(cancelNodeScript('dm-none', 1, dir)).code).toBe(0)
    expect(existsSync('/proc/1')).toBe(true)
  })
})

describe('controller-side dead-man', () => {
  it('runs its undo program with the secret only in its environment, after the lease expires', async () => {
    const dir = tmp()
    const marker = join(dir, 'powered-on')
    const runId = 'dm-local'
    const d: LocalDeadman = {
      kind: 'local',
      what: 'power n1 back on',
      undo: {
        kind: 'local',
        what: 'power on',
        argv: ['bash', '-c', `echo "$IPMI_PASSWORD" > ${marker}`],
        secretEnv: {IPMI_PASSWORD: 'X'},
      },
      leaseTimeoutS: 2,
      ttlS: 60,
    }
    const armed = await armLocal(runId, d, dir, {IPMI_PASSWORD: 's3cret-value'})
    pids.push(armed.pid)
    expect(isLocalDeadman(armed.pid, runId)).toBe(true)
    expect(readFileSync(`/proc/${armed.pid}/cmdline`, 'utf8')).not.toContain('s3cret-value')
    await sleep(3500)
    expect(readFileSync(marker, 'utf8')).toBe('s3cret-value\n')
    expect(isLocalDeadman(armed.pid, runId)).toBe(false)
  })

  it('is cancelled by PID', async () => {
    const dir = tmp()
    const marker = join(dir, 'powered-on')
    const runId = 'dm-local-cancel'
    const d: LocalDeadman = {
      kind: 'local',
      what: 'power n1 back on',
      undo: {kind: 'local', what: 'power on', argv: ['touch', marker]},
      leaseTimeoutS: 2,
      ttlS: 60,
    }
    const armed = await armLocal(runId, d, dir, {})
    pids.push(armed.pid)
    await cancelLocal(runId, armed.pid, dir)
    expect(isLocalDeadman(armed.pid, runId)).toBe(false)
    await sleep(2500)
    expect(existsSync(marker)).toBe(false)
  })
})
