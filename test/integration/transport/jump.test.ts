import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {createSshPool, type SshPoolOptions, TransportError} from '../../../src/transport/index.js'
import {canRunSshd, generateKeyPair, type KeyPair, type Sshd, startSshd} from '../../support/sshd.js'

describe.skipIf(!canRunSshd())('jump hosts (ProxyJump) through a second real sshd', () => {
  let dir: string
  let key: KeyPair
  let jump: Sshd
  let target: Sshd
  let knownHosts: string

  const opts = (extra: SshPoolOptions = {}): SshPoolOptions => ({
    knownHostsFiles: [knownHosts],
    ownKnownHostsFile: join(dir, 'own_known_hosts'),
    sshConfigFile: false,
    agentSocket: false,
    ...extra,
  })
  const accepted = (s: Sshd): number => (s.log().match(/Accepted publickey for root/g) ?? []).length

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hacheck-jump-'))
    key = await generateKeyPair(dir, 'client')
    // The jump host may only forward to the target: proof that traffic goes through it.
    target = await startSshd({clientKey: key})
    jump = await startSshd({
      authorizedKeys: [key.publicKey],
      extraConfig: [`PermitOpen 127.0.0.1:${target.port}`],
    })
    knownHosts = join(dir, 'known_hosts')
    await writeFile(knownHosts, `${jump.knownHostsLine}\n${target.knownHostsLine}\n`)
  })
  afterAll(async () => {
    await jump?.stop()
    await target?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('reaches the node through the ProxyJump given in the inventory', async () => {
    const before = {jump: accepted(jump), target: accepted(target)}
    const pool = createSshPool(opts())
    try {
      const node: NodeSpec = {
        name: 'behind',
        host: '127.0.0.1',
        port: target.port,
        roles: [],
        ssh: {user: 'root', identityFiles: [key.privateKeyPath], proxyJump: `root@127.0.0.1:${jump.port}`},
      }
      const results = await Promise.all(
        Array.from({length: 12}, (_, i) => pool.run(node, {argv: ['echo', String(i)]})),
      )
      expect(results.map((r) => r.stdout)).toEqual(Array.from({length: 12}, (_, i) => `${i}\n`))
      expect(pool.stats().connectionsOpened).toBe(2)
    } finally {
      await pool.close()
    }
    expect(accepted(jump) - before.jump).toBe(1)
    expect(accepted(target) - before.target).toBe(1)
  })

  it('follows HostName, Port, User, IdentityFile and ProxyJump from an ssh config file', async () => {
    const config = join(dir, 'ssh_config')
    await writeFile(
      config,
      [
        'Host db-behind',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        '  User root',
        `  IdentityFile ${key.privateKeyPath}`,
        '  ProxyJump bastion',
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        '  User root',
        `  IdentityFile ${key.privateKeyPath}`,
        '',
      ].join('\n'),
    )
    const before = accepted(jump)
    const pool = createSshPool(opts())
    try {
      const node: NodeSpec = {name: 'db', host: 'db-behind', roles: [], ssh: {configFile: config}}
      const r = await pool.run(node, {argv: ['sh', '-c', 'echo "$USER"']})
      expect(r).toMatchObject({stdout: 'root\n', exitCode: 0})
    } finally {
      await pool.close()
    }
    expect(accepted(jump) - before).toBe(1)
  })

  it('verifies the host key of every hop and names the jump host when it is unknown', async () => {
    const onlyTarget = join(dir, 'only_target')
    await writeFile(onlyTarget, `${target.knownHostsLine}\n`)
    const pool = createSshPool(opts({knownHostsFiles: [onlyTarget]}))
    try {
      const node: NodeSpec = {
        name: 'behind',
        host: '127.0.0.1',
        port: target.port,
        roles: [],
        ssh: {user: 'root', identityFiles: [key.privateKeyPath], proxyJump: `127.0.0.1:${jump.port}`},
      }
      const err = await pool.run(node, {argv: ['true']}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TransportError)
      expect((err as TransportError).code).toBe('host-key-unknown')
      expect((err as TransportError).message).toContain(
        `node behind via jump host 127.0.0.1 (root@127.0.0.1:${jump.port})`,
      )
      expect((err as TransportError).message).toContain(jump.hostKey.fingerprint)
      expect((err as TransportError).port).toBe(jump.port)
    } finally {
      await pool.close()
    }
  })

  it('reports a target the jump host cannot reach as unreachable, naming both', async () => {
    const pool = createSshPool(opts({connectTimeoutMs: 3000}))
    try {
      const node: NodeSpec = {
        name: 'nowhere',
        host: '127.0.0.1',
        port: 1,
        roles: [],
        ssh: {user: 'root', identityFiles: [key.privateKeyPath], proxyJump: `127.0.0.1:${jump.port}`},
      }
      const err = (await pool.run(node, {argv: ['true']}).catch((e: unknown) => e)) as TransportError
      expect(err).toBeInstanceOf(TransportError)
      expect(err.code).toBe('unreachable')
      expect(err.message).toContain('node nowhere (root@127.0.0.1:1)')
      expect(err.message).toContain('jump host 127.0.0.1 cannot reach 127.0.0.1:1')
    } finally {
      await pool.close()
    }
  })
})
