import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

const loadedSsh2 = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\/]node_modules[\\/]ssh2[\\/]/.test(k))

describe('transport module loading', () => {
  it('does not load ssh2 until a connection is made, so --help stays fast', async () => {
    const transport = await import('../../../src/transport/index.js')
    expect(typeof transport.createSshPool).toBe('function')
    expect(loadedSsh2()).toEqual([])
    // Connecting loads it (to a closed loopback port: fails at once, proves the check can see ssh2).
    const pool = transport.createSshPool({knownHostsFiles: [], sshConfigFile: false, agentSocket: false})
    await pool
      .run({name: 'x', host: '127.0.0.1', port: 1, roles: [], ssh: {user: 'root'}}, {argv: ['true']})
      .catch(() => undefined)
    await pool.close()
    expect(loadedSsh2().length).toBeGreaterThan(0)
  })
})
