/**
 * The start-up fast path of `hacheck audit` (src/entry/fast-audit.ts, taken by bin/run.js) against the oclif
 * command it stands in for (src/commands/audit.ts): the same flag declarations, the same parse of every
 * command line it accepts, a refusal (left to oclif, which says what is wrong) of every command line oclif
 * refuses, and the same output, errors and exit codes for whole runs. The built CLI goes through the fast
 * path in every integration test of the audit (test/support/cli.ts runs bin/run.js).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Config} from '@oclif/core'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {jsonFormatMode} from '../../../src/cli/command-run.js'
import {
  fastAuditFlags,
  fastPathApplies,
  jsonFlagEnabled,
  parseFastAudit,
} from '../../../src/entry/fast-audit.js'
import Audit from '../../../src/commands/audit.js'
import {repoRoot} from '../../support/paths.js'
import {hacheck} from '../../support/source-cli.js'

/** The oclif command, parsing only: what its init() and parse() make of a command line. */
class ParseOnly extends Audit {
  static override id = 'audit'
  override async run(): Promise<never> {
    const {flags} = await this.parse(Audit)
    return {flags, json: this.jsonEnabled()} as never
  }
}

let config: Config
let dir: string
beforeAll(async () => {
  config = await Config.load(repoRoot)
  dir = mkdtempSync(join(tmpdir(), 'hacheck-fast-audit-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function viaOclif(argv: string[]): Promise<{flags: unknown; json: boolean} | undefined> {
  try {
    return (await ParseOnly.run(['--log-file', 'none', ...argv], config)) as never
  } catch {
    return undefined
  }
}

async function viaFastPath(argv: string[]): Promise<{flags: unknown; json: boolean} | undefined> {
  const all = ['--log-file', 'none', ...argv]
  const flags = await parseFastAudit(all)
  if (!flags) return undefined
  return {flags, json: jsonFormatMode(flags, true) || jsonFlagEnabled(all, process.env)}
}

describe('the audit fast path and the oclif command', () => {
  it('parse the very flag declarations of the audit command, not a copy of them', () => {
    const oclif: Record<string, unknown> = {...Audit.baseFlags, ...Audit.flags}
    const names = Object.keys(fastAuditFlags).filter((n) => n !== 'json')
    expect(names.sort()).toEqual(
      Object.keys(oclif)
        .filter((n) => n !== 'help')
        .sort(),
    )
    for (const n of names) expect(fastAuditFlags[n as keyof typeof fastAuditFlags]).toBe(oclif[n])
    expect(fastAuditFlags.json.type).toBe('boolean')
  })

  const accepted: string[][] = [
    ['--from', 'capture'],
    [],
    ['-i', 'inv.yaml', '-f', 'json', '-o', 'a.json', '-f', 'console'],
    ['-i', 'inv.yaml', '--format', 'json'],
    ['-i', 'inv.yaml', '--format=junit', '--output=a.xml'],
    ['--from', 'capture', '--json'],
    ['-qv', '--from', 'capture'],
    ['-i=inv.yaml'],
    [
      '--inventory=inv.yaml',
      '--only',
      '1',
      '--only',
      'fencing-configured',
      '--skip',
      '3',
      '--concurrency',
      '8',
      '--timeout',
      '30s',
      '--connect-timeout',
      '500ms',
      '--accept-new-host-keys',
      '--no-color',
      '--log-level',
      'warn',
      '--config',
      'none',
      '--waivers',
      'w.yaml',
      '--checklist',
      'c.yaml',
      '--history',
      'h',
    ],
    ['--fleet', 'fleet.yaml', '--output-dir', 'out', '--push-gateway', 'http://198.18.0.1:9091'],
  ]
  const refused: string[][] = [
    ['--from', 'capture', '-i', 'inv.yaml'],
    ['--fleet', 'f', '--from', 'capture'],
    ['-i', 'inv.yaml', '--output-dir', 'out'],
    ['-i', 'inv.yaml', '--concurrency', '0'],
    ['-i', 'inv.yaml', '--concurrency', 'many'],
    ['-i', 'inv.yaml', '--timeout', 'soon'],
    ['-i', 'inv.yaml', '--connect-timeout', '-1s'],
    ['-i', 'inv.yaml', '-f', 'yaml'],
    ['-i', 'inv.yaml', '--log-level', 'loud'],
    ['-i', 'inv.yaml', '--nope'],
    ['-i', 'inv.yaml', 'extra'],
    ['--from'],
    ['--from', 'capture', '--', '--json'],
  ]

  it.each(accepted.map((a) => [a.join(' ') || '(no flags)', a]))(
    'agree on the flags and JSON mode of %s',
    async (_name, argv) => {
      const oclif = await viaOclif(argv)
      expect(oclif).toBeDefined()
      expect(await viaFastPath(argv)).toEqual(oclif)
    },
  )

  it.each(refused.map((a) => [a.join(' '), a]))(
    'both refuse %s (the fast path leaves it to oclif)',
    async (_name, argv) => {
      expect(await viaOclif(argv)).toBeUndefined()
      expect(await viaFastPath(argv)).toBeUndefined()
    },
  )

  it('agree on flags given in the environment', async () => {
    process.env.HACHECK_INVENTORY = 'from-env.yaml'
    try {
      const oclif = await viaOclif(['--json'])
      expect(oclif?.flags).toMatchObject({inventory: 'from-env.yaml'})
      expect(await viaFastPath(['--json'])).toEqual(oclif)
    } finally {
      delete process.env.HACHECK_INVENTORY
    }
  })

  it('leaves help and a config file in force to oclif', () => {
    expect(fastPathApplies(['--from', 'c'], {})).toBe(true)
    expect(fastPathApplies(['--from', 'c', '--help'], {})).toBe(false)
    expect(fastPathApplies(['-h'], {})).toBe(false)
    expect(fastPathApplies(['--from', 'c', '--config', 'hacheck.yaml'], {})).toBe(false)
    expect(fastPathApplies(['--from', 'c'], {HACHECK_CONFIG: 'hacheck.yaml'})).toBe(false)
    expect(fastPathApplies(['--from', 'c', '--config', 'none'], {HACHECK_CONFIG: 'x.yaml'})).toBe(true)
  })
})

const LAUNCH = join(repoRoot, 'test', 'support', 'fast-audit-launch.ts')
const TSX = import.meta.resolve('tsx')

/** `hacheck audit ARGV` through the fast path, from the sources. */
async function fastCli(argv: string[], env: Record<string, string | undefined> = {}) {
  const r = await execa(process.execPath, ['--import', TSX, LAUNCH, ...argv], {
    reject: false,
    cwd: repoRoot,
    env: {HACHECK_DEBUG: undefined, ...env},
    stdin: 'ignore',
    timeout: 60_000,
  })
  return {code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)}
}

/** The run's report without what differs from one run to the next (times, durations). */
function steady(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
    .replace(/"durationMs": [\d.]+/g, '"durationMs": N')
    .replace(/\b\d+(\.\d+)?m?s\b/g, 'DURATION')
}

describe('hacheck audit through the fast path and through oclif', () => {
  const capture = join(repoRoot, 'examples', 'lab-fence-failed')
  const cases: [string, string[]][] = [
    ['a console report with failures (exit 1)', ['--from', capture]],
    ['a JSON report on stdout', ['--from', capture, '--format', 'json']],
    ['a JSON report with --json', ['--from', capture, '--json', '--only', '1']],
    ['a missing capture (exit 2)', ['--from', join(repoRoot, 'no-such-capture')]],
    ['a missing capture in JSON mode', ['--from', join(repoRoot, 'no-such-capture'), '--json']],
    ['no nodes given (exit 2)', ['-q']],
    ['an --output without a known extension (exit 2)', ['--from', capture, '-o', 'report.bin']],
  ]
  it.each(cases)('print the same and exit the same for %s', async (_name, argv) => {
    const args = [...argv, '--log-file', 'none']
    const [fast, oclif] = await Promise.all([fastCli(args), hacheck(['audit', ...args])])
    expect(fast.stderr).not.toContain('left to oclif')
    expect({code: fast.code, stdout: steady(fast.stdout), stderr: steady(fast.stderr)}).toEqual({
      code: oclif.code,
      stdout: steady(oclif.stdout),
      stderr: steady(oclif.stderr),
    })
  })

  it('leave a refused flag to oclif, which exits 2 saying why', async () => {
    const args = ['--from', capture, '--concurrency', '0']
    const [fast, oclif] = await Promise.all([fastCli(args), hacheck(['audit', ...args])])
    expect(fast).toEqual({code: 64, stdout: '', stderr: 'fast path: left to oclif'})
    expect(oclif.code).toBe(2)
    expect(oclif.stderr).toContain('greater than or equal to 1')
  })

  it('leave a run with a config file in force to oclif', async () => {
    const file = join(dir, 'config.yaml')
    writeFileSync(file, 'audit:\n  concurrency: 4\n')
    const fast = await fastCli(['--from', capture], {HACHECK_CONFIG: file})
    expect(fast.code).toBe(64)
  })

  it('end quietly when the reader closes stdout early, as oclif does', async () => {
    const child = spawn(process.execPath, ['--import', TSX, LAUNCH, '--from', capture, '-f', 'json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).not.toContain('EPIPE')
    expect(code).toBe(1)
  })
})
