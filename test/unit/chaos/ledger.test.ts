/**
 * The revert ledger: atomic writes, and replay through a REAL CommandRunner
 * (the SSH pool against a real sshd on 127.0.0.1 from test/support/sshd.ts),
 * with real dead-man loops armed in a temp directory and harmless undo steps.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {armLocal, armNodeScript, deadmanTag, localDeadmanDir} from '../../../src/chaos/safety/deadman.js'
import {
  ledgerPath,
  manualRevert,
  newLedger,
  readLedgers,
  replayLedger,
  writeLedger,
  type LedgerEntry,
} from '../../../src/chaos/safety/ledger.js'
import type {StepEnv} from '../../../src/chaos/safety/steps.js'
import type {NodeSpec} from '../../../src/core/types.js'
import {createSshPool, runLocal, type SshPool} from '../../../src/transport/index.js'
import {canRunSshd, nodeFor, type Sshd, startSshd} from '../../support/sshd.js'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-ledger-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

function alive(pid: number, runId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(deadmanTag(runId))
  } catch {
    return false
  }
}

describe('ledger files', () => {
  it('are written atomically and read back; a broken one is reported, not fatal', () => {
    const dir = tmp()
    const e = newLedger({
      runId: 'r1',
      fault: 'link-pull',
      targets: ['n1'],
      summary: 's',
      nodes: [],
      revert: [],
      verifyReverted: [],
      deadmen: [],
    })
    writeLedger(e, dir)
    writeFileSync(join(dir, 'broken.json'), '{"schemaVersion": 1, ')
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([])
    const files = readLedgers(dir)
    expect(files.map((f) => [f.file.split('/').pop(), f.entry?.runId, f.error?.split(':')[0]])).toEqual([
      ['broken.json', undefined, 'unreadable'],
      ['r1.json', 'r1', undefined],
    ])
    expect(readLedgers(join(dir, 'none'))).toEqual([])
  })
})

describe.skipIf(!canRunSshd())('replaying a ledger through a real sshd', () => {
  let sshd: Sshd
  let pool: SshPool
  let node: NodeSpec
  let env: StepEnv

  beforeAll(async () => {
    sshd = await startSshd()
    const kh = join(sshd.dir, 'known_hosts')
    await writeFile(kh, sshd.knownHostsLine + '\n')
    pool = createSshPool({
      knownHostsFiles: [kh],
      ownKnownHostsFile: join(sshd.dir, 'own'),
      sshConfigFile: false,
      agentSocket: false,
    })
    node = nodeFor(sshd, 'n1')
    env = {runner: pool, local: (argv, o) => runLocal(argv, o), nodes: new Map([['n1', node]])}
  })
  afterAll(async () => {
    await pool?.close()
    await sshd?.stop()
  })

  function faultLedger(
    runId: string,
    work: string,
    ledgerDir: string,
    extra: Partial<LedgerEntry> = {},
  ): LedgerEntry {
    const e = newLedger({
      runId,
      fault: 'link-pull',
      targets: ['n1'],
      summary: 'a pretend fault (a marker file)',
      nodes: [node],
      revert: [{kind: 'node', node: 'n1', what: 'remove the marker', script: `rm -f ${work}/fault-marker`}],
      verifyReverted: [
        {kind: 'node', node: 'n1', what: 'the marker is gone', script: `[ ! -e ${work}/fault-marker ]`},
      ],
      deadmen: [],
      nodeStateDir: work,
      ...extra,
    })
    // Written by a hacheck that no longer exists.
    e.controller.pid = 999_999_999
    writeLedger(e, ledgerDir)
    return e
  }

  it('runs the undo, cancels the dead-men by PID, verifies, removes the ledger; a second replay finds nothing', async () => {
    const work = tmp()
    const ledgerDir = tmp()
    const ctlState = tmp()
    const runId = 'replay-ok'
    writeFileSync(join(work, 'fault-marker'), 'fault in place\n')
    // A real node-side dead-man, armed over SSH, with a long lease: it must be cancelled, not fire.
    const nd = {
      kind: 'node' as const,
      node: 'n1',
      undo: `touch ${work}/deadman-fired`,
      leaseTimeoutS: 120,
      ttlS: 600,
    }
    const armed = await pool.run(node, {script: armNodeScript(runId, nd, work)})
    const nodePid = Number(armed.stdout.trim())
    expect(alive(nodePid, runId)).toBe(true)
    // And a controller-side one.
    const ld = {
      kind: 'local' as const,
      what: 'pretend power-on',
      undo: {kind: 'local' as const, what: 'touch', argv: ['touch', join(work, 'local-fired')]},
      leaseTimeoutS: 120,
      ttlS: 600,
    }
    const local = await armLocal(runId, ld, localDeadmanDir(ctlState), {})
    const e = faultLedger(runId, work, ledgerDir, {
      deadmen: [
        {deadman: nd, pid: nodePid},
        {deadman: ld, pid: local.pid},
      ],
    })

    const report = await replayLedger(e, env, {dir: ledgerDir, stateDir: ctlState, retryMs: 5000})
    expect(report.cleaned).toBe(true)
    expect(report.actions.every((a) => a.ok)).toBe(true)
    expect(report.actions.map((a) => a.what)).toEqual([
      'remove the marker',
      'cancel the dead-man on n1',
      'cancel the controller-side dead-man (pretend power-on)',
      'verify: the marker is gone',
      'verify: no dead-man of this run is left on n1',
    ])
    expect(existsSync(join(work, 'fault-marker'))).toBe(false)
    expect(alive(nodePid, runId)).toBe(false)
    expect(alive(local.pid, runId)).toBe(false)
    expect(existsSync(ledgerPath(runId, ledgerDir))).toBe(false)
    expect(existsSync(join(work, 'deadman-fired')) || existsSync(join(work, 'local-fired'))).toBe(false)
    expect(readLedgers(ledgerDir)).toEqual([])
    // Idempotent: replaying the same entry again is harmless and still clean.
    const again = await replayLedger(e, env, {dir: ledgerDir, stateDir: ctlState, retryMs: 2000})
    expect(again.cleaned).toBe(true)
  })

  it('reports what a dead-man that fired on its own did', async () => {
    const work = tmp()
    const ledgerDir = tmp()
    const runId = 'replay-fired'
    writeFileSync(join(work, 'fault-marker'), 'x')
    const nd = {
      kind: 'node' as const,
      node: 'n1',
      undo: `rm -f ${work}/fault-marker`,
      leaseTimeoutS: 1,
      ttlS: 600,
    }
    const pid = Number((await pool.run(node, {script: armNodeScript(runId, nd, work)})).stdout.trim())
    const e = faultLedger(runId, work, ledgerDir, {deadmen: [{deadman: nd, pid}]})
    for (let i = 0; i < 40 && existsSync(join(work, 'fault-marker')); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(join(work, 'fault-marker'))).toBe(false)
    const report = await replayLedger(e, env, {dir: ledgerDir, stateDir: tmp(), retryMs: 2000})
    expect(report.cleaned).toBe(true)
    expect(report.deadmanLogs).toEqual([
      {where: 'n1', text: expect.stringMatching(/firing: lease not renewed for 1s[\s\S]*undo exit 0/)},
    ])
  })

  it('keeps the ledger when a node cannot be reached, and says what failed', async () => {
    const ledgerDir = tmp()
    const work = tmp()
    const gone: NodeSpec = {...node, name: 'n9', port: 1}
    const e = newLedger({
      runId: 'replay-unreachable',
      fault: 'link-pull',
      targets: ['n9'],
      summary: 's',
      nodes: [gone],
      revert: [{kind: 'node', node: 'n9', what: 'undo on n9', script: 'true'}],
      verifyReverted: [],
      deadmen: [],
      nodeStateDir: work,
    })
    e.controller.pid = 999_999_999
    writeLedger(e, ledgerDir)
    const report = await replayLedger(e, env, {dir: ledgerDir, stateDir: tmp(), retryMs: 500})
    expect(report.cleaned).toBe(false)
    expect(report.actions[0]).toMatchObject({
      what: 'undo on n9',
      ok: false,
      detail: expect.stringMatching(/n9/),
    })
    expect(existsSync(ledgerPath('replay-unreachable', ledgerDir))).toBe(true)
  })

  it('leaves alone a run whose hacheck process is still alive (unless forced)', async () => {
    const ledgerDir = tmp()
    const work = tmp()
    const writer: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      stdio: 'ignore',
    })
    try {
      const e = faultLedger('replay-alive', work, ledgerDir)
      e.controller.pid = writer.pid as number
      const report = await replayLedger(e, env, {dir: ledgerDir, stateDir: tmp()})
      expect(report.skipped).toMatch(/still in progress/)
      expect(existsSync(ledgerPath('replay-alive', ledgerDir))).toBe(true)
      expect((await replayLedger(e, env, {dir: ledgerDir, stateDir: tmp(), force: true})).cleaned).toBe(true)
    } finally {
      writer.kill('SIGKILL')
    }
  })

  it('prints manual commands that name the node and never a secret', () => {
    const e = newLedger({
      runId: 'manual',
      fault: 'power-off',
      targets: ['n1'],
      summary: 's',
      nodes: [node],
      revert: [
        {
          kind: 'local',
          what: 'power n1 on',
          argv: [
            'ipmitool',
            '-I',
            'lanplus',
            '-C',
            '3',
            '-H',
            '198.18.3.101',
            '-U',
            'admin',
            '-E',
            'chassis',
            'power',
            'on',
          ],
          secretEnv: {IPMI_PASSWORD: 'LAB_BMC_PASSWORD'},
        },
        {kind: 'node', node: 'n1', what: 'x', script: 'echo hi'},
      ],
      verifyReverted: [],
      deadmen: [],
    })
    const text = manualRevert(e).join('\n')
    expect(text).toContain(
      'IPMI_PASSWORD="$LAB_BMC_PASSWORD" ipmitool -I lanplus -C 3 -H 198.18.3.101 -U admin -E chassis power on',
    )
    expect(text).toContain(`root@127.0.0.1`)
    expect(text).toContain(`-p ${sshd.port}`)
  })
})
