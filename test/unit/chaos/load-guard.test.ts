import {createServer, type Server} from 'node:http'
import {createServer as createTcpServer, type AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {controllerRefusals} from '../../../src/chaos/safety/controller.js'
import http from '../../../src/chaos/workloads/http.js'
import {probeCommand, probeHttp, probeTcp} from '../../../src/chaos/workloads/probes.js'
import {controllerMatch} from '../../../src/chaos/safety/net.js'
import {cidrContains, isLoopback} from '../../../src/core/address.js'
import {flatAddresses, parseIpAddr} from '../../../src/facts/ip-addr.js'
import type {ProbeEvent} from '../../../src/chaos/timeline.js'
import type {NodeSpec} from '../../../src/core/types.js'
import {labFacts} from './fixtures.js'

describe('probes (against a server on 127.0.0.1)', () => {
  let server: Server
  let port = 0
  const connections = new Set<string>()
  let slow = false
  beforeAll(async () => {
    server = createServer((req, res) => {
      connections.add(`${req.socket.remotePort}`)
      if (slow) return // never answers
      res.writeHead(req.url === '/down' ? 503 : 200, {'content-type': 'text/plain', 'x-served-by': 'n1'})
      res.end('ok\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('HTTP: ok, status, who answered, latency', async () => {
    const p = await probeHttp(`http://127.0.0.1:${port}/`, 800)
    expect(p).toMatchObject({kind: 'probe', probe: 'http', ok: true, status: 200, server: 'n1'})
    expect(p.latencyMs).toBeGreaterThanOrEqual(0)
    expect(await probeHttp(`http://127.0.0.1:${port}/down`, 800)).toMatchObject({
      ok: false,
      status: 503,
      error: 'HTTP 503',
    })
  })

  it('HTTP: a probe that gets no answer fails at its timeout', async () => {
    slow = true
    try {
      const p = await probeHttp(`http://127.0.0.1:${port}/`, 300)
      expect(p).toMatchObject({ok: false, error: 'timeout'})
      expect(p.latencyMs).toBeGreaterThanOrEqual(290)
      expect(p.latencyMs).toBeLessThan(600)
    } finally {
      slow = false
      server.closeAllConnections()
    }
  })

  it('HTTP: connection refused is a failed probe', async () => {
    const closed = createTcpServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
    const p2 = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    expect(await probeHttp(`http://127.0.0.1:${p2}/`, 800)).toMatchObject({ok: false, error: 'ECONNREFUSED'})
    expect(await probeTcp('127.0.0.1', p2, 800)).toMatchObject({ok: false, error: 'ECONNREFUSED'})
    expect(await probeTcp('127.0.0.1', port, 800)).toMatchObject({ok: true, probe: 'tcp'})
  })

  it('the workload fires on schedule, each probe on a fresh connection', async () => {
    connections.clear()
    const got: ProbeEvent[] = []
    const w = http.create(
      {kind: 'http', url: `http://127.0.0.1:${port}/`, ratePerS: 50, timeoutMs: 800},
      {runId: 'probes', env: process.env, record: (e) => got.push(e as ProbeEvent)},
    )
    w.start()
    await new Promise((r) => setTimeout(r, 1000))
    await w.stop()
    expect(got.length).toBeGreaterThanOrEqual(45)
    expect(got.length).toBeLessThanOrEqual(53)
    expect(got.every((p) => p.ok)).toBe(true)
    // One client port per probe: no keep-alive reuse.
    expect(connections.size).toBe(got.length)
    const ts = got.map((p) => p.t).sort((a, b) => a - b)
    const gaps = ts
      .slice(1)
      .map((t, i) => t - (ts[i] as number))
      .sort((a, b) => a - b)
    // Open loop at 50/s: 20 ms apart, give or take the event loop.
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThan(15)
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(25)
  })

  it('a custom command probe: exit 0 is up', async () => {
    expect(await probeCommand(['true'], 1000)).toMatchObject({ok: true, probe: 'cmd'})
    expect(await probeCommand(['sh', '-c', 'exit 4'], 1000)).toMatchObject({ok: false, error: 'exit 4'})
    expect(await probeCommand(['sleep', '5'], 200)).toMatchObject({ok: false, error: 'timeout'})
  })
})

describe('the controller-self guard', () => {
  const node = (name: string, host: string): NodeSpec => ({name, host, roles: ['cluster'], ssh: {}})
  // They stand for this machine's own addresses (loopback, link-local, one interface address), which hacheck must refuse to target.
  const local = ['127.0.0.1', '::1', '198.19.255.5', 'fe80::1']
  const resolve = async (h: string): Promise<string[]> =>
    h === 'me.example' ? ['198.19.255.5'] : h === 'alias' ? [] : [h]

  it('refuses loopback, this machine’s addresses, and names that resolve to them', async () => {
    expect(await controllerRefusals([node('a', '127.0.0.1')], {local, resolve})).toEqual([
      'node a (127.0.0.1) is this machine: 127.0.0.1 is a loopback address of this machine',
    ])
    expect(await controllerRefusals([node('b', '127.8.9.10')], {local, resolve})).toHaveLength(1)
    expect(await controllerRefusals([node('c', '::1')], {local, resolve})).toHaveLength(1)
    expect(await controllerRefusals([node('d', 'me.example')], {local, resolve})).toEqual([
      "node d (me.example) is this machine: 198.19.255.5 is an address of this machine's own interfaces",
    ])
    expect(await controllerRefusals([node('e', '::ffff:127.0.0.1')], {local, resolve})).toHaveLength(1)
  })

  it('catches an ssh alias through the node’s own addresses', async () => {
    const facts = new Map([
      [
        'f',
        {
          ...labFacts(1),
          node: 'f',
          addrs: flatAddresses(
            parseIpAddr(
              JSON.stringify([
                {
                  ifname: 'eth0',
                  flags: ['UP'],
                  addr_info: [{family: 'inet', local: '198.19.255.5', prefixlen: 24, scope: 'global'}],
                },
              ]),
            ),
          ),
        },
      ],
    ])
    expect(await controllerRefusals([node('f', 'alias')], {local, resolve})).toEqual([])
    expect(await controllerRefusals([node('f', 'alias')], {local, resolve, facts})).toEqual([
      "node f (alias) is this machine: it has this machine's address 198.19.255.5",
    ])
  })

  it('lets lab nodes through', async () => {
    expect(
      await controllerRefusals([node('n1', '198.18.2.11')], {
        local,
        resolve,
        facts: new Map([['n1', labFacts(1)]]),
      }),
    ).toEqual([])
  })

  it('address helpers', () => {
    expect(isLoopback('127.0.0.53')).toBe(true)
    expect(isLoopback('198.18.2.1')).toBe(false)
    expect(controllerMatch('0:0:0:0:0:0:0:1', [])).toMatch(/loopback/)
    expect(cidrContains('198.18.1.0/24', '198.18.1.11')).toBe(true)
    expect(cidrContains('198.18.1.0/24', '198.18.2.11')).toBe(false)
    expect(cidrContains('fd00::/8', 'fd12::1')).toBe(true)
  })
})
