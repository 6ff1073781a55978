/**
 * The whole experiment flow (ledger → dead-man → inject → verify → hold →
 * revert → verify removed → dead-man cancelled → ledger removed), for real,
 * with a CommandRunner that runs each "node" command inside a throwaway
 * network namespace on this machine (never the host's own firewall). No
 * cluster: the observer, logs and workload are off.
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import linkPull from '../../../src/chaos/faults/link-pull.js'
import netemFault from '../../../src/chaos/faults/netem.js'
import {readLedgers, type LedgerEntry} from '../../../src/chaos/safety/ledger.js'
import {runExperiment, type ExperimentSpec} from '../../../src/chaos/run/experiment.js'
import type {ProgressEvent} from '../../../src/chaos/run/progress.js'
import type {FaultPlan, PlanResult} from '../../../src/chaos/plan/types.js'
import type {CommandResult, CommandRunner, CommandSpec, NodeSpec} from '../../../src/core/types.js'
import {planInput, planOf} from './fixtures.js'

function canUnshare(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/bin/nsenter') && existsSync('/usr/bin/unshare')
}

/** Runs commands in the network namespace of `pid` (a `unshare --net sleep` this test started). */
class NetnsRunner implements CommandRunner {
  constructor(private readonly pid: number) {}
  run(_node: NodeSpec, cmd: CommandSpec): Promise<CommandResult> {
    const started = performance.now()
    const argv = cmd.argv ? [...cmd.argv] : ['bash', '-s']
    return new Promise((resolve) => {
      const child = execFile(
        'nsenter',
        ['-t', String(this.pid), '-n', ...argv],
        {
          timeout: cmd.timeoutMs ?? 30_000,
          env: {...process.env, LC_ALL: 'C', SSH_CONNECTION: '198.18.2.1 40001 198.18.2.11 22'},
        },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as {code?: unknown}).code === 'number'
              ? (err as {code: number}).code
              : null
            : 0
          resolve({stdout, stderr, exitCode: code, durationMs: performance.now() - started})
        },
      )
      if (cmd.script !== undefined) child.stdin?.end(`{\n${cmd.script}\n}; exit $?\n`)
      else child.stdin?.end()
    })
  }
  async close(): Promise<void> {}
}

const ok = (r: PlanResult): FaultPlan => {
  if (!r.ok) throw new Error(r.reason)
  return r.plan
}

describe.skipIf(!canUnshare())('the experiment runner, end to end in a throwaway network namespace', () => {
  let ns: ChildProcess
  let runner: NetnsRunner
  const dirs: string[] = []
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'hacheck-runner-'))
    dirs.push(d)
    return d
  }
  const inNs = (script: string): Promise<CommandResult> =>
    runner.run({name: 'n1', host: 'x', roles: [], ssh: {}}, {script})

  beforeAll(async () => {
    ns = spawn('unshare', ['--net', 'sleep', '600'], {stdio: 'ignore'})
    await new Promise((r) => setTimeout(r, 300))
    runner = new NetnsRunner(ns.pid as number)
    await inNs('ip link set lo up')
  })
  afterAll(() => {
    ns?.kill('SIGKILL')
    for (const d of dirs) rmSync(d, {recursive: true, force: true})
  })

  function spec(plan: FaultPlan, runId: string): ExperimentSpec {
    return {
      runId,
      inventory: planInput().inventory,
      plan,
      baselineMs: 0,
      settleMs: 0,
      observe: false,
      readLogs: false,
      expectations: [],
    }
  }

  it('link-pull on lo: every phase in order, the ledger only while the fault is there, nothing left after', async () => {
    const runId = 'netns-link-pull'
    const nodeDir = tmp()
    const ledgerDir = tmp()
    const plan = ok(
      planOf(linkPull, 'n1', {interface: 'lo', method: 'iptables'}, planInput({runId, holdMs: 1500})),
    )
    const during: {ledger?: LedgerEntry; chain?: boolean; ping?: number | null; deadman?: boolean} = {}
    const progress = (p: ProgressEvent): void => {
      if (p.type === 'stage' && p.stage === 'hold' && p.state === 'start') {
        void (async () => {
          during.ledger = readLedgers(ledgerDir)[0]?.entry
          during.chain = (await inNs('iptables -S HACHECK >/dev/null 2>&1')).exitCode === 0
          during.ping = (await inNs('ping -c1 -W1 127.0.0.1 >/dev/null')).exitCode
          during.deadman =
            (
              await inNs(
                `tr '\\0' ' ' < /proc/$(cat ${nodeDir}/${runId}.deadman.pid)/cmdline | grep -q hacheck-deadman-${runId}`,
              )
            ).exitCode === 0
        })()
      }
    }
    const {result, timeline} = await runExperiment(spec(plan, runId), {
      runner,
      local: async () => ({stdout: '', stderr: '', exitCode: 0, durationMs: 0}),
      nodeStateDir: nodeDir,
      stateDir: tmp(),
      ledgerDir,
      renewMs: 300,
      progress,
    })
    expect(result.errors).toEqual([])
    expect(
      timeline.filter((e) => e.kind === 'fault').map((e) => (e.kind === 'fault' ? e.phase : '')),
    ).toEqual(['planned', 'injecting', 'injected', 'verified', 'reverting', 'reverted', 'revert-verified'])
    expect(during).toMatchObject({chain: true, ping: 1, deadman: true})
    expect(during.ledger).toMatchObject({runId, state: 'injected', fault: 'link-pull'})
    expect(during.ledger?.deadmen[0]?.pid).toBeGreaterThan(0)
    expect(result.revert).toEqual({
      planned: true,
      done: true,
      verified: true,
      deadmanFired: false,
      ledgerRemoved: true,
    })
    expect(readLedgers(ledgerDir)).toEqual([])
    expect((await inNs('iptables -S')).stdout).not.toContain('HACHECK')
    expect((await inNs('ping -c1 -W1 127.0.0.1 >/dev/null')).exitCode).toBe(0)
    expect(existsSync(join(nodeDir, `${runId}.lease`))).toBe(false)
    const injected = timeline.find((e) => e.kind === 'fault' && e.phase === 'injected')?.t ?? 0
    const reverting = timeline.find((e) => e.kind === 'fault' && e.phase === 'reverting')?.t ?? 0
    expect(reverting - injected).toBeGreaterThanOrEqual(1400)
    expect(result.status).toBe('pass')
  })

  it('netem where the kernel has no sch_netem: a clear error, the revert still verified, nothing left', async () => {
    const runId = 'netns-netem'
    const ledgerDir = tmp()
    const plan = ok(
      planOf(
        netemFault,
        'n1',
        {interface: 'lo', method: 'netem', delay: '100ms'},
        planInput({runId, holdMs: 1000}),
      ),
    )
    const {result} = await runExperiment(spec(plan, runId), {
      runner,
      local: async () => ({stdout: '', stderr: '', exitCode: 0, durationMs: 0}),
      nodeStateDir: tmp(),
      stateDir: tmp(),
      ledgerDir,
      renewMs: 300,
    })
    const netem =
      (
        await inNs(
          'tc qdisc add dev lo root handle 4843: netem delay 1ms && tc qdisc del dev lo root handle 4843:',
        )
      ).exitCode === 0
    if (netem) {
      expect(result.status).toBe('pass')
    } else {
      expect(result.status).toBe('error')
      expect(result.errors[0]).toMatch(
        /^the kernel of n1 has no netem scheduler \(sch_netem\): tc said "Error: Specified qdisc kind is unknown\."\. .*--method iptables-loss$/,
      )
    }
    expect(result.revert).toMatchObject({done: true, verified: true, ledgerRemoved: true})
    expect(readLedgers(ledgerDir)).toEqual([])
    expect((await inNs('tc qdisc show dev lo')).stdout).not.toContain('4843:')
  })

  it('without --yes and without a terminal, nothing is done: a clear refusal (exit 2)', async () => {
    const {runFault} = await import('../../../src/chaos/run/fault.js')

    const ledgerDir = tmp()
    const err = await runFault(
      {fault: linkPull, target: 'n1', options: {interface: 'lo', method: 'iptables'}},
      {
        inventory: planInput().inventory,
        runner,
        local: async () => ({stdout: '', stderr: '', exitCode: 0, durationMs: 0}),
        runId: 'netns-confirm',
        holdMs: 1000,
        baselineMs: 0,
        settleMs: 0,
        observe: false,
        readLogs: false,
        dryRun: false,
        yes: false,
        interactive: false,
        allowQuorumLoss: false,
        skipPreflight: true,
        live: {onProgress: () => {}, note: () => {}},
        stateDir: ledgerDir,
      },
    ).catch((e: unknown) => e)
    expect(err).toMatchObject({exit: 2, code: 'confirmation-required'})
    expect((err as Error).message).toMatch(
      /^refusing to link-pull n1 interface lo: drop all traffic on lo .* without confirmation: there is no terminal to ask on; pass --yes to confirm$/,
    )
    expect(readLedgers(join(ledgerDir, 'hacheck', 'ledger'))).toEqual([])
    expect((await inNs('iptables -S')).stdout).not.toContain('HACHECK')
  })

  it('an abort (SIGINT) during the hold reverts at once and marks the run aborted', async () => {
    const runId = 'netns-abort'
    const ledgerDir = tmp()
    const plan = ok(
      planOf(linkPull, 'n1', {interface: 'lo', method: 'iptables'}, planInput({runId, holdMs: 60_000})),
    )
    const ac = new AbortController()
    const t0 = Date.now()
    const progress = (p: ProgressEvent): void => {
      if (p.type === 'stage' && p.stage === 'hold' && p.state === 'start') setTimeout(() => ac.abort(), 300)
    }
    const {result} = await runExperiment(spec(plan, runId), {
      runner,
      local: async () => ({stdout: '', stderr: '', exitCode: 0, durationMs: 0}),
      nodeStateDir: tmp(),
      stateDir: tmp(),
      ledgerDir,
      renewMs: 300,
      abort: ac.signal,
      progress,
    })
    expect(Date.now() - t0).toBeLessThan(15_000)
    expect(result.status).toBe('aborted')
    expect(result.revert).toMatchObject({done: true, verified: true, ledgerRemoved: true})
    expect((await inNs('iptables -S')).stdout).not.toContain('HACHECK')
  })
})
