/**
 * The other faults against the lab, each through the CLI with --format json:
 * partition (never two VIP holders), power-off (off, back on, rejoins), netem
 * on this kernel (clear error, nothing left), evacuate (zero failed probes).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, afterEach, describe, expect, it} from 'vitest'

import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import {fromJsonl} from '../../../src/chaos/timeline.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {readFileSync} from 'node:fs'
import {
  ensureLab,
  labContext,
  labRunner,
  labTitle,
  restoreHealthy,
  useVariants,
  waitFor,
} from '../lab/helpers.js'
import {chaosEnv, hacheck, healthy, ledgerFiles, leftovers, URL, vipHolders} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck chaos faults against the lab'), () => {
  let status: LabStatus
  let runner: SshPool
  let nodes: NodeSpec[]
  const state = mkdtempSync(join(tmpdir(), 'hacheck-chaos-faults-'))

  const ready = async (): Promise<void> => {
    await waitFor(
      'a healthy cluster',
      180_000,
      async () => ((await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined),
      1000,
    )
  }
  const run = async (args: string[]): Promise<{res: ChaosResult; code: number; stderr: string}> => {
    const r = await hacheck(
      [...args, '-i', status.inventory as string, '--yes', '--format', 'json', '--log-file', 'none'],
      chaosEnv(state, status),
    )
    const res = JSON.parse(String(r.stdout)) as ChaosResult
    console.warn(
      `[chaos ${args[1]}] ${res.status} exit ${r.exitCode}; phases ${res.phases.map((p) => `${p.name}${p.node ? ` ${p.node}` : ''}@${(p.atMs / 1000).toFixed(2)}s`).join(', ')}; outage ${res.metrics.clientOutageMs} ms, ${res.metrics.failedProbes}/${res.metrics.probes} failed; expectations ${res.expectations.map((e) => `${e.text}=${e.status}`).join(', ')}${res.errors.length ? `; errors ${res.errors.join(' | ')}` : ''}`,
    )
    return {res, code: r.exitCode ?? -1, stderr: String(r.stderr)}
  }

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, nodes} = await labRunner(status))
    await ready()
  })
  afterEach(async () => {
    expect(ledgerFiles(state)).toEqual([])
    for (const n of nodes)
      await waitFor(
        `nothing of hacheck left on ${n.name}`,
        120_000,
        async () => ((await leftovers(runner, n).catch(() => 'unreachable')) === '' ? true : undefined),
        2000,
      )
    await ready()
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
    if (lab.available) await restoreHealthy()
  })

  it('partition isolating the service node: at no sample do two nodes hold the VIP', async () => {
    const holder = (await vipHolders(runner, nodes))[0] as string
    const {res, code} = await run([
      'chaos',
      'partition',
      '--isolate',
      holder,
      '--duration',
      '30s',
      '--load',
      URL,
    ])
    expect(res.errors).toEqual([])
    expect(res.metrics.vipSamples).toBeGreaterThan(30)
    expect(res.metrics.maxVipHolders).toBeLessThanOrEqual(1)
    const tl = fromJsonl(readFileSync(join(res.runDir as string, 'timeline.jsonl'), 'utf8'))
    const samples = tl.filter((e) => e.kind === 'cluster' && e.phase === 'vip-holders')
    expect(samples.every((e) => e.kind === 'cluster' && (e.holders?.length ?? 0) <= 1)).toBe(true)
    expect(res.expectations.find((e) => e.text === 'no-split-brain')?.status).toBe('pass')
    expect(res.status).toBe('pass')
    expect(code).toBe(0)
  })

  it('power-off of a node through its BMC: off, powered on again after the duration, rejoins', async () => {
    const holders = await vipHolders(runner, nodes)
    const victim = nodes.find((n) => !holders.includes(n.name))?.name as string
    const {res} = await run([
      'chaos',
      'power-off',
      '--node',
      victim,
      '--duration',
      '20s',
      '--load',
      URL,
      '--settle',
      '120s',
    ])
    const tl = fromJsonl(readFileSync(join(res.runDir as string, 'timeline.jsonl'), 'utf8'))
    expect(tl.some((e) => e.kind === 'fault' && e.phase === 'verified')).toBe(true)
    expect(res.revert).toMatchObject({planned: true, done: true, verified: true, ledgerRemoved: true})
    expect(res.phases.some((p) => p.name === 'node-rejoined' && p.node === victim)).toBe(true)
    expect(res.errors).toEqual([])
    expect(JSON.stringify(res)).not.toContain(status.env.LAB_BMC_PASSWORD as string)
  })

  it('netem on this kernel: a clear error, and nothing left behind', async () => {
    const {res, code} = await run([
      'chaos',
      'netem',
      '--node',
      nodes[1]?.name as string,
      '--network',
      'heartbeat',
      '--delay',
      '100ms',
      '--duration',
      '10s',
      '--no-load',
    ])
    expect(code).toBe(3)
    expect(res.status).toBe('error')
    expect(res.errors.join(' ')).toMatch(
      /has no netem scheduler \(sch_netem\): tc said ".+".*--method iptables-loss/,
    )
    expect(res.revert.verified).toBe(true)
  })

  it('freezes the web server with SIGSTOP for the duration: clients time out, then it runs again with nothing left stopped', async () => {
    const holder = (await vipHolders(runner, nodes))[0] as string
    const {res, code} = await run([
      'chaos',
      'kill-process',
      '--node',
      holder,
      '--process',
      'python3',
      '--signal',
      'STOP',
      '--duration',
      '5s',
      '--load',
      URL,
      '--rate',
      '50',
      '--expect',
      'not-fenced',
    ])
    expect(res.errors).toEqual([])
    expect(res.revert).toMatchObject({planned: true, done: true, verified: true, ledgerRemoved: true})
    // Frozen, the process still has its socket: the kernel completes handshakes, nobody answers.
    // The outage is the hold (5 s), give or take the verify/revert round trips and one probe timeout.
    expect(res.metrics.clientOutageMs).toBeGreaterThan(4000)
    expect(res.metrics.clientOutageMs).toBeLessThan(9000)
    expect(res.expectations.find((e) => e.text === 'not-fenced')?.status).toBe('pass')
    const frozen = await runner.run(nodes.find((n) => n.name === holder) as NodeSpec, {
      script: 'for p in $(pgrep -x python3); do sed "s/.*) //" /proc/$p/stat | cut -d" " -f1; done',
    })
    expect(frozen.stdout.trim().split('\n')).not.toContain('T')
    expect(code).toBe(0)
  })

  it('SIGKILLs the web server: Pacemaker notices on its next monitor and restarts it, and the outage is measured', async () => {
    const holder = (await vipHolders(runner, nodes))[0] as string
    const {res} = await run([
      'chaos',
      'kill-process',
      '--node',
      holder,
      '--process',
      'python3',
      '--signal',
      'KILL',
      '--duration',
      '15s',
      '--load',
      URL,
      '--settle',
      '60s',
    ])
    expect(res.errors).toEqual([])
    expect(res.revert).toMatchObject({planned: false})
    expect(res.notes.join(' ')).toMatch(/SIGKILL cannot be reverted/)
    // The monitor runs every 10 s: the service is down until Pacemaker's recovery, then back.
    expect(res.metrics.clientOutageMs).toBeGreaterThan(0)
    expect(res.metrics.clientOutageMs).toBeLessThan(20_000)
    expect(res.phases.some((p) => p.name === 'client-recovered')).toBe(true)
    await restoreHealthy()
    await ready()
  })

  it('evacuates the VIP node of a drained, cloned web service with zero failed probes, the VIP move showing only as latency', async () => {
    status = await useVariants(['service-clone'])
    await ready()
    const holder = (await vipHolders(runner, nodes))[0] as string
    const {res, code} = await run([
      'chaos',
      'evacuate',
      '--node',
      holder,
      '--duration',
      '10s',
      '--load',
      URL,
      '--rate',
      '50',
    ])
    expect(res.errors).toEqual([])
    expect(res.revert).toMatchObject({planned: true, done: true, verified: true, ledgerRemoved: true})
    expect(res.workload).toMatch(/timeout 20000 ms/)
    expect(res.metrics.probes).toBeGreaterThan(500)
    expect(res.phases.some((p) => p.name === 'vip-moved' && p.node !== holder)).toBe(true)
    const failed = fromJsonl(readFileSync(join(res.runDir as string, 'timeline.jsonl'), 'utf8')).filter(
      (e) => e.kind === 'probe' && !e.ok,
    )
    console.warn(
      `[chaos evacuate] service-clone: ${res.metrics.failedProbes} failed of ${res.metrics.probes} (${failed.map((e) => (e.kind === 'probe' ? e.error : '')).join(', ')}); stall p99 ${res.metrics.latency?.p99} ms, max ${res.metrics.latency?.max} ms`,
    )
    // New SYNs are dropped before the address leaves (lab/drain.py), open requests finish, and the
    // dropped SYNs are retransmitted to the new holder: a stall, never a refused or reset request.
    expect(failed).toEqual([])
    expect(res.metrics.failedProbes).toBe(0)
    expect(res.expectations.find((e) => e.text === 'failed-probes == 0')?.status).toBe('pass')
    expect(res.expectations.find((e) => e.text === 'not-fenced')?.status).toBe('pass')
    expect(res.status).toBe('pass')
    expect(code).toBe(0)
  })

  it('reports the failed probes of evacuating a stop/start group (VIP + service), which is not zero-downtime', async () => {
    status = await restoreHealthy()
    await ready()
    const holder = (await vipHolders(runner, nodes))[0] as string
    const {res, code} = await run([
      'chaos',
      'evacuate',
      '--node',
      holder,
      '--duration',
      '10s',
      '--load',
      URL,
      '--rate',
      '50',
      '--probe-timeout',
      '800ms',
    ])
    expect(res.errors).toEqual([])
    expect(res.revert).toMatchObject({planned: true, done: true, verified: true, ledgerRemoved: true})
    expect(res.phases.some((p) => p.name === 'resource-started' && p.node !== holder)).toBe(true)
    // The web server stops before the VIP leaves and starts only after it arrived: clients are
    // refused, then time out, for seconds. hacheck must say so, with exit 1.
    expect(res.metrics.failedProbes).toBeGreaterThan(0)
    expect(res.expectations.find((e) => e.text === 'failed-probes == 0')).toMatchObject({
      status: 'fail',
      observed: String(res.metrics.failedProbes),
    })
    expect(res.status).toBe('fail')
    expect(code).toBe(1)
  })
})
