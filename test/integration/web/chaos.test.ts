/**
 * `hacheck chaos` on the lab's web profile, through the CLI with --format json:
 * - haproxy killed on the VRRP MASTER: keepalived's track script puts it in FAULT, the peer becomes MASTER;
 *   the client outage is measured and the VIP move seen by polling agrees with keepalived's log within 0.5 s;
 * - the Redis master killed under the sessions workload: Sentinel fails over (its log gives the phases) and
 *   the sessions lost are reported;
 * - an app node drained from both LBs through HAProxy's runtime API: not one failed request.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, sh, waitFor} from '../lab/helpers.js'
import {chaosEnv, hacheck, ledgerFiles, vipHolders} from '../chaos/helpers.js'
import {jsonReport} from '../../support/cli.js'

const lab = labContext()
const phase = (r: ChaosResult, name: string) => r.phases.find((p) => p.name === name)

describe.skipIf(!lab.available)(labTitle('hacheck chaos on the web stack'), () => {
  let status: LabStatus
  let runner: SshPool
  let nodes: NodeSpec[]
  let node: (name: string) => NodeSpec
  const state = mkdtempSync(join(tmpdir(), 'hacheck-web-chaos-'))
  const lbs = (): NodeSpec[] => nodes.filter((n) => n.roles.includes('lb'))
  const run = async (args: string[]): Promise<ChaosResult> => {
    const r = await hacheck(
      ['chaos', ...args, '-i', status.inventory as string, '--format', 'json', '--yes', '-q'],
      chaosEnv(state, status),
    )
    return jsonReport<ChaosResult>(r, `hacheck chaos ${args[0] ?? ''}`)
  }
  /** FAULT (with its options) on the LB that is VRRP MASTER now (@service), 8 s at 20 probes/s. */
  const onVrrpMaster = async (
    fault: string,
    ...options: string[]
  ): Promise<{master: string; other: string; r: ChaosResult}> => {
    const before = await vipHolders(runner, lbs())
    expect(before).toHaveLength(1)
    const master = before[0] as string
    const other = lbs().find((n) => n.name !== master)?.name as string
    const r = await run([fault, '--node', '@service', ...options, '--duration', '8s', '--rate', '20'])
    return {master, other, r}
  }
  /** The peer became MASTER (keepalived's log) after 3 missed adverts plus its skew time, not at once. */
  const peerTookOver = (
    what: string,
    {master, other, r}: {master: string; other: string; r: ChaosResult},
  ) => {
    expect(r.errors).toEqual([])
    expect(r.target).toEqual([master])
    const peerMaster = phase(r, 'vrrp-master')
    expect(peerMaster).toMatchObject({node: other, source: 'keepalived-log'})
    console.warn(
      `[web] ${what} on ${master}: ${other} MASTER at ${peerMaster?.atMs ?? '?'} ms (keepalived log), client outage ${r.metrics.clientOutageMs ?? '?'} ms, ${r.metrics.failedProbes}/${r.metrics.probes} probes failed, at most ${r.metrics.maxVipHolders} VIP holders`,
    )
    expect(peerMaster?.atMs).toBeGreaterThan(2_500)
    expect(peerMaster?.atMs).toBeLessThan(6_000)
  }

  beforeAll(async () => {
    status = await ensureLab('web')
    ;({runner, nodes, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
    if (lab.available) await ensureLab('web')
  })

  it('kills haproxy on the VRRP MASTER: the peer takes the VIP, outage measured, VRRP phases agree with keepalived', async () => {
    const {master, other, r} = await onVrrpMaster('kill-process', '--process', 'haproxy')
    try {
      expect(r.status, JSON.stringify({errors: r.errors, expectations: r.expectations})).toBe('pass')
      expect(r.target).toEqual([master])
      expect(r.metrics.failedProbes).toBeGreaterThan(0)
      expect(r.metrics.clientOutageMs).toBeGreaterThan(0)
      expect(r.metrics.clientOutageMs).toBeLessThan(10_000)
      expect(r.metrics.maxVipHolders).toBe(1)
      expect(phase(r, 'vrrp-fault')).toMatchObject({node: master, source: 'keepalived-log'})
      expect(phase(r, 'vrrp-master')).toMatchObject({node: other, source: 'keepalived-log'})
      // The VIP move seen by polling ip addr every 200 ms agrees with keepalived's own log.
      const moved = r.phaseAgreement.find((p) => p.name === 'vip-moved')
      expect(moved?.logMs).toBeDefined()
      expect(moved?.observedMs).toBeDefined()
      const [lo, hi] = moved?.observedWindowMs ?? [Infinity, -Infinity]
      const within =
        Math.abs(moved?.deltaMs ?? Infinity) <= 500 ||
        ((moved?.logMs ?? 0) >= lo && (moved?.logMs ?? 0) <= hi)
      expect(within, JSON.stringify(moved)).toBe(true)
      expect(await vipHolders(runner, lbs())).toEqual([other])
      expect(ledgerFiles(state)).toEqual([])
    } finally {
      // Nothing restarts a killed haproxy in the lab (no systemd): start it, as an operator would.
      await sh(runner, node(master), ['systemctl', 'start', 'haproxy'])
    }
  })

  it('kills keepalived on the VRRP MASTER: the peer is MASTER after its down interval, the old MASTER keeps a stale VIP', async () => {
    const took = await onVrrpMaster('kill-process', '--process', 'keepalived')
    const {master, other, r} = took
    try {
      // keepalived's own log on the peer: MASTER after 3 missed adverts (advert_int 1) plus its skew time
      // ((256 - 100) / 256 s at priority 100, or 0.41 s at 150).
      peerTookOver('keepalived SIGKILL', took)
      // A SIGKILLed keepalived removes nothing: the old MASTER keeps the VIP next to the new one (what
      // vrrp.vip-placement flags), so the polled VIP never "moves" and the run counts two holders.
      expect(r.metrics.maxVipHolders).toBe(2)
      expect(await vipHolders(runner, lbs())).toEqual([master, other].sort())
      // haproxy kept serving on the old MASTER and the new one answers the peer's gratuitous ARP: the
      // client outage, if any, is short.
      expect(r.metrics.clientOutageMs).not.toBeNull()
      expect(r.metrics.clientOutageMs).toBeLessThan(5_000)
      expect(ledgerFiles(state)).toEqual([])
    } finally {
      // As an operator would: drop the stale VIP, then start keepalived again (it comes back as BACKUP).
      await runner.run(node(master), {argv: ['ip', 'addr', 'del', '198.18.2.100/24', 'dev', 'eth0']})
      await sh(runner, node(master), ['systemctl', 'start', 'keepalived'])
    }
    expect(await vipHolders(runner, lbs())).toEqual([other])
  })

  it('pulls the public link of the VRRP MASTER: the peer is MASTER after its down interval and the clients follow it', async () => {
    // link-pull drops ARP on the link too (arptables): the cut MASTER, which keeps its VIP, cannot answer
    // for it and keep clients pointed at it. Whatever happens, wait for one VIP holder again so the next
    // test starts from a healthy pair.
    try {
      await pullMasterLink()
    } finally {
      // Once the link is back the two MASTERs hear each other and the lower priority steps down.
      const after = await waitFor('one VIP holder again', 15_000, async () => {
        const h = await vipHolders(runner, lbs())
        return h.length === 1 ? h : undefined
      })
      expect(after).toHaveLength(1)
    }
  })

  const pullMasterLink = async (): Promise<void> => {
    const took = await onVrrpMaster('link-pull', '--interface', 'eth0')
    const {r} = took
    // The cut MASTER hears no advert: its peer's keepalived log says when it took over.
    peerTookOver('link pull (eth0)', took)
    // The cut MASTER keeps its VIP (it hears no peer): two holders while the link is out; it answers no ARP
    // behind the pulled link, and the clients follow the peer's gratuitous ARP.
    expect(r.metrics.maxVipHolders).toBe(2)
    expect(r.metrics.failedProbes).toBeGreaterThan(0)
    expect(r.metrics.clientOutageMs).not.toBeNull()
    expect(r.metrics.clientOutageMs).toBeLessThan(8_000)
    expect(ledgerFiles(state)).toEqual([])
  }

  it('kills the Redis master under the sessions workload: Sentinel promotes a replica and the lost sessions are counted', async () => {
    const r = await run([
      'kill-process',
      '--node',
      'redis1',
      '--process',
      'redis-server',
      '--duration',
      '15s',
      '--workload',
      'sessions',
      '--insecure',
      '--users',
      '20',
      '--rate',
      '20',
      '--probe-timeout',
      '2s',
    ])
    expect(r.errors).toEqual([])
    expect(r.workload).toMatch(/^sessions: 20 users logged in/)
    expect(phase(r, 'store-odown')).toMatchObject({source: 'sentinel-log'})
    expect(phase(r, 'store-switched')).toMatchObject({source: 'sentinel-log'})
    expect(phase(r, 'store-switched')?.atMs).toBeLessThan(15_000)
    // Redis replicates asynchronously and the sessions were written long before: none is lost.
    expect(r.metrics.sessionsLost).toBe(0)
    expect(r.metrics.probes).toBeGreaterThan(100)
    const master = await waitFor('a new Redis master', 30_000, async () => {
      for (const n of ['redis2', 'redis3']) {
        const o = await sh(runner, node(n), ['redis-cli', 'INFO', 'replication'])
        if (/^role:master/m.test(o)) return n
      }
      return undefined
    })
    expect(['redis2', 'redis3']).toContain(master)
  })

  it('drains app1 from both LBs through the runtime API: not one failed request', async () => {
    await ensureLab('web')
    const r = await run([
      'lb-drain',
      '--node',
      'app1',
      '--duration',
      '6s',
      '--load',
      'https://198.18.2.100/',
      '--insecure',
      '--rate',
      '25',
    ])
    expect(r.status, JSON.stringify({errors: r.errors, expectations: r.expectations})).toBe('pass')
    expect(r.metrics.failedProbes).toBe(0)
    expect(r.metrics.probes).toBeGreaterThan(100)
    for (const lb of lbs()) {
      const st = await sh(runner, lb, [
        'bash',
        '-c',
        'echo "show stat" | socat stdio UNIX-CONNECT:/run/haproxy/admin.sock',
      ])
      expect(st).toMatch(/^be_app,app1,(?:[^,]*,){15}UP,/m)
    }
  })
  it('drains app1 while sessions are node-local and pinned (sticky-local): the users pinned to app1 are counted as lost', async () => {
    await ensureLab('web', ['sticky-local'])
    const r = await run([
      'lb-drain',
      '--node',
      'app1',
      '--duration',
      '6s',
      '--workload',
      'sessions',
      '--insecure',
      '--users',
      '30',
      '--rate',
      '20',
    ])
    // No request failed (the LB answered every one), but about a third of the users were logged out.
    expect(r.metrics.failedProbes).toBe(0)
    expect(r.metrics.sessionsLost).toBeGreaterThanOrEqual(5)
    expect(r.metrics.sessionsLost).toBeLessThanOrEqual(15)
    expect(r.expectations.find((e) => e.text === 'sessions-lost == 0')?.status).toBe('fail')
    expect(r.status).toBe('fail')
    await ensureLab('web')
  })
})
