/**
 * On the lab, with the cheapest fault (disk-fill of a replica's own /tmp, a
 * node-private 64 MiB tmpfs; nothing fails over):
 *
 * - the steady-state guard: an abort condition that must trip ends the hold
 *   at once, the fault is reverted and verified, and the result and the report
 *   say "aborted: …";
 * - the interrupt matrix: hacheck is SIGKILLed at every phase boundary
 *   (run/crash.ts); each time the node is clean within the dead-man's lease and
 *   `chaos revert` leaves nothing behind;
 * - SIGINT and SIGTERM (Ctrl-C, a stopped service) at the boundaries where the
 *   fault is, or is being put, in place: hacheck reverts by itself, exits with
 *   the code of an interrupted run, and leaves no ledger and nothing on the node;
 * - lost SSH to the node while the fault is held (the test drops the node's SSH
 *   traffic inside its own network namespace): the dead-man reverts within its
 *   lease, hacheck ends on its own (no hang) saying the revert could not be
 *   verified and keeping its ledger, and once SSH is back `chaos revert`
 *   finds that ledger, verifies the node and leaves nothing.
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CRASH_POINTS} from '../../../src/chaos/run/crash.js'
import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import {PREFIX} from '../../../src/lab/topology.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, waitFor} from '../lab/helpers.js'
import {chaosEnv, hacheck, healthy, ledgerFiles, leftovers, vipHolders} from './helpers.js'

const lab = labContext()
const LEASE_S = 3
const run = promisify(execFile)

describe.skipIf(!lab.available)(labTitle('chaos steady-state guard and interrupts (disk-fill)'), () => {
  let status: LabStatus
  let runner: SshPool
  let nodes: NodeSpec[]
  let victim: NodeSpec
  const state = mkdtempSync(join(tmpdir(), 'hacheck-chaos-guard-'))

  /** The fault on the victim: hacheck's fill file; '' when gone. */
  const filled = async (): Promise<string> =>
    (
      await runner.run(victim, {script: 'ls -A /tmp | grep "^\\.hacheck-fill-" || true', timeoutMs: 10_000})
    ).stdout.trim()
  /** Anything of hacheck's on the victim (the fill file, its chain, state files, dead-men); '' when clean. */
  const left = async (): Promise<string> =>
    [await filled(), await leftovers(runner, victim)].filter(Boolean).join('\n')
  const diskFill = (extra: string[]): string[] => [
    'chaos',
    'disk-fill',
    '-i',
    status.inventory as string,
    '--node',
    victim.name,
    '--path',
    '/tmp',
    '--size',
    '8M',
    '--no-load',
    '--baseline',
    '1s',
    '--settle',
    '5s',
    '--lease-timeout',
    `${LEASE_S}s`,
    '--yes',
    '--log-file',
    'none',
    ...extra,
  ]

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, nodes} = await labRunner(status))
    await waitFor('a healthy cluster', 120_000, async () =>
      (await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined,
    )
    const holders = await vipHolders(runner, nodes)
    victim =
      nodes.find((n) => !holders.includes(n.name) && n.roles.includes('cluster')) ?? (nodes[1] as NodeSpec)
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
  })

  it('an abort condition that must trip reverts at once, and the result and the report say aborted: …', async () => {
    const env = chaosEnv(state, status)
    // A client that answers for 6 s, then never again: the guard must end the 60 s hold within a second
    // or so of the outage passing 1 s.
    const until = Math.floor(Date.now() / 1000) + 6
    const t0 = Date.now()
    const r = await hacheck(
      [
        ...diskFill(['--duration', '60s', '--format', 'json']).filter((a) => a !== '--no-load'),
        '--probe-command',
        `[ "$(date +%s)" -lt ${until} ]`,
        '--rate',
        '5',
        '--abort-when',
        'client-outage > 1s',
      ],
      env,
    )
    const tookMs = Date.now() - t0
    const res = JSON.parse(String(r.stdout)) as ChaosResult
    console.warn(`[chaos guard] ${res.status} after ${tookMs} ms: ${JSON.stringify(res.abort)}`)
    expect(r.exitCode).toBe(3)
    expect(res.status).toBe('aborted')
    expect(res.abort).toMatchObject({by: 'condition', condition: 'client-outage > 1s'})
    expect(res.abort?.reason).toMatch(/^client outage \d+\.\d+s > 1\.00s$/)
    expect(res.revert).toMatchObject({done: true, verified: true})
    expect(tookMs).toBeLessThan(45_000) // the 60 s hold was cut short
    expect(await left()).toBe('')
    expect(ledgerFiles(state)).toEqual([])
  })

  it.each(CRASH_POINTS.map((p) => [p]))(
    'SIGKILL at %s: the node is clean within the lease and chaos revert leaves nothing',
    async (point) => {
      const env = {...chaosEnv(state, status), HACHECK_CHAOS_CRASH_AT: `${point}:KILL`}
      const r = await hacheck(diskFill(['--duration', '2s']), env, 120_000)
      expect(r.signal ?? r.exitCode, `hacheck was killed at ${point}`).toBe('SIGKILL')
      const killedAt = Date.now()
      // The fault is gone within the lease (the dead-man), or was never there.
      const cleanAfter = await waitFor(
        `the fault gone from ${victim.name} after a kill at ${point}`,
        (LEASE_S + 10) * 1000,
        async () => ((await filled().catch(() => 'unreachable')) === '' ? Date.now() - killedAt : undefined),
        250,
      )
      expect(cleanAfter).toBeLessThan((LEASE_S + 5) * 1000)
      const rev = await hacheck(
        ['chaos', 'revert', '--format', 'json', '--log-file', 'none'],
        chaosEnv(state, status),
      )
      const report = JSON.parse(String(rev.stdout)) as {found: number; left: number}
      console.warn(
        `[chaos interrupt] ${point}: clean ${cleanAfter} ms after the kill; revert found ${report.found}, left ${report.left}`,
      )
      expect(rev.exitCode).toBe(0)
      expect(report.left).toBe(0)
      expect(ledgerFiles(state)).toEqual([])
      await waitFor(`nothing of hacheck left on ${victim.name}`, 30_000, async () =>
        (await left().catch(() => 'unreachable')) === '' ? true : undefined,
      )
    },
  )

  it.each(
    (['INT', 'TERM'] as const).flatMap((sig) =>
      (['deadman-armed', 'injected', 'holding', 'reverting'] as const).map((point) => [sig, point]),
    ),
  )('SIG%s at %s: hacheck reverts by itself and leaves nothing, with no ledger', async (sig, point) => {
    const env = {...chaosEnv(state, status), HACHECK_CHAOS_CRASH_AT: `${point}:${sig}`}
    const r = await hacheck(diskFill(['--duration', '2s', '--format', 'json']), env, 120_000)
    console.warn(`[chaos interrupt] SIG${sig} at ${point}: exit ${r.signal ?? r.exitCode}`)
    expect(r.signal, String(r.stderr)).toBeUndefined()
    expect(String(r.stderr)).toContain(`SIG${sig}: reverting the fault now`)
    // Any signal marks the run aborted (exit 3), even one that comes while it reverts already.
    const result = JSON.parse(String(r.stdout)) as ChaosResult
    expect(r.exitCode).toBe(3)
    expect(result.status).toBe('aborted')
    expect(result.revert).toMatchObject({done: true, verified: true, ledgerRemoved: true})
    expect(ledgerFiles(state)).toEqual([])
    expect(await left()).toBe('')
  })

  it('lost SSH to the node during the hold: the dead-man reverts within its lease, hacheck ends by itself keeping its ledger, and chaos revert then leaves nothing', async () => {
    const ns = `${PREFIX}${victim.name}`
    const port = String(victim.port ?? 22)
    // The node's own view, without SSH: its mount namespace through a process of its network namespace.
    const pid = (await run('ip', ['netns', 'pids', ns])).stdout.split('\n')[0]?.trim() ?? ''
    expect(pid).toMatch(/^\d+$/)
    const fillOnNode = async (): Promise<string> =>
      (await run('nsenter', ['-t', pid, '-m', '--', 'ls', '-A', '/tmp'])).stdout
        .split('\n')
        .filter((f) => f.startsWith('.hacheck-fill-'))
        .join(' ')
    // The test's own rules (not hacheck's chain): all SSH of the node, in and out, dropped.
    const cut = [
      ['INPUT', '-p', 'tcp', '--dport', port],
      ['OUTPUT', '-p', 'tcp', '--sport', port],
    ].map(([chain, ...m]) => [
      chain as string,
      ...m,
      '-m',
      'comment',
      '--comment',
      'hacheck-test-lost-ssh',
      '-j',
      'DROP',
    ])
    const ipt = (op: '-I' | '-D', rule: string[]): Promise<unknown> =>
      run('ip', ['netns', 'exec', ns, 'iptables', '-w', '5', op, ...rule])
    const env = chaosEnv(state, status)
    const t0 = Date.now()
    const running = hacheck(diskFill(['--duration', '20s', '--format', 'json']), env, 240_000)
    let cutAt = 0
    try {
      await waitFor('the fault in place', 60_000, async () => ((await fillOnNode()) ? true : undefined), 250)
      for (const rule of cut) await ipt('-I', rule)
      cutAt = Date.now()
      const cleanAfter = await waitFor(
        `the dead-man's revert on ${victim.name} with SSH cut`,
        (LEASE_S + 15) * 1000,
        async () => ((await fillOnNode()) === '' ? Date.now() - cutAt : undefined),
        250,
      )
      // The lease was last renewed at most one renewal (2 s) before the cut.
      expect(cleanAfter).toBeLessThan((LEASE_S + 5) * 1000)
      const r = await running
      const res = JSON.parse(String(r.stdout)) as ChaosResult
      console.warn(
        `[chaos interrupt] lost SSH: node clean ${cleanAfter} ms after the cut; hacheck exit ${r.signal ?? r.exitCode} after ${Date.now() - t0} ms, revert ${JSON.stringify(res.revert)}`,
      )
      expect(r.exitCode).toBe(3)
      expect(res.revert).toMatchObject({done: false})
      expect(res.revert?.verified).not.toBe(true)
      expect(res.notes.join('\n')).toContain('the ledger stays for `hacheck chaos revert`')
      expect(ledgerFiles(state)).toHaveLength(1)
    } finally {
      for (const rule of cut) await ipt('-D', rule).catch(() => undefined)
    }
    const rev = await hacheck(['chaos', 'revert', '--format', 'json', '--log-file', 'none'], env)
    const report = JSON.parse(String(rev.stdout)) as {found: number; left: number}
    expect(rev.exitCode).toBe(0)
    expect(report).toMatchObject({found: 1, left: 0})
    expect(ledgerFiles(state)).toEqual([])
    expect(await left()).toBe('')
  })
})
