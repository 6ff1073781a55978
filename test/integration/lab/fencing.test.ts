import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {parseCrmMon} from '../../../src/lab/health.js'
import {labStatus, type LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, restoreHealthy, sh, waitFor} from './helpers.js'

const lab = labContext()

async function powerStatus(bmc: string, password: string): Promise<'on' | 'off' | undefined> {
  const r = await execa(
    'ipmitool',
    ['-I', 'lanplus', '-C', '3', '-H', bmc, '-U', 'admin', '-E', 'chassis', 'power', 'status'],
    {env: {IPMI_PASSWORD: password}, reject: false, timeout: 15_000},
  )
  const m = /Chassis Power is (on|off)/.exec(String(r.stdout))
  return m ? (m[1] as 'on' | 'off') : undefined
}

describe.skipIf(!lab.available)(labTitle('hacheck lab: real fencing through the simulated BMCs'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: (name: string) => NodeSpec

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
    // Clears the fence history this test leaves, for the files that follow.
    if (lab.available) await restoreHealthy()
  })

  it('fences n3 with stonith_admin --reboot: its BMC powers it off, then on, and n3 rejoins the cluster', async () => {
    const password = status.env.LAB_BMC_PASSWORD ?? ''
    const bmc = '198.18.3.103'
    expect(await powerStatus(bmc, password)).toBe('on')

    const t0 = Date.now()
    const fence = runner.run(node('n1'), {
      argv: ['stonith_admin', '--reboot', 'n3', '--timeout', '90'],
      timeoutMs: 120_000,
    })
    // The BMC reports the node off at some point during the fence (off, power_wait, on).
    const offAt = await waitFor('n3 powered off by its BMC', 60_000, async () =>
      (await powerStatus(bmc, password)) === 'off' ? Date.now() - t0 : undefined,
    )
    const r = await fence
    expect(r.exitCode, r.stderr).toBe(0)
    console.warn(`[fencing] n3 off after ${offAt} ms, fence confirmed after ${Date.now() - t0} ms`)

    // The node really was dead: its BMC powered it back on and it went through POST.
    await waitFor('n3 powered on again', 30_000, async () =>
      (await powerStatus(bmc, password)) === 'on' ? true : undefined,
    )
    const history = await sh(runner, node('n1'), ['stonith_admin', '--history', 'n3'])
    expect(history).toMatch(/reboot of n3 successful/)

    // Back in the membership (POST ~8 s, then corosync and pacemaker).
    await waitFor('n3 online again', 90_000, async () => {
      const mon = parseCrmMon(await sh(runner, node('n1'), ['crm_mon', '-1', '--output-as=xml']))
      return mon.quorate && mon.online.includes('n3') ? true : undefined
    })
    console.warn(`[fencing] n3 rejoined after ${Date.now() - t0} ms`)
    // A fresh boot: uptime (time namespace) restarted with the power cycle.
    const uptime = Number((await sh(runner, node('n3'), ['cat', '/proc/uptime'])).split(' ')[0])
    expect(uptime).toBeLessThan((Date.now() - t0) / 1000 + 5)
  })

  it('powers a node that was switched off at its BMC back on when the lab is restored to healthy', async () => {
    const password = status.env.LAB_BMC_PASSWORD ?? ''
    const off = await execa(
      'ipmitool',
      ['-I', 'lanplus', '-C', '3', '-H', '198.18.3.102', '-U', 'admin', '-E', 'chassis', 'power', 'off'],
      {env: {IPMI_PASSWORD: password}, reject: false, timeout: 15_000},
    )
    expect(off.exitCode, String(off.stderr)).toBe(0)
    await waitFor('n2 off in lab status', 20_000, async () => {
      const s = await labStatus()
      return s.nodes.find((n) => n.name === 'n2')?.state === 'off' ? true : undefined
    })
    const s = await restoreHealthy()
    expect(s.nodes.every((n) => n.state === 'running')).toBe(true)
    expect(await powerStatus('198.18.3.102', password)).toBe('on')
    const mon = parseCrmMon(await sh(runner, node('n1'), ['crm_mon', '-1', '--output-as=xml']))
    expect(mon.online.sort()).toEqual(['n1', 'n2', 'n3'])
    expect((await sh(runner, node('n2'), ['hostname'])).trim()).toBe('n2')
  })
})
