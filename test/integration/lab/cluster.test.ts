import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {parseCrmMon} from '../../../src/lab/health.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, sh, waitFor} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck lab: the healthy pacemaker3 cluster'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: (name: string) => NodeSpec
  let cluster: NodeSpec[]

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, node} = await labRunner(status))
    cluster = ['n1', 'n2', 'n3'].map(node)
  })
  afterAll(async () => {
    await runner?.close()
  })

  it('reports three running cluster nodes with BMCs and a running log server', () => {
    expect(status.up).toBe(true)
    expect(status.profile).toBe('pacemaker3')
    expect(status.variants).toEqual([])
    expect(status.inventory).toBe(join(status.labDir, 'inventory.yaml'))
    expect(status.env.LAB_BMC_PASSWORD).toMatch(/^lab-[0-9a-f]{12}$/)
    expect(status.nodes.map((n) => [n.name, n.host, n.state])).toEqual([
      ['n1', '198.18.2.11', 'running'],
      ['n2', '198.18.2.12', 'running'],
      ['n3', '198.18.2.13', 'running'],
      ['log', '198.18.2.31', 'running'],
    ])
    expect(status.nodes.filter((n) => n.bmc).map((n) => n.bmc)).toEqual([
      '198.18.3.101',
      '198.18.3.102',
      '198.18.3.103',
    ])
  })

  it("answers on every node through hacheck's own SSH transport, each node with its own hostname", async () => {
    for (const name of ['n1', 'n2', 'n3', 'log']) {
      expect((await sh(runner, node(name), ['hostname'])).trim()).toBe(name)
    }
  })

  it('is quorate with all three nodes online and a DC elected', async () => {
    const mon = parseCrmMon(await sh(runner, node('n2'), ['crm_mon', '-1', '--output-as=xml']))
    expect(mon.quorate).toBe(true)
    expect(mon.dc).toMatch(/^n[123]$/)
    expect(mon.online.sort()).toEqual(['n1', 'n2', 'n3'])
    const q = await sh(runner, node('n1'), ['corosync-quorumtool', '-s'])
    expect(q).toMatch(/Quorate:\s+Yes/)
    expect(q).toMatch(/Total votes:\s+3/)
  })

  it('has STONITH enabled with one started fence_ipmilan device per node (lanplus, cipher 3)', async () => {
    const n1 = node('n1')
    expect(
      (
        await sh(runner, n1, ['crm_attribute', '-t', 'crm_config', '-G', '-n', 'stonith-enabled', '-q'])
      ).trim(),
    ).toBe('true')
    // Devices that can fence each node, as a peer's fencer sees them (a device never runs on its own target).
    for (const [target, peer] of [
      ['n1', 'n2'],
      ['n2', 'n3'],
      ['n3', 'n1'],
    ] as const) {
      expect(await sh(runner, node(peer), ['stonith_admin', '--list', target])).toContain(`fence-${target}`)
    }
    const cib = await sh(runner, n1, ['cibadmin', '-Q', '--scope', 'resources'])
    for (const n of ['n1', 'n2', 'n3']) {
      expect(cib).toMatch(new RegExp(`id="fence-${n}" class="stonith" type="fence_ipmilan"`))
      expect(cib).toContain(`name="pcmk_host_list" value="${n}"`)
    }
    expect(cib).toContain('name="cipher" value="3"')
    const mon = parseCrmMon(await sh(runner, n1, ['crm_mon', '-1', '--output-as=xml']))
    for (const n of ['n1', 'n2', 'n3']) {
      const dev = mon.resources.find((r) => r.id === `fence-${n}`)
      expect(dev?.role).toBe('Started')
      expect(dev?.node).not.toBe(n)
    }
  })

  it('serves HTTP on the VIP, from the node that holds the VIP', async () => {
    const res = await fetch('http://198.18.2.100/', {signal: AbortSignal.timeout(5000)})
    expect(res.status).toBe(200)
    const served = (await res.text()).trim()
    expect(['n1', 'n2', 'n3']).toContain(served)
    const mon = parseCrmMon(await sh(runner, node('n1'), ['crm_mon', '-1', '--output-as=xml']))
    const vip = mon.resources.find((r) => r.id === 'p-vip')
    const web = mon.resources.find((r) => r.id === 'p-web')
    expect(vip?.node).toBe(served)
    expect(web?.node).toBe(served)
    // From another node, over the public network.
    const other = ['n1', 'n2', 'n3'].find((n) => n !== served) as string
    expect(
      (await sh(runner, node(other), ['curl', '-s', '--max-time', '5', 'http://198.18.2.100/'])).trim(),
    ).toBe(served)
  })

  it('runs the Corosync heartbeat on its own interface (eth1, 198.18.1.0/24), not on the public network', async () => {
    const n1 = node('n1')
    const conf = await sh(runner, n1, ['cat', '/etc/corosync/corosync.conf'])
    expect(conf).toContain('ring0_addr: 198.18.1.11')
    expect(conf).not.toMatch(/ring\d_addr: 198\.18\.2\./)
    const addr = JSON.parse(await sh(runner, n1, ['ip', '-j', 'addr', 'show', 'eth1'])) as {
      addr_info: {local: string}[]
    }[]
    expect(addr[0]?.addr_info.map((a) => a.local)).toEqual(['198.18.1.11'])
    const links = await sh(runner, n1, ['corosync-cfgtool', '-s'])
    expect(links).toMatch(/LINK ID 0/)
  })

  it('forwards every cluster node’s logs to the central log server over TCP 514', async () => {
    const log = node('log')
    for (const n of cluster) {
      const rsyslog = await sh(runner, n, ['cat', '/etc/rsyslog.conf'])
      expect(rsyslog).toMatch(/^\*\.\* @@logserver:514$/m)
      const token = `hacheck-lab-test-${n.name}-${Date.now()}`
      await sh(runner, n, ['logger', '-t', 'hacheck-test', token])
      await waitFor(`${token} on the log server`, 20_000, async () => {
        const r = await runner.run(log, {argv: ['grep', '-rl', token, '/var/log/remote/']})
        return r.exitCode === 0 ? r.stdout : undefined
      })
    }
    // The log server really is a separate node listening on TCP 514.
    expect(await sh(runner, log, ['ss', '-Htln', 'sport = :514'])).toContain(':514')
  })

  it('declares node capacity and resource utilization so that the cluster survives losing any one node', async () => {
    const n1 = node('n1')
    const nodes = await sh(runner, n1, ['cibadmin', '-Q', '--scope', 'nodes'])
    expect((nodes.match(/name="cpu" value="2"/g) ?? []).length).toBe(3)
    expect(
      await sh(runner, n1, ['crm_attribute', '-t', 'crm_config', '-G', '-n', 'placement-strategy', '-q']),
    ).toMatch(/balanced/)
    // Simulate the loss of each node: every resource still finds a place.
    for (const victim of ['n1', 'n2', 'n3']) {
      const sim = await sh(runner, n1, ['crm_simulate', '-L', '-S', '--node-fail', victim], 60_000)
      const after = sim.slice(sim.indexOf('Revised Cluster Status'))
      expect(after).not.toMatch(/p-(web|vip|worker\d)\s.*Stopped/)
    }
  })

  it('gives every node its own SSH host keys, recorded in the lab known_hosts (never the host’s keys)', async () => {
    const known = readFileSync(status.ssh?.knownHosts ?? '', 'utf8')
    const keys = new Set<string>()
    for (const name of ['n1', 'n2', 'n3', 'log']) {
      const pub =
        (await sh(runner, node(name), ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).trim().split(/\s+/)[1] ??
        ''
      expect(known).toContain(pub)
      keys.add(pub)
    }
    expect(keys.size).toBe(4)
    const hostKey = (() => {
      try {
        return readFileSync('/etc/ssh/ssh_host_ed25519_key.pub', 'utf8').split(/\s+/)[1]
      } catch {
        return undefined
      }
    })()
    if (hostKey) expect(keys.has(hostKey)).toBe(false)
  })

  it('has no default route in any node and only 198.18.0.0/15 and loopback addresses', async () => {
    for (const name of ['n1', 'n2', 'n3', 'log']) {
      const routes = JSON.parse(
        await sh(runner, node(name), ['ip', '-j', 'route', 'show', 'table', 'all']),
      ) as {
        dst: string
      }[]
      expect(routes.some((r) => r.dst === 'default')).toBe(false)
      const addrs = JSON.parse(await sh(runner, node(name), ['ip', '-j', 'addr'])) as {
        addr_info: {local: string; family: string}[]
      }[]
      for (const a of addrs.flatMap((i) => i.addr_info)) {
        expect(a.local).toMatch(/^(198\.1[89]\.|127\.)/)
      }
    }
  })

  it('reaches every BMC with ipmitool (lanplus, cipher 3) and the exported password', async () => {
    for (const bmc of ['198.18.3.101', '198.18.3.102', '198.18.3.103']) {
      const r = await execa(
        'ipmitool',
        ['-I', 'lanplus', '-C', '3', '-H', bmc, '-U', 'admin', '-E', 'chassis', 'power', 'status'],
        {env: {IPMI_PASSWORD: status.env.LAB_BMC_PASSWORD ?? ''}, reject: false, timeout: 20_000},
      )
      expect(r.stdout).toContain('Chassis Power is on')
    }
  })
})
