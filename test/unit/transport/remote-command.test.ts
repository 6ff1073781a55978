import {execFileSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {
  buildRemoteCommand,
  killCommand,
  scriptStdin,
  summarizeCommand,
} from '../../../src/transport/remote-command.js'

const wrap = {sudo: false, timeoutMs: 30_000, killAfterMs: 2_000}

describe('remote command line', () => {
  it('runs argv under timeout and env with LC_ALL=C, quoted by the one escape function', () => {
    const inv = buildRemoteCommand({argv: ['crm_mon', '-1', '--output-as=xml', "it's here"]}, wrap)
    expect(inv.command).toBe(`exec timeout -k 2s 30s env LC_ALL=C crm_mon -1 --output-as=xml 'it'\\''s here'`)
    expect(inv.stdin).toBe('')
  })

  it('puts sudo -n outside timeout and env, so the timeout and variables apply as root', () => {
    const inv = buildRemoteCommand({argv: ['id'], env: {FOO: 'a b'}, sudo: true}, {...wrap, sudo: true})
    expect(inv.command).toBe(`exec sudo -n -- timeout -k 2s 30s env LC_ALL=C 'FOO=a b' id`)
  })

  it('keeps millisecond timeouts and never lets the caller override LC_ALL', () => {
    const inv = buildRemoteCommand({argv: ['true'], env: {LC_ALL: 'de_DE.UTF-8'}}, {...wrap, timeoutMs: 1500})
    expect(inv.command).toBe('exec timeout -k 2s 1.5s env LC_ALL=C true')
  })

  it('sends a script on stdin to bash -s, so it never appears in the command line', () => {
    const inv = buildRemoteCommand({script: 'echo secret-ish\n'}, wrap)
    expect(inv.command).toBe('exec timeout -k 2s 30s env LC_ALL=C bash -s')
    expect(inv.command).not.toContain('secret-ish')
    expect(inv.stdin).toBe(scriptStdin('echo secret-ish\n'))
  })

  it('refuses a spec with both or neither of argv and script, and bad variable names', () => {
    expect(() => buildRemoteCommand({}, wrap)).toThrow(/exactly one/)
    expect(() => buildRemoteCommand({argv: ['x'], script: 'y'}, wrap)).toThrow(/exactly one/)
    expect(() => buildRemoteCommand({argv: ['x'], env: {'A;B': '1'}}, wrap)).toThrow(/invalid environment/)
  })

  it('wraps the script so commands that read stdin cannot eat the rest of it', () => {
    const stdin = scriptStdin('read line; echo "got:$line"\necho after', 'payload\n')
    const out = execFileSync('bash', ['-s'], {input: stdin, encoding: 'utf8'})
    expect(out).toBe('got:payload\nafter\n')
    // Without stdin the reader gets EOF, and nothing after the group is run as code.
    const out2 = execFileSync('bash', ['-s'], {
      input: scriptStdin('cat; echo done') + 'echo injected\n',
      encoding: 'utf8',
    })
    expect(out2).toBe('echo injected\ndone\n')
  })

  it('logs argv in full but a script only as a short summary', () => {
    expect(summarizeCommand({argv: ['ip', '-j', 'addr']}, false)).toBe('ip -j addr')
    expect(summarizeCommand({argv: ['id']}, true)).toBe('sudo -n id')
    const s = summarizeCommand({script: '# header\nexport TOKEN=abc\n' + 'echo body\n'.repeat(50)}, false)
    expect(s).toMatch(
      /^bash -s <script 53 lines, \d+ bytes, sha256:[0-9a-f]{12}, starts 'export TOKEN=abc'>$/,
    )
    expect(s).not.toContain('echo body')
  })
})

describe('remote kill by run id', () => {
  it('tags the command line with the run id and builds a pkill that cannot match itself', () => {
    const inv = buildRemoteCommand({argv: ['sleep', '9']}, {...wrap, runId: '0123456789abcdef'})
    expect(inv.command).toBe('exec timeout -k 2s 30s env LC_ALL=C HACHECK_CMD=0123456789abcdef sleep 9')
    const kill = killCommand('0123456789abcdef', true)
    expect(kill).toBe(`exec sudo -n -- pkill -TERM -f -- 'HACHECK_CMD=[0]123456789abcdef( |$)'`)
    const pattern = new RegExp('HACHECK_CMD=[0]123456789abcdef( |$)')
    expect(pattern.test(inv.command)).toBe(true)
    expect(pattern.test(kill)).toBe(false)
  })

  it('refuses a run id that is not plain hex', () => {
    expect(() => buildRemoteCommand({argv: ['x']}, {...wrap, runId: 'abc; rm'})).toThrow(/runId/)
  })
})
