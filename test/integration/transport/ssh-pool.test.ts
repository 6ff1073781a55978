import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createLogger} from '../../../src/cli/logger.js'
import {registerSecret} from '../../../src/core/secrets.js'
import {createSshPool, type SshPoolOptions, TransportError} from '../../../src/transport/index.js'
import {canRunSshd, nodeFor, processesMatching, type Sshd, startSshd, waitFor} from '../../support/sshd.js'

describe.skipIf(!canRunSshd())('SSH pool against a real sshd', () => {
  let sshd: Sshd
  let knownHosts: string
  let logFile: string

  const poolOpts = (extra: SshPoolOptions = {}): SshPoolOptions => ({
    knownHostsFiles: [knownHosts],
    ownKnownHostsFile: join(sshd.dir, 'own_known_hosts'),
    sshConfigFile: false,
    agentSocket: false,
    ...extra,
  })

  beforeAll(async () => {
    sshd = await startSshd()
    knownHosts = join(sshd.dir, 'known_hosts')
    await writeFile(knownHosts, sshd.knownHostsLine + '\n')
    logFile = join(sshd.dir, 'hacheck.log')
    createLogger({file: logFile})
  })
  afterAll(async () => {
    createLogger({file: false})
    await sshd?.stop()
  })

  it('returns stdout and stderr apart, with the exit code', async () => {
    const pool = createSshPool(poolOpts())
    try {
      const r = await pool.run(nodeFor(sshd), {argv: ['sh', '-c', 'echo out; echo err >&2; exit 3']})
      expect(r).toMatchObject({stdout: 'out\n', stderr: 'err\n', exitCode: 3})
      expect(r.signal).toBeUndefined()
      expect(r.timedOut).toBeUndefined()
      expect(r.durationMs).toBeGreaterThanOrEqual(0)
    } finally {
      await pool.close()
    }
  })

  it('passes argv verbatim, never as shell syntax, with LC_ALL=C and the given environment', async () => {
    const pool = createSshPool(poolOpts())
    try {
      const r = await pool.run(nodeFor(sshd), {
        argv: ['sh', '-c', 'printf "%s|%s|%s\\n" "$1" "$LC_ALL" "$GREETING"', 'sh', '$HOME; id `x` "y"'],
        env: {GREETING: 'hello world'},
      })
      expect(r.stdout).toBe('$HOME; id `x` "y"|C|hello world\n')
    } finally {
      await pool.close()
    }
  })

  it('sends a script on stdin to bash -s so its body never shows in the process list', async () => {
    const pool = createSshPool(poolOpts())
    try {
      const marker = 'SCRIPT-BODY-MARKER-4711'
      const run = pool.run(nodeFor(sshd), {
        script: `# ${marker}\necho "bash=\${BASH_VERSION:+yes}"\nsleep 0.6\nread line; echo "stdin:$line"`,
        stdin: 'from-stdin\n',
      })
      const seen = await waitFor(async () => (await processesMatching(/sleep 0\.6/)).length > 0, 3000, 20)
      expect(seen).toBe(true)
      expect(await processesMatching(new RegExp(marker))).toEqual([])
      const r = await run
      expect(r).toMatchObject({stdout: 'bash=yes\nstdin:from-stdin\n', exitCode: 0})
    } finally {
      await pool.close()
    }
  })

  it('hands stdout to onStdout while the command still runs, and still returns all of it', async () => {
    const pool = createSshPool(poolOpts())
    const flag = join(sshd.dir, `live-${process.pid}`)
    const chunks: string[] = []
    try {
      // The command only ends once the controller has seen its first line: that line came live.
      const r = await pool.run(nodeFor(sshd), {
        script: `echo ready; while [ ! -e '${flag}' ]; do sleep 0.05; done; echo 'héllo done'`,
        timeoutMs: 20_000,
        onStdout: (text) => {
          chunks.push(text)
          if (chunks.join('').includes('ready\n')) void writeFile(flag, '')
        },
      })
      expect(r).toMatchObject({stdout: 'ready\nhéllo done\n', exitCode: 0})
      expect(r.timedOut).toBeUndefined()
      expect(chunks.join('')).toBe('ready\nhéllo done\n')
    } finally {
      await pool.close()
    }
  })

  it('cuts output at maxOutputBytes, appends a truncation marker line and sets truncated', async () => {
    const pool = createSshPool(poolOpts({maxOutputBytes: 1000}))
    try {
      const r = await pool.run(nodeFor(sshd), {
        argv: ['sh', '-c', "head -c 200000 /dev/zero | tr '\\0' x; echo small >&2"],
      })
      expect(r.truncated).toBe(true)
      expect(r.exitCode).toBe(0)
      expect(
        r.stdout.startsWith('x'.repeat(1000) + '\n[hacheck: stdout truncated at 1000 bytes, 199000 more'),
      ).toBe(true)
      expect(r.stdout.split('\n')).toHaveLength(3)
      expect(r.stderr).toBe('small\n')
    } finally {
      await pool.close()
    }
  })

  it('kills a command over its timeout on the node, children included, and nothing is left running', async () => {
    const pool = createSshPool(poolOpts({killAfterMs: 500}))
    try {
      const t0 = Date.now()
      const r = await pool.run(nodeFor(sshd), {
        script: 'sleep 987651 &\nsleep 987652\nwait',
        timeoutMs: 700,
      })
      expect(Date.now() - t0).toBeLessThan(3000)
      expect(r.timedOut).toBe(true)
      expect(r.exitCode).toBe(124)
      const gone = await waitFor(async () => (await processesMatching(/sleep 98765[12]/)).length === 0, 3000)
      expect(await processesMatching(/sleep 98765[12]/)).toEqual([])
      expect(gone).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it('still kills a timed-out command on the node when the connection is gone', async () => {
    const pool = createSshPool(poolOpts({killAfterMs: 500}))
    const outcome = pool.run(nodeFor(sshd), {argv: ['sleep', '987653'], timeoutMs: 1500}).then(
      () => undefined,
      (e: unknown) => e,
    )
    const started = await waitFor(async () => (await processesMatching(/^sleep 987653/)).length > 0, 3000, 20)
    expect(started).toBe(true)
    await pool.close()
    const err = await outcome
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('disconnected')
    // No pty, so sshd does not signal it: the remote `timeout` wrapper is what ends it.
    expect((await processesMatching(/^sleep 987653/)).length).toBe(1)
    expect(await waitFor(async () => (await processesMatching(/sleep 987653/)).length === 0, 4000)).toBe(true)
  })

  it('stops the remote command when the caller aborts', async () => {
    const pool = createSshPool(poolOpts())
    try {
      const ac = new AbortController()
      const run = pool.run(nodeFor(sshd), {argv: ['sleep', '987656'], timeoutMs: 60_000}, ac.signal)
      expect(await waitFor(async () => (await processesMatching(/^sleep 987656/)).length > 0, 3000, 20)).toBe(
        true,
      )
      ac.abort(new Error('operator pressed ^C'))
      await expect(run).rejects.toThrow('operator pressed ^C')
      expect(await waitFor(async () => (await processesMatching(/sleep 987656/)).length === 0, 3000)).toBe(
        true,
      )
    } finally {
      await pool.close()
    }
  })

  it('runs 50 concurrent commands over one TCP connection, queueing channels under MaxSessions', async () => {
    const before = (sshd.log().match(/Accepted publickey/g) ?? []).length
    const pool = createSshPool(poolOpts())
    try {
      const node = nodeFor(sshd)
      const results = await Promise.all(
        Array.from({length: 50}, (_, i) =>
          pool.run(node, {argv: ['sh', '-c', 'sleep 0.05; echo "$1"', 'sh', String(i)]}),
        ),
      )
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({length: 50}, (_, i) => String(i)))
      expect(results.every((r) => r.exitCode === 0)).toBe(true)
      expect(pool.stats()).toMatchObject({connectionsOpened: 1, connectionsOpen: 1, commands: 50})
      expect((sshd.log().match(/Accepted publickey/g) ?? []).length - before).toBe(1)
    } finally {
      await pool.close()
    }
  })

  it('still runs every command when the server allows fewer sessions than the configured channel limit', async () => {
    const pool = createSshPool(poolOpts({maxChannelsPerConnection: 25}))
    try {
      const node = nodeFor(sshd)
      const results = await Promise.all(
        Array.from({length: 20}, (_, i) =>
          pool.run(node, {argv: ['sh', '-c', 'sleep 0.1; echo "$1"', 'sh', String(i)]}),
        ),
      )
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({length: 20}, (_, i) => String(i)))
      expect(pool.stats().connectionsOpened).toBe(1)
      // sshd (MaxSessions 10) refused some channels and the pool queued them instead.
      expect(await readFile(logFile, 'utf8')).toContain('ssh channel refused, lowering per-connection limit')
    } finally {
      await pool.close()
    }
  })

  it('closes a released node connection once no node uses it, and reconnects on the next command', async () => {
    const pool = createSshPool(poolOpts())
    try {
      const a = nodeFor(sshd, 'released-a')
      const b = nodeFor(sshd, 'released-b')
      await Promise.all([pool.run(a, {argv: ['true']}), pool.run(b, {argv: ['true']})])
      expect(pool.stats()).toMatchObject({connectionsOpened: 1, connectionsOpen: 1})
      pool.release(a)
      // b still uses the same endpoint's connection.
      expect(pool.stats().connectionsOpen).toBe(1)
      expect((await pool.run(b, {argv: ['echo', 'still']})).stdout).toBe('still\n')
      pool.release(b)
      expect(pool.stats().connectionsOpen).toBe(0)
      const again = await pool.run(a, {argv: ['echo', 'again']})
      expect(again).toMatchObject({stdout: 'again\n', exitCode: 0})
      expect(pool.stats()).toMatchObject({connectionsOpened: 2, connectionsOpen: 1})
    } finally {
      await pool.close()
    }
  })

  it('bounds how many nodes are worked on at once', async () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => nodeFor(sshd, n))
    const timed = async (concurrency: number): Promise<number> => {
      const pool = createSshPool(poolOpts({concurrency}))
      try {
        await pool.connect(nodes[0] as (typeof nodes)[0])
        const t0 = Date.now()
        await Promise.all(nodes.map((n) => pool.run(n, {argv: ['sleep', '0.3']})))
        return Date.now() - t0
      } finally {
        await pool.close()
      }
    }
    const two = await timed(2)
    const four = await timed(4)
    expect(two).toBeGreaterThanOrEqual(600)
    expect(four).toBeLessThan(two)
  })

  it('logs each remote command as one record, scrubbed, with a script reduced to a summary', async () => {
    registerSecret('hunter2-secret')
    const pool = createSshPool(poolOpts())
    try {
      await pool.run(nodeFor(sshd, 'logged'), {argv: ['echo', 'token=hunter2-secret']})
      await pool.run(nodeFor(sshd, 'logged'), {script: 'echo first line\necho BODY-NOT-LOGGED\n'})
    } finally {
      await pool.close()
    }
    const records = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.msg === 'remote command' && r.node === 'logged')
    expect(records).toHaveLength(2)
    expect(records[0]).toMatchObject({
      command: 'echo token=***',
      exitCode: 0,
      truncated: false,
      timedOut: false,
    })
    expect(typeof records[0]?.durationMs).toBe('number')
    expect(records[1]?.command).toMatch(/^bash -s <script 3 lines, .* starts 'echo first line'>$/)
    expect(JSON.stringify(records)).not.toContain('BODY-NOT-LOGGED')
    expect(await readFile(logFile, 'utf8')).not.toContain('hunter2-secret')
  })
})
