/**
 * The one flag vocabulary, checked on every command in src/commands (the
 * sources, so no build is needed), then a few commands run as an operator
 * would (from the sources through tsx) to show that the common flags behave
 * the same everywhere. The rule for flags that look out of place (--format on
 * `lab down`): every command has every common flag; --format offers at least
 * console and json (json is --json), -o takes whatever the command prints.
 * The oclif plugin commands (help, autocomplete) are not hacheck's and keep
 * their own flags.
 */
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BaseCommand} from '../../../src/cli/base-command.js'
import {COMMON_FLAG_NAMES} from '../../../src/cli/flags.js'
import {repoRoot} from '../../support/paths.js'
import {hacheck as run, type CliResult} from '../../support/source-cli.js'

interface FlagDef {
  type: string
  char?: string
  options?: string[]
  default?: unknown
  helpValue?: string
  parse?: (input: string, ctx: unknown, flag: {name: string}) => Promise<unknown>
}
interface CommandClass {
  summary?: string
  examples?: unknown[]
  enableJsonFlag?: boolean
  flags?: Record<string, FlagDef>
  baseFlags?: Record<string, FlagDef>
  prototype: unknown
}

function commandFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? commandFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

const COMMANDS_DIR = join(repoRoot, 'src', 'commands')
const commands = new Map<string, CommandClass>()
beforeAll(async () => {
  for (const f of commandFiles(COMMANDS_DIR)) {
    const id = relative(COMMANDS_DIR, f).replace(/\.ts$/, '').split('/').join(' ')
    commands.set(id, ((await import(f)) as {default: CommandClass}).default)
  }
}, 60_000)

const flagsOf = (c: CommandClass): Record<string, FlagDef> => ({...c.baseFlags, ...c.flags})
const DURATION_NAME = /(^|-)(timeout|duration|delay|jitter|baseline|settle|hold|interval)$/
const CHARS: Record<string, string> = {format: 'f', output: 'o', quiet: 'q', verbose: 'v', help: 'h'}

describe('every hacheck command', () => {
  it('is found: the walk covers the whole command list', () => {
    expect([...commands.keys()].sort()).toEqual(
      expect.arrayContaining([
        'audit',
        'chaos link-pull',
        'doctor',
        'lab down',
        'report render',
        'checks list',
      ]),
    )
    expect(commands.size).toBeGreaterThanOrEqual(22)
  })

  it('extends BaseCommand and accepts --json and every common flag, with the same short letters', () => {
    for (const [id, c] of commands) {
      expect(c.prototype instanceof BaseCommand, id).toBe(true)
      expect(c.enableJsonFlag, `${id} --json`).toBe(true)
      const flags = flagsOf(c)
      for (const name of [...COMMON_FLAG_NAMES.filter((n) => n !== 'json'), 'help'])
        expect(flags[name], `${id} --${name}`).toBeDefined()
      for (const [name, char] of Object.entries(CHARS))
        expect(flags[name]?.char, `${id} --${name}`).toBe(char)
      const chars = Object.values(flags).flatMap((f) => (f.char ? [f.char] : []))
      expect(new Set(chars).size, `${id}: a short letter used twice`).toBe(chars.length)
    }
  })

  it('offers console and json in --format, console by default where the format is not taken from -o', () => {
    for (const [id, c] of commands) {
      const format = flagsOf(c).format as FlagDef
      expect(format.options, id).toEqual(expect.arrayContaining(['console', 'json']))
      if (id !== 'report render' && id !== 'report trend' && id !== 'audit')
        expect(format.default, id).toBe('console')
    }
  })

  it('takes every duration as a DURATION (30s, 500ms, 1m30s, or bare seconds) and refuses anything else', async () => {
    let durations = 0
    for (const [id, c] of commands) {
      for (const [name, f] of Object.entries(flagsOf(c))) {
        if (!DURATION_NAME.test(name) && f.helpValue !== 'DURATION') continue
        durations++
        expect(f.helpValue, `${id} --${name}`).toBe('DURATION')
        expect(f.parse, `${id} --${name}`).toBeTypeOf('function')
        const parse = f.parse as NonNullable<FlagDef['parse']>
        for (const ok of ['30s', '500ms', '1m30s', '45'])
          expect(await parse(ok, {}, {name}), `${id} --${name} ${ok}`).toBe(ok)
        await expect(parse('soon', {}, {name}), `${id} --${name}`).rejects.toThrow(
          `--${name}: expected a duration such as 30s`,
        )
      }
    }
    expect(durations).toBeGreaterThan(20)
  })

  it('has a summary and at least one example', () => {
    for (const [id, c] of commands) {
      expect(c.summary, id).toBeTruthy()
      expect(c.examples?.length ?? 0, id).toBeGreaterThan(0)
    }
  })
})

/* ------------------------------------------------------------------ */

const dir = mkdtempSync(join(tmpdir(), 'hacheck-cli-flags-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** From the sources, in the temporary directory (where -o and --config files are). */
const hacheck = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
  run(args, {cwd: dir, env})

describe('the common flags, run', () => {
  it('print the same JSON for --json, --format json and into -o FILE, and nothing else on stdout', async () => {
    const [a, b, c] = await Promise.all([
      hacheck(['checks', 'list', '--json', '--log-file', 'none']),
      hacheck(['checks', 'list', '-f', 'json', '--log-file', 'none']),
      hacheck(['checks', 'list', '-f', 'json', '-o', 'list.json', '--log-file', 'none']),
    ])
    expect(a.code).toBe(0)
    const list = JSON.parse(a.stdout) as {id: string}[]
    expect(list.map((x) => x.id)).toContain('fencing.enabled')
    expect(b.stdout).toBe(a.stdout)
    expect(c.stdout).toBe('')
    expect(readFileSync(join(dir, 'list.json'), 'utf8')).toBe(`${a.stdout}\n`)
  })

  it('take defaults from the config file, relative -o under its output-dir, the command line winning', async () => {
    writeFileSync(
      join(dir, 'hacheck.yaml'),
      'output-dir: reports\nlog-file: none\ncommands:\n  checks list: {format: json}\n',
    )
    const r = await hacheck(['checks', 'list', '--config', 'hacheck.yaml', '-o', 'l.json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'l.json'), 'utf8'))).toBeInstanceOf(Array)
    const typed = await hacheck(['checks', 'list', '-f', 'console'], {
      HACHECK_CONFIG: join(dir, 'hacheck.yaml'),
    })
    expect(typed.stdout).toMatch(/^ha-baseline v\d+: /)
  })

  it('refuse a bad config file or duration with exit 2, naming the file and line or the flag', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'log-file: none\ncommands:\n  chaos revert: {retry-timeout: soon}\n')
    const fromConfig = await hacheck(['chaos', 'revert', '--config', 'bad.yaml'])
    expect(fromConfig.code).toBe(2)
    expect(fromConfig.stderr).toBe(
      'error: --retry-timeout: expected a duration such as 30s, 500ms, 2m or 1h, found "soon"\n' +
        'hint: --retry-timeout "soon" came from the config file bad.yaml commands.chaos revert',
    )
    writeFileSync(join(dir, 'typo.yaml'), 'checklst: ha-baseline\n')
    const typo = await hacheck(['checks', 'list', '--config', 'typo.yaml', '--json'])
    expect(typo.code).toBe(2)
    expect(JSON.parse(typo.stdout)).toMatchObject({
      error: {
        code: 'invalid-config',
        message: 'typo.yaml:1:1: checklst: unknown flag "checklst" (did you mean "checklist"?)',
        exit: 2,
      },
    })
  })

  it('log to the file and, with -v, to stderr, as much as --log-level says', async () => {
    const log = join(dir, 'h.log')
    const info = await hacheck(['doctor', '-v', '--log-level', 'info', '--log-file', log, '-o', 'd.txt'])
    expect(info.stderr).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} info {2}hacheck doctor \{"cmd":"doctor","argv":\["-v",/m,
    )
    expect(JSON.parse(readFileSync(log, 'utf8').split('\n')[0] as string)).toMatchObject({
      msg: 'hacheck doctor',
    })
    const url = await hacheck([
      'doctor',
      '--log-file',
      log,
      '-o',
      'd.txt',
      '-i',
      'postgres://app:s3cr3t-pw@198.18.2.100/x',
    ])
    expect(readFileSync(log, 'utf8')).toContain('postgres://app:***@198.18.2.100/x')
    expect(readFileSync(log, 'utf8')).not.toContain('s3cr3t-pw')
    expect(url.code).toBe(1)
    const warn = await hacheck(['doctor', '-v', '--log-level', 'warn', '--log-file', 'none', '-o', 'd.txt'])
    expect(warn.stderr).not.toMatch(/info/)
    expect(readFileSync(join(dir, 'd.txt'), 'utf8')).toMatch(/^ok {6}node {10}Node\.js v\d+/)
  })
})
