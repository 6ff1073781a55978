import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scrubSecrets} from '../../../src/core/secrets.js'
import type {NodeSpec} from '../../../src/core/types.js'
import {createSshPool, type SshPoolOptions, TransportError} from '../../../src/transport/index.js'
import {
  canRunSshd,
  freePort,
  generateKeyPair,
  type KeyPair,
  LOOPBACK,
  nodeFor,
  type Sshd,
  startSshd,
} from '../../support/sshd.js'

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(TransportError)
  return e as TransportError
}

describe.skipIf(!canRunSshd())('connection failures are typed and clear', () => {
  let dir: string
  let sshd: Sshd
  let encrypted: KeyPair
  let stranger: KeyPair
  let knownHosts: string

  const opts = (extra: SshPoolOptions = {}): SshPoolOptions => ({
    knownHostsFiles: [knownHosts],
    ownKnownHostsFile: join(dir, 'own_known_hosts'),
    sshConfigFile: false,
    agentSocket: false,
    ...extra,
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hacheck-failures-'))
    encrypted = await generateKeyPair(dir, 'encrypted', 'ed25519', 'correct horse battery')
    stranger = await generateKeyPair(dir, 'stranger')
    const client = await generateKeyPair(dir, 'client')
    sshd = await startSshd({clientKey: client, authorizedKeys: [client.publicKey, encrypted.publicKey]})
    knownHosts = join(dir, 'known_hosts')
    await writeFile(knownHosts, sshd.knownHostsLine + '\n')
  })
  afterAll(async () => {
    await sshd?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('reports a closed port as unreachable within the connect timeout, naming node and host:port', async () => {
    const port = await freePort()
    const pool = createSshPool(opts({connectTimeoutMs: 2000}))
    try {
      const node: NodeSpec = {name: 'down1', host: LOOPBACK, port, roles: [], ssh: {user: 'root'}}
      const t0 = Date.now()
      const err = await failure(pool.run(node, {argv: ['true']}))
      expect(Date.now() - t0).toBeLessThan(2000)
      expect(err.code).toBe('unreachable')
      expect(err.message).toBe(
        `node down1 (root@127.0.0.1:${port}): connection refused (is sshd running on that port?)`,
      )
      expect(err).toMatchObject({node: 'down1', host: LOOPBACK, port})
    } finally {
      await pool.close()
    }
  })

  it('gives up on a port that accepts but never speaks SSH after the connect timeout', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, LOOPBACK, () => r()))
    const addr = silent.address()
    const port = typeof addr === 'object' && addr ? addr.port : 0
    const pool = createSshPool(opts({connectTimeoutMs: 700}))
    try {
      const node: NodeSpec = {name: 'mute', host: LOOPBACK, port, roles: [], ssh: {user: 'root'}}
      const t0 = Date.now()
      const err = await failure(pool.run(node, {argv: ['true']}))
      const took = Date.now() - t0
      expect(took).toBeGreaterThanOrEqual(650)
      expect(took).toBeLessThan(2000)
      expect(err.code).toBe('timeout')
      expect(err.message).toContain(`node mute (root@127.0.0.1:${port}): no SSH handshake within`)
    } finally {
      await pool.close()
      for (const s of sockets) s.destroy()
      await new Promise((r) => silent.close(r))
    }
  })

  it('reports a key the node does not accept as auth-failed, listing what was tried', async () => {
    const pool = createSshPool(opts())
    try {
      const node = nodeFor(sshd, 'n1', {identityFiles: [stranger.privateKeyPath]})
      const err = await failure(pool.run(node, {argv: ['true']}))
      expect(err.code).toBe('auth-failed')
      expect(err.message).toContain(`node n1 (root@127.0.0.1:${sshd.port}): authentication as root failed`)
      expect(err.message).toContain(stranger.privateKeyPath)
    } finally {
      await pool.close()
    }
  })

  it('unlocks an encrypted identity with the passphrase from the named variable and scrubs it from logs', async () => {
    process.env.HACHECK_TEST_PASSPHRASE = 'correct horse battery'
    const pool = createSshPool(opts())
    try {
      const node = nodeFor(sshd, 'n1', {
        identityFiles: [encrypted.privateKeyPath],
        passphraseEnv: 'HACHECK_TEST_PASSPHRASE',
      })
      expect((await pool.run(node, {argv: ['true']})).exitCode).toBe(0)
      expect(scrubSecrets('pw=correct horse battery')).toBe('pw=***')
    } finally {
      await pool.close()
      delete process.env.HACHECK_TEST_PASSPHRASE
    }
  })

  it('says so when an encrypted identity has no passphrase', async () => {
    const pool = createSshPool(opts())
    try {
      const node = nodeFor(sshd, 'n1', {identityFiles: [encrypted.privateKeyPath]})
      const err = await failure(pool.run(node, {argv: ['true']}))
      expect(err.code).toBe('auth-failed')
      expect(err.message).toContain(`${encrypted.privateKeyPath} is encrypted and no passphraseEnv is set`)
    } finally {
      await pool.close()
    }
  })

  it('notices a dead peer through keepalives, then reconnects once it is back', async () => {
    const pool = createSshPool(opts({keepaliveIntervalMs: 300, keepaliveCountMax: 2}))
    try {
      const node = nodeFor(sshd, 'frozen')
      expect((await pool.run(node, {argv: ['true']})).exitCode).toBe(0)
      const running = pool.run(node, {argv: ['sleep', '987657'], timeoutMs: 4000})
      await new Promise((r) => setTimeout(r, 200))
      sshd.freeze()
      const t0 = Date.now()
      let err: TransportError
      try {
        err = await failure(running)
      } finally {
        sshd.thaw()
      }
      expect(Date.now() - t0).toBeLessThan(2500)
      expect(err.code).toBe('disconnected')
      expect(err.message).toContain(
        `node frozen (root@127.0.0.1:${sshd.port}): connection lost: no answer to 2 SSH keepalives`,
      )
      expect(pool.stats().connectionsOpen).toBe(0)
      const again = await pool.run(node, {argv: ['echo', 'back']})
      expect(again.stdout).toBe('back\n')
      expect(pool.stats()).toMatchObject({connectionsOpened: 2, connectionsOpen: 1})
    } finally {
      await pool.close()
    }
  })
})
