/**
 * hacheck is SIGKILLed in the middle of a link pull: the node-side dead-man
 * restores the node within its lease timeout on its own, and `hacheck chaos
 * revert` then replays the leftover ledger, reports that the dead-man fired
 * and that nothing is left; a second revert finds nothing at all.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, restoreHealthy, waitFor} from '../lab/helpers.js'
import {chaosEnv, hacheck, healthy, ledgerFiles, leftovers, URL, vipHolders} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck killed during a fault'), () => {
  let status: LabStatus
  let runner: SshPool
  let nodes: NodeSpec[]
  const state = mkdtempSync(join(tmpdir(), 'hacheck-chaos-kill-'))

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, nodes} = await labRunner(status))
    await waitFor('a healthy cluster', 120_000, async () =>
      (await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined,
    )
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
    if (lab.available) await restoreHealthy()
  })

  it('the node-side dead-man reverts within its lease timeout; chaos revert then reports nothing left', async () => {
    // A replica, so the service keeps running while we look.
    const holders = await vipHolders(runner, nodes)
    const victim = nodes.find((n) => !holders.includes(n.name)) as NodeSpec
    const env = chaosEnv(state, status)
    const child = hacheck(
      [
        'chaos',
        'link-pull',
        '-i',
        status.inventory as string,
        '--node',
        victim.name,
        '--network',
        'heartbeat',
        '--duration',
        '120s',
        '--lease-timeout',
        '5s',
        '--load',
        URL,
        '--yes',
        '--log-file',
        'none',
      ],
      env,
    )
    let err = ''
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    await waitFor(
      'the fault injected',
      120_000,
      async () => (/fault\s+injected/.test(err) ? true : undefined),
      100,
    )
    const chain = async (): Promise<boolean> =>
      (await runner.run(victim, {script: 'iptables -w 5 -S HACHECK >/dev/null 2>&1', timeoutMs: 10_000}))
        .exitCode === 0
    expect(await chain()).toBe(true)
    const killedAt = Date.now()
    child.kill('SIGKILL')
    await child
    expect(ledgerFiles(state)).toHaveLength(1)
    // Restored by the dead-man alone: lease 5 s, checked every 0.5 s.
    const restoredAfter = await waitFor(
      'the dead-man reverting the node',
      30_000,
      async () => ((await chain()) ? undefined : Date.now() - killedAt),
      200,
    )
    console.warn(
      `[chaos sigkill] the dead-man on ${victim.name} restored it ${restoredAfter} ms after hacheck was killed`,
    )
    expect(restoredAfter).toBeLessThan(5000 + 2000 + 2500)

    const rev = await hacheck(['chaos', 'revert', '--format', 'json', '--log-file', 'none'], env)
    const report = JSON.parse(String(rev.stdout)) as {
      found: number
      cleaned: number
      left: number
      runs: {deadmanLogs: {where: string; text: string}[]; actions: {ok: boolean; what: string}[]}[]
    }
    console.warn(`[chaos sigkill] revert: ${JSON.stringify(report.runs[0]?.actions)}`)
    expect(rev.exitCode).toBe(0)
    expect(report).toMatchObject({found: 1, cleaned: 1, left: 0})
    expect(report.runs[0]?.deadmanLogs[0]?.text).toMatch(/firing: lease not renewed/)
    expect(ledgerFiles(state)).toEqual([])
    const again = await hacheck(['chaos', 'revert', '--log-file', 'none'], env)
    expect(again.exitCode).toBe(0)
    expect(String(again.stdout)).toMatch(/no leftover ledger/)
    for (const n of nodes) {
      await waitFor(
        `nothing of hacheck left on ${n.name}`,
        120_000,
        async () => ((await leftovers(runner, n).catch(() => 'unreachable')) === '' ? true : undefined),
        2000,
      )
    }
    await waitFor('the cluster healthy again', 180_000, async () =>
      (await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined,
    )
  })
})
