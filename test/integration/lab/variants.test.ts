import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {loadInventory} from '../../../src/inventory/load.js'
import {parseCrmMon} from '../../../src/lab/health.js'
import type {SshPool} from '../../../src/transport/index.js'
import {
  ensureLab,
  labContext,
  labRunner,
  labTitle,
  restoreHealthy,
  sh,
  useVariants,
  waitFor,
} from './helpers.js'

const lab = labContext()

/** Host PID of a node's init: unchanged when a variant is applied in place (no rebuild, no reboot). */
function initPid(labDir: string, name: string): string {
  return readFileSync(join(labDir, 'nodes', name, 'init.pid'), 'utf8').trim()
}

describe.skipIf(!lab.available)(labTitle('hacheck lab: variants applied to the running lab'), () => {
  let runner: SshPool
  let node: (name: string) => NodeSpec
  let labDir: string
  let pids: Record<string, string>

  beforeAll(async () => {
    const status = await ensureLab()
    labDir = status.labDir
    ;({runner, node} = await labRunner(status))
    pids = Object.fromEntries(['n1', 'n2', 'n3', 'log'].map((n) => [n, initPid(labDir, n)]))
  })
  afterAll(async () => {
    await runner?.close()
  })

  it('switches to stonith-disabled and hb-public in place: STONITH off in the CIB, heartbeat on the public network', async () => {
    const s = await useVariants(['stonith-disabled', 'hb-public'])
    expect(s.variants).toEqual(['hb-public', 'stonith-disabled'])
    expect(s.up).toBe(true)
    const n1 = node('n1')
    expect(
      (
        await sh(runner, n1, ['crm_attribute', '-t', 'crm_config', '-G', '-n', 'stonith-enabled', '-q'])
      ).trim(),
    ).toBe('false')
    expect(parseCrmMon(await sh(runner, n1, ['crm_mon', '-1', '--output-as=xml'])).stonithEnabled).toBe(false)
    // The running corosync uses the public addresses (eth0, next to the VIP).
    expect((await sh(runner, n1, ['corosync-cmapctl', '-g', 'nodelist.node.0.ring0_addr'])).trim()).toMatch(
      /= 198\.18\.2\.11$/,
    )
    expect(await sh(runner, n1, ['cat', '/etc/corosync/corosync.conf'])).toContain('ring0_addr: 198.18.2.12')
    const mon = parseCrmMon(await sh(runner, n1, ['crm_mon', '-1', '--output-as=xml']))
    expect(mon.quorate).toBe(true)
    expect(mon.online.sort()).toEqual(['n1', 'n2', 'n3'])
    // In place: same nodes, same boots.
    for (const [n, pid] of Object.entries(pids)) expect(initPid(labDir, n)).toBe(pid)
  })

  it('switches to hb-redundant, fence-gap, no-log-forward and capacity-short, each defect really present', async () => {
    const s = await useVariants(['hb-redundant', 'fence-gap', 'no-log-forward', 'capacity-short'])
    expect(s.variants).toEqual(['capacity-short', 'fence-gap', 'hb-redundant', 'no-log-forward'])
    const n1 = node('n1')

    // Two knet links: link 0 on the heartbeat net, link 1 on the management net.
    expect((await sh(runner, n1, ['corosync-cmapctl', '-g', 'nodelist.node.0.ring0_addr'])).trim()).toMatch(
      /= 198\.18\.1\.11$/,
    )
    expect((await sh(runner, n1, ['corosync-cmapctl', '-g', 'nodelist.node.0.ring1_addr'])).trim()).toMatch(
      /= 198\.18\.3\.11$/,
    )
    const cfg = await sh(runner, n1, ['corosync-cfgtool', '-s'])
    expect(cfg).toMatch(/LINK ID 0/)
    expect(cfg).toMatch(/LINK ID 1/)

    // fence-gap: nothing can fence n3.
    expect(await sh(runner, node('n2'), ['stonith_admin', '--list', 'n1'])).toContain('fence-n1')
    for (const peer of ['n1', 'n2']) {
      expect(await sh(runner, node(peer), ['stonith_admin', '--list', 'n3'])).toMatch(
        /^0 fence devices found/m,
      )
    }
    expect(await sh(runner, n1, ['cibadmin', '-Q', '--scope', 'resources'])).not.toContain(
      'name="pcmk_host_list" value="n3"',
    )

    // no-log-forward: rsyslog keeps logs local; a marker never reaches the log server.
    expect(await sh(runner, n1, ['cat', '/etc/rsyslog.conf'])).not.toContain('@@')
    const token = `hacheck-no-forward-${Date.now()}`
    await sh(runner, n1, ['logger', '-t', 'hacheck-test', token])
    await waitFor('the marker in the local syslog of n1', 10_000, async () => {
      const r = await runner.run(n1, {argv: ['grep', '-c', token, '/var/log/syslog']})
      return r.exitCode === 0 ? true : undefined
    })
    const remote = await runner.run(node('log'), {argv: ['grep', '-rl', token, '/var/log/remote/']})
    expect(remote.exitCode).not.toBe(0)

    // capacity-short: everything fits on 3 nodes, not on 2.
    expect(await sh(runner, n1, ['cibadmin', '-Q', '--scope', 'nodes'])).toContain('name="cpu" value="1"')
    const sim = await sh(runner, n1, ['crm_simulate', '-L', '-S', '--node-fail', 'n1'], 60_000)
    expect(sim.slice(sim.indexOf('Revised Cluster Status'))).toMatch(/p-(web|vip|worker\d)\s.*Stopped/)
    const inv = await loadInventory(s.inventory ?? '')
    expect(inv.cluster.peakLoad).toMatchObject({cpu: 5})
  })

  it('restores the healthy configuration with --variant healthy, still without rebuilding', async () => {
    const s = await restoreHealthy()
    expect(s.variants).toEqual([])
    const n1 = node('n1')
    expect(
      (
        await sh(runner, n1, ['crm_attribute', '-t', 'crm_config', '-G', '-n', 'stonith-enabled', '-q'])
      ).trim(),
    ).toBe('true')
    expect(await sh(runner, node('n1'), ['stonith_admin', '--list', 'n3'])).toContain('fence-n3')
    const cfg = await sh(runner, n1, ['corosync-cfgtool', '-s'])
    expect(cfg).not.toMatch(/LINK ID 1/)
    expect(await sh(runner, n1, ['cat', '/etc/rsyslog.conf'])).toMatch(/^\*\.\* @@logserver:514$/m)
    expect(await sh(runner, n1, ['cibadmin', '-Q', '--scope', 'nodes'])).toContain('name="cpu" value="2"')
    const res = await fetch('http://198.18.2.100/', {signal: AbortSignal.timeout(5000)})
    expect(res.status).toBe(200)
    for (const [n, pid] of Object.entries(pids)) expect(initPid(labDir, n)).toBe(pid)
  })
})
