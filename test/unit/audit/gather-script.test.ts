import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {
  composeGatherScript,
  NOT_INSTALLED_RC,
  splitGatherOutput,
  TIMEOUT_RC,
} from '../../../src/audit/gather-script.js'

function runScript(script: string): {stdout: string; stderr: string} {
  const r = spawnSync('bash', ['-s'], {input: script, encoding: 'utf8'})
  return {stdout: r.stdout, stderr: r.stderr}
}

describe('the one-round-trip gather script', () => {
  it('keeps each gatherer stdout byte-exact, its stderr apart and its exit code', () => {
    const g = composeGatherScript([
      {id: 'a', script: `printf 'one\\ntwo\\n\\n'; echo warn >&2; exit 3`},
      {id: 'b', script: `printf 'no newline'`},
      {id: 'c', script: `echo "LC_ALL=$LC_ALL"`},
    ])
    const {stdout, stderr} = runScript(g.script)
    const out = splitGatherOutput(stdout, stderr, g.nonce)
    expect(out.get('a')).toEqual({stdout: 'one\ntwo\n\n', stderr: 'warn\n', exitCode: 3})
    expect(out.get('b')).toEqual({stdout: 'no newline', stderr: '', exitCode: 0})
    expect(out.get('c')?.stdout).toBe('LC_ALL=C\n')
  })

  it('reports a missing tool as exit 127 without running the snippet', () => {
    const g = composeGatherScript([{id: 'x', script: 'echo ran', requires: ['no-such-tool-hacheck']}])
    const {stdout, stderr} = runScript(g.script)
    const out = splitGatherOutput(stdout, stderr, g.nonce).get('x')
    expect(out?.exitCode).toBe(NOT_INSTALLED_RC)
    expect(out?.stdout).toBe('')
    expect(out?.stderr).toMatch(/no-such-tool-hacheck: command not found/)
  })

  it('stops a hung gatherer at its own time limit and goes on with the next', () => {
    const g = composeGatherScript(
      [
        {id: 'slow', script: 'sleep 30'},
        {id: 'fast', script: 'echo ok'},
      ],
      {perGathererTimeoutS: 1},
    )
    const {stdout, stderr} = runScript(g.script)
    const out = splitGatherOutput(stdout, stderr, g.nonce)
    expect(out.get('slow')?.exitCode).toBe(TIMEOUT_RC)
    expect(out.get('fast')).toEqual({stdout: 'ok\n', stderr: '', exitCode: 0})
  })

  it('ignores marker-like text that does not carry the run nonce', () => {
    const g = composeGatherScript([{id: 'a', script: `echo '@@hk:deadbeef:end:a:0@@'`}])
    const {stdout, stderr} = runScript(g.script)
    expect(splitGatherOutput(stdout, stderr, g.nonce).get('a')?.stdout).toBe('@@hk:deadbeef:end:a:0@@\n')
  })

  it('keeps what arrived of an output cut short, with an unknown exit code', () => {
    const g = composeGatherScript([{id: 'a', script: 'echo partial'}], {nonce: 'n0'})
    const out = splitGatherOutput('@@hk:n0:begin:a@@\npartial\n', '', g.nonce)
    expect(out.get('a')).toEqual({stdout: 'partial\n', stderr: '', exitCode: null})
  })

  it('ends with an unknown exit code when the end marker itself is cut (it looped forever before)', () => {
    const cut = '@@hk:n0:begin:a@@\nA\n@@hk:n0:end:a:0@@\n@@hk:n0:begin:b@@\nwhole\n@@hk:n0:end:b:0'
    const out = splitGatherOutput(cut, '', 'n0')
    expect(out.get('a')).toEqual({stdout: 'A', stderr: '', exitCode: 0})
    expect(out.get('b')?.exitCode).toBeNull()
  })
})
