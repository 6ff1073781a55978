import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {execa} from 'execa'
import {describe, expect, it} from 'vitest'

import {tlsSubject} from '../../../src/lab/health.js'
import {labDown, labStatus, labUp} from '../../../src/lab/lab.js'
import {readState} from '../../../src/lab/state.js'
import {labContext, labRunner, labTitle, sh, useVariants, waitFor} from './helpers.js'

/**
 * Other profiles, crash recovery and tear-down. Each profile is a rebuild; the
 * file leaves the lab DOWN (test files that run later call ensureLab(), which
 * builds the default lab again).
 */

const lab = labContext()
const ROOT = resolve(import.meta.dirname, '../../..')
const say = (m: string): void => console.warn(`[hacheck lab] ${m}`)

async function peerCertSha256(host: string): Promise<string> {
  const r = await execa(
    'openssl',
    ['s_client', '-connect', `${host}:443`, '-servername', 'www.hacheck.lab', '-showcerts'],
    {input: '', reject: false, timeout: 15_000},
  )
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(String(r.stdout))?.[0] ?? ''
  return createHash('sha256').update(pem).digest('hex')
}

async function curlVia(lb: string): Promise<string> {
  const r = await execa(
    'curl',
    ['-sk', '--max-time', '5', '--resolve', `www.hacheck.lab:443:${lb}`, 'https://www.hacheck.lab/'],
    {reject: false},
  )
  return String(r.stdout).trim()
}

describe.skipIf(!lab.available)(labTitle('hacheck lab: profiles, crash recovery and tear-down'), () => {
  it('recovers from a lab up killed with SIGKILL half-way and then builds the web profile', async () => {
    // From no lab at all (earlier files leave the cluster profile up), so the child starts building at once.
    await labDown()
    const child = execa('node', [join(ROOT, 'bin/dev.js'), 'lab', 'up', '--profile', 'web', '--quiet'], {
      reject: false,
      cwd: ROOT,
      env: {HACHECK_DEBUG: '1'},
    })
    // Kill it once it has created namespaces and started nodes, before the lab is ready.
    // Generous: the previous lab (another profile) is removed first, on a loaded CI machine.
    await waitFor(
      'a half-built lab',
      150_000,
      async () => {
        const st = readState()
        return st?.profile === 'web' && st.phase === 'building' && Object.keys(st.pids).length > 0
          ? true
          : undefined
      },
      100,
    )
    child.kill('SIGKILL')
    await child
    expect(readState()?.phase).toBe('building')

    const r = await labUp({profile: 'web', variants: [], onProgress: say})
    expect(r.mode).toBe('built')
    expect(r.status.up).toBe(true)
    expect(r.status.nodes.map((n) => [n.name, n.roles.join(','), n.state])).toEqual([
      ['lb1', 'lb', 'running'],
      ['lb2', 'lb', 'running'],
      ['app1', 'app', 'running'],
      ['app2', 'app', 'running'],
      ['app3', 'app', 'running'],
      ['redis1', 'session', 'running'],
      ['redis2', 'session', 'running'],
      ['redis3', 'session', 'running'],
    ])
  })

  it('terminates TLS for www.hacheck.lab on both LBs with the same certificate, in front of plain-HTTP apps', async () => {
    const {runner, node} = await labRunner()
    try {
      for (const lb of ['lb1', 'lb2']) {
        const cfg = await sh(runner, node(lb), ['cat', '/etc/haproxy/haproxy.cfg'])
        expect(cfg).toMatch(/bind :443 ssl crt \/etc\/haproxy\/certs\/www\.hacheck\.lab\.pem/)
        expect(await sh(runner, node(lb), ['haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg'])).toMatch(
          /valid/i,
        )
      }
      for (const app of ['app1', 'app2', 'app3']) {
        const r = await runner.run(node(app), {argv: ['ls', '/srv/app/tls/www.hacheck.lab.pem']})
        expect(r.exitCode).not.toBe(0)
        expect((await sh(runner, node(app), ['curl', '-s', 'http://127.0.0.1:8080/'])).trim()).toBe(
          `hello from ${app}`,
        )
      }
      expect(await tlsSubject('198.18.2.41')).toBe('www.hacheck.lab')
      expect(await peerCertSha256('198.18.2.41')).toBe(await peerCertSha256('198.18.2.42'))
      // HAProxy marks a backend up only after its first health checks pass (a few seconds after boot):
      // keep asking, for up to 15 s, until the three app servers have answered.
      const answers = new Set<string>()
      for (let i = 0; i < 60 && answers.size < 3; i++) {
        answers.add(await curlVia(i % 2 ? '198.18.2.41' : '198.18.2.42'))
        if (answers.size < 3) await new Promise((r) => setTimeout(r, 250))
      }
      expect([...answers].sort()).toEqual(['hello from app1', 'hello from app2', 'hello from app3'])
    } finally {
      await runner.close()
    }
  })

  it('moves the certificate to the backends with the cert-on-backend variant, in place', async () => {
    const s = await useVariants(['cert-on-backend'])
    expect(s.variants).toEqual(['cert-on-backend'])
    const {runner, node} = await labRunner(s)
    try {
      for (const lb of ['lb1', 'lb2']) {
        const cfg = await sh(runner, node(lb), ['cat', '/etc/haproxy/haproxy.cfg'])
        expect(cfg).not.toMatch(/ssl crt/)
        expect(cfg).toMatch(/mode tcp/)
        const r = await runner.run(node(lb), {argv: ['ls', '/etc/haproxy/certs/www.hacheck.lab.pem']})
        expect(r.exitCode).not.toBe(0)
      }
      for (const app of ['app1', 'app2']) {
        await sh(runner, node(app), ['test', '-s', '/srv/app/tls/www.hacheck.lab.pem'])
      }
      // Clients still see the certificate: the backend presents it through the TCP pass-through.
      expect(await tlsSubject('198.18.2.41')).toBe('www.hacheck.lab')
      expect(await curlVia('198.18.2.41')).toMatch(/^hello from app[123]$/)
    } finally {
      await runner.close()
    }
  })

  it('builds 2 cluster nodes with a corosync-qnetd witness that gives the third vote', async () => {
    const r = await labUp({profile: 'pacemaker2-qdevice', variants: [], onProgress: say})
    expect(r.status.nodes.map((n) => `${n.name}:${n.roles.join(',')}`)).toEqual([
      'n1:cluster',
      'n2:cluster',
      'witness:witness',
      'log:log',
    ])
    const {runner, node} = await labRunner(r.status)
    try {
      const q = await sh(runner, node('n1'), ['corosync-quorumtool', '-s'])
      expect(q).toMatch(/Quorate:\s+Yes/)
      expect(q).toMatch(/Total votes:\s+3/)
      expect(q).toMatch(/Qdevice/)
      expect(await sh(runner, node('n1'), ['corosync-qdevice-tool', '-s'])).toMatch(/State:\s+Connected/)
      expect(await sh(runner, node('witness'), ['corosync-qnetd-tool', '-l'])).toMatch(/Cluster "lab"/)
      expect(await sh(runner, node('n1'), ['corosync-cmapctl', '-g', 'quorum.device.model'])).toMatch(/= net/)
    } finally {
      await runner.close()
    }
  })

  it('builds 2 cluster nodes without a witness (two_node: 1)', async () => {
    const r = await labUp({profile: 'pacemaker2', variants: [], onProgress: say})
    expect(r.status.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'log'])
    const {runner, node} = await labRunner(r.status)
    try {
      expect(await sh(runner, node('n1'), ['corosync-cmapctl', '-g', 'quorum.two_node'])).toMatch(/= 1$/m)
      const q = await sh(runner, node('n2'), ['corosync-quorumtool', '-s'])
      expect(q).toMatch(/Quorate:\s+Yes/)
      expect(q).toMatch(/Flags:.*2Node/)
      expect(q).toMatch(/WaitForAll/)
      expect(q).not.toMatch(/Qdevice/)
    } finally {
      await runner.close()
    }
  })

  it('tears down completely: no namespace, bridge, veth, mount or lab process remains, and again is a no-op', async () => {
    const st = readState()
    const dir = st?.labDir ?? ''
    const pids = Object.values(st?.pids ?? {})
    const inits = readdirSync(join(dir, 'nodes')).map((n) => {
      try {
        return Number(readFileSync(join(dir, 'nodes', n, 'init.pid'), 'utf8').trim())
      } catch {
        return 0
      }
    })
    const d = await labDown()
    expect(d.durationMs).toBeLessThan(10_000)
    expect(d.removedDir).toBe(true)

    const netns = await execa('ip', ['netns', 'list'])
    expect(String(netns.stdout)).not.toMatch(/hk-/)
    const links = await execa('ip', ['-br', 'link'])
    expect(String(links.stdout)).not.toMatch(/^hk-/m)
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toMatch(/hk-|hacheck-lab/)
    for (const pid of [...pids, ...inits].filter((p) => p > 1)) {
      const alive =
        existsSync(`/proc/${pid}/ns/net`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
      expect(alive, `pid ${pid}`).toBe(false)
    }
    // No live process anywhere runs from the lab directory.
    for (const e of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      let cmd = ''
      try {
        cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8')
        readlinkSync(`/proc/${e}/ns/net`)
      } catch {
        continue
      }
      expect(cmd.includes(dir), `pid ${e}: ${cmd}`).toBe(false)
    }
    expect(existsSync(dir)).toBe(false)

    const again = await labDown()
    expect(again.namespaces).toEqual([])
    expect(again.links).toEqual([])
    expect((await labStatus()).up).toBe(false)
  })
})
