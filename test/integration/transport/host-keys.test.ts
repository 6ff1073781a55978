import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {createSshPool, type SshPoolOptions, TransportError} from '../../../src/transport/index.js'
import {canRunSshd, generateKeyPair, type KeyPair, nodeFor, type Sshd, startSshd} from '../../support/sshd.js'

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(TransportError)
  return e as TransportError
}

describe.skipIf(!canRunSshd())('host key verification against a real sshd', () => {
  let sshd: Sshd
  let dir: string
  let other: KeyPair
  let n = 0

  /** A pool that reads only `files` plus a fresh own known_hosts. */
  const poolWith = (files: string[], extra: SshPoolOptions = {}) => {
    const own = join(dir, `own_${++n}`)
    return {
      own,
      pool: createSshPool({
        knownHostsFiles: files,
        ownKnownHostsFile: own,
        sshConfigFile: false,
        agentSocket: false,
        ...extra,
      }),
    }
  }
  const khFile = async (text: string): Promise<string> => {
    const f = join(dir, `kh_${++n}`)
    await writeFile(f, text)
    return f
  }
  const echo = (node: NodeSpec = nodeFor(sshd)) => ({node, cmd: {argv: ['echo', 'ok']}})

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hacheck-hostkeys-'))
    other = await generateKeyPair(dir, 'other_host_key')
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('refuses an unknown host key and names node, host:port, fingerprint and the way out', async () => {
    const {pool, own} = poolWith([await khFile('')])
    try {
      const {node, cmd} = echo()
      const err = await failure(pool.run(node, cmd))
      expect(err.code).toBe('host-key-unknown')
      expect(err.exit).toBe(3)
      expect(err.message).toContain(`node n1 (root@127.0.0.1:${sshd.port})`)
      expect(err.message).toContain(sshd.hostKey.fingerprint)
      expect(err.message).toContain('--accept-new-host-keys')
      expect(err.message).not.toContain('\n')
      expect(err.actions.join(' ')).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1`)
      expect(existsSync(own)).toBe(false)
    } finally {
      await pool.close()
    }
  })

  it('accepts an unknown key with acceptNewHostKeys, records it, and trusts it next time without the flag', async () => {
    const first = poolWith([], {acceptNewHostKeys: true})
    try {
      const {node, cmd} = echo()
      expect((await first.pool.run(node, cmd)).stdout).toBe('ok\n')
    } finally {
      await first.pool.close()
    }
    const recorded = await readFile(first.own, 'utf8')
    expect(recorded).toBe(sshd.knownHostsLine + '\n')
    const again = createSshPool({
      knownHostsFiles: [],
      ownKnownHostsFile: first.own,
      sshConfigFile: false,
      agentSocket: false,
    })
    try {
      const {node, cmd} = echo()
      expect((await again.run(node, cmd)).exitCode).toBe(0)
    } finally {
      await again.close()
    }
  })

  it('refuses a changed host key even with acceptNewHostKeys and shows both fingerprints', async () => {
    const stale = `[127.0.0.1]:${sshd.port} ${other.publicKey.split(' ').slice(0, 2).join(' ')}\n`
    const file = await khFile(stale)
    const {pool, own} = poolWith([file], {acceptNewHostKeys: true})
    try {
      const {node, cmd} = echo()
      const err = await failure(pool.run(node, cmd))
      expect(err.code).toBe('host-key-changed')
      expect(err.message).toContain('HOST KEY CHANGED')
      expect(err.message).toContain(`presented ssh-ed25519 ${sshd.hostKey.fingerprint}`)
      expect(err.message).toContain(`expects ssh-ed25519 ${other.fingerprint} (${file}:1)`)
      expect(err.message).toContain(`127.0.0.1:${sshd.port}`)
      expect(err.actions.join(' ')).toContain('ssh-keygen -R')
      expect(existsSync(own)).toBe(false)
    } finally {
      await pool.close()
    }
  })

  it('matches hashed known_hosts entries written by ssh-keygen -H', async () => {
    const file = await khFile(sshd.knownHostsLine + '\n')
    await execa('ssh-keygen', ['-H', '-f', file])
    const text = await readFile(file, 'utf8')
    expect(text.startsWith('|1|')).toBe(true)
    expect(text).not.toContain('127.0.0.1')
    const {pool} = poolWith([file])
    try {
      const {node, cmd} = echo()
      expect((await pool.run(node, cmd)).stdout).toBe('ok\n')
    } finally {
      await pool.close()
    }
  })

  it("uses the node's own ssh.knownHosts files", async () => {
    const file = await khFile(sshd.knownHostsLine + '\n')
    const {pool} = poolWith([])
    try {
      const node = nodeFor(sshd, 'n1', {knownHosts: [file]})
      expect((await pool.run(node, {argv: ['true']})).exitCode).toBe(0)
    } finally {
      await pool.close()
    }
  })

  it('refuses a key marked @revoked even when another line accepts it', async () => {
    const key = sshd.knownHostsLine.split(' ').slice(1).join(' ')
    const file = await khFile(`${sshd.knownHostsLine}\n@revoked * ${key}\n`)
    const {pool} = poolWith([file], {acceptNewHostKeys: true})
    try {
      const {node, cmd} = echo()
      const err = await failure(pool.run(node, cmd))
      expect(err.code).toBe('host-key-changed')
      expect(err.message).toContain('@revoked')
      expect(err.message).toContain(sshd.hostKey.fingerprint)
    } finally {
      await pool.close()
    }
  })

  it('asks a server with several host keys for the one already known', async () => {
    const ecdsa = await generateKeyPair(dir, 'host_ecdsa', 'ecdsa')
    // Two host keys: ed25519 (what clients prefer by default) and ECDSA (the one we know).
    const both = await startSshd({extraConfig: [`HostKey ${ecdsa.privateKeyPath}`]})
    try {
      const file = await khFile(
        `[127.0.0.1]:${both.port} ${ecdsa.publicKey.split(' ').slice(0, 2).join(' ')}\n`,
      )
      const {pool} = poolWith([file])
      try {
        expect((await pool.run(nodeFor(both), {argv: ['true']})).exitCode).toBe(0)
      } finally {
        await pool.close()
      }
    } finally {
      await both.stop()
    }
  })
})
