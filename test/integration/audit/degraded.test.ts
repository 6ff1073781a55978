/**
 * `hacheck audit` on a cluster already in trouble, live: the lab put into each
 * degraded state by `hacheck lab degrade` (the same states examples/ holds as
 * captures for the unit tests), and the conclusion an HA engineer would write.
 */
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditRun, CheckResult} from '../../../src/core/results.js'
import {repoRoot} from '../../support/paths.js'
import {ensureLab, labContext, labTitle, restoreHealthy, useVariants} from '../lab/helpers.js'
import {audit} from './run-audit.js'

const run = promisify(execFile)
const degrade = async (...args: string[]): Promise<void> => {
  await run('node', [join(repoRoot, 'bin', 'run.js'), 'lab', 'degrade', ...args, '-q'], {timeout: 180_000})
}
const one = (r: AuditRun, id: string, node?: string): CheckResult => {
  const x = r.results.find((y) => y.id === id && (node === undefined || y.node === node))
  if (!x) throw new Error(`no ${id} result`)
  return x
}
const failing = (r: AuditRun): string[] =>
  [...new Set(r.results.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => x.id))].sort()
const skip67 = ['--skip', '6', '--skip', '7']

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck audit on a degraded cluster'), () => {
  let inv: string
  beforeAll(async () => {
    inv = (await ensureLab()).inventory as string
  })
  afterAll(async () => {
    await restoreHealthy()
  })

  it('names a node powered off before the membership noticed, with its BMC state, and fails quorum and nodes-online', async () => {
    await degrade('power-off', '--node', 'n3')
    const {code, report} = await audit(inv, '--connect-timeout', '2s', ...skip67)
    // The survivors still count n3 for ~7 s: a slow machine may read them after they noticed.
    const early = report.view?.notices.some((n) => n.kind === 'powered-off-member')
    expect(report.view?.degraded).toBe(true)
    expect(report.view?.headline).toMatch(early ? /n3 is powered off \(its BMC says so/ : /n3: not examined/)
    expect(one(report, 'quorum.runtime').status).toBe('fail')
    expect(one(report, 'quorum.runtime').message).toMatch(/n3/)
    expect(one(report, 'pacemaker.nodes-online').status).toBe('fail')
    expect(one(report, 'node.reachable', 'n3').message).toMatch(
      /^n3: not examined — SSH (timeout|refused), BMC reports power (off|on)/,
    )
    expect(code).toBe(3)
  })

  it('names the node again after it was fenced, with the fence, who did it and when', async () => {
    // Wait for the fence; the node boots again with its links down for the simulated POST.
    const deadline = Date.now() + 60_000
    let report: AuditRun | undefined
    while (Date.now() < deadline) {
      report = (await audit(inv, '--connect-timeout', '2s', ...skip67)).report
      // A pending fence warns too: wait for the completed one.
      if (/was fenced/.test(one(report, 'fencing.history').message)) break
      await new Promise((r) => setTimeout(r, 1000))
    }
    const r = report as AuditRun
    expect(one(r, 'fencing.history').message).toMatch(
      /n3 was fenced \(reboot\) at \S+ \S+Z \(\d+ min ago\) by n\d for pacemaker-controld@n\d/,
    )
  })

  it('names an isolated VIP holder as the minority and judges from the quorate partition, not blaming the majority', async () => {
    await restoreHealthy()
    await degrade('isolate', '--node', 'n1')
    // The majority gives up on fencing it after a few attempts; the state is then stable.
    await new Promise((r) => setTimeout(r, 10_000))
    const {report} = await audit(inv, ...skip67)
    expect(report.view?.partitions.map((p) => [p.name, p.quorate, p.primary])).toEqual([
      ['n2+n3', true, true],
      ['n1', false, false],
    ])
    expect(report.view?.headline).toMatch(
      /n1 is in a minority partition \(n1, no quorum\) cut off from the quorate partition n2\+n3; still holds the VIP/,
    )
    const online = one(report, 'pacemaker.nodes-online')
    expect(online.message).toMatch(/n1 in the quorate partition n2\+n3/)
    expect(online.message).not.toMatch(/(offline|UNCLEAN[^:]*): n[23]\b/)
    expect(one(report, 'fencing.history').status).toBe('fail')
  })

  it('warns, naming the link, when one of two corosync links is down and the other carries', async () => {
    await useVariants(['hb-redundant'])
    await degrade('link-down', '--node', 'n1', '--link', '0')
    const {report} = await audit(inv, ...skip67)
    expect(failing(report)).toEqual([])
    const n1 = one(report, 'heartbeat.links-healthy', 'n1')
    expect(n1.status).toBe('warn')
    expect(n1.message).toMatch(
      /^link 0 \(198\.18\.1\.11\) down towards node 2, 3; link 1 \(198\.18\.3\.11\) still carries the heartbeat/,
    )
  })

  it('fails fencing.history, and only it, on a failed fence action of an otherwise healthy cluster', async () => {
    await restoreHealthy()
    await degrade('failed-fence', '--node', 'n3')
    const {code, report} = await audit(inv, ...skip67)
    expect(failing(report)).toEqual(['fencing.history'])
    expect(one(report, 'fencing.history').message).toMatch(/failed fence action\(s\): reboot of n3/)
    expect(code).toBe(1)
  })

  it('fails maintenance mode and a leftover cli-ban, each on its own check', async () => {
    await restoreHealthy()
    await degrade('maintenance')
    expect(failing((await audit(inv, ...skip67)).report)).toEqual(['pacemaker.maintenance-mode'])
    await restoreHealthy()
    await degrade('cli-ban')
    const ban = (await audit(inv, ...skip67)).report
    expect(failing(ban)).toEqual(['pacemaker.leftover-constraints'])
    expect(one(ban, 'pacemaker.leftover-constraints').message).toMatch(/cli-ban-p-vip-on-n\d/)
  })
})
