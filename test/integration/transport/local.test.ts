import {describe, expect, it} from 'vitest'

import {IncompleteError} from '../../../src/core/errors.js'
import {scrubSecrets} from '../../../src/core/secrets.js'
import {runLocal} from '../../../src/transport/index.js'

describe('local runner', () => {
  it('returns stdout and stderr apart with the exit code, under LC_ALL=C', async () => {
    const r = await runLocal(['sh', '-c', 'echo "out:$LC_ALL"; echo err >&2; exit 4'])
    expect(r).toMatchObject({stdout: 'out:C\n', stderr: 'err\n', exitCode: 4})
    expect(r.timedOut).toBeUndefined()
  })

  it('passes secrets through the environment, never argv, and registers them for scrubbing', async () => {
    const r = await runLocal(['sh', '-c', 'printf %s "$IPMI_PASSWORD"'], {
      env: {IPMI_PASSWORD: 'bmc-pa55word'},
    })
    expect(r.stdout).toBe('bmc-pa55word')
    expect(scrubSecrets('password bmc-pa55word')).toBe('password ***')
  })

  it('feeds input on stdin and closes stdin otherwise', async () => {
    expect((await runLocal(['cat'], {input: 'hello\n'})).stdout).toBe('hello\n')
    expect((await runLocal(['cat'])).stdout).toBe('')
  })

  it('kills a program over its timeout', async () => {
    const t0 = Date.now()
    const r = await runLocal(['sleep', '30'], {timeoutMs: 300})
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(r).toMatchObject({timedOut: true, exitCode: null, signal: 'SIGTERM'})
  })

  it('cuts output at maxOutputBytes with a truncation marker', async () => {
    const r = await runLocal(['sh', '-c', "head -c 100000 /dev/zero | tr '\\0' x"], {maxOutputBytes: 1000})
    expect(r.truncated).toBe(true)
    expect(r.stdout).toBe(
      `${'x'.repeat(1000)}\n[hacheck: stdout truncated at 1000 bytes, the program was stopped]\n`,
    )
  })

  it('explains a missing program instead of returning a result', async () => {
    const err = await runLocal(['hacheck-no-such-tool', '-V']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(IncompleteError)
    expect((err as IncompleteError).message).toBe(
      'cannot run hacheck-no-such-tool on this machine: not found (is it installed and in PATH?)',
    )
  })
})
