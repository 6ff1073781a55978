/**
 * The config file: defaults for flags, so that a site does not repeat
 * `-i /etc/hacheck/prod.yaml --checklist site.yaml` on every command.
 *
 *   # ~/.config/hacheck/config.yaml ($XDG_CONFIG_HOME), or --config FILE, or $HACHECK_CONFIG
 *   inventory: /etc/hacheck/prod.yaml      # any long flag name: a default for every command that has it
 *   checklist: ./site-checklist.yaml       # relative paths are relative to this file
 *   output-dir: ./reports                  # where a relative -o FILE is written
 *   log-level: info
 *   commands:                              # per command (its id, as typed: "chaos link-pull")
 *     audit: {concurrency: 16}
 *     chaos link-pull: {duration: 20s, rate: 50}
 *
 * Precedence, highest first: the command line, the flag's environment variable
 * (e.g. $HACHECK_INVENTORY), the command's section of the config file, the
 * file's top level, the built-in default. A value from the config file goes
 * through the same parsing as the flag typed by hand; it is added to the
 * command line only where the operator gave neither the flag, nor one it
 * excludes, nor its environment variable.
 *
 * Reading the file is the only I/O here (readConfigFile); validation and
 * application are pure.
 */
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, resolve} from 'node:path'

import {InputError, errorMessage} from '../core/errors.js'
import {didYouMean, isRecord, strangerKeys} from '../inventory/messages.js'
import type {PathSegment, Problem} from '../inventory/source.js'
import {defaultConfigFile} from './paths.js'
import {readInputText} from './files.js'

/** What the config logic needs to know about a flag (a subset of oclif's manifest entry). */
export interface FlagInfo {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  charAliases?: string[]
  multiple?: boolean
  options?: readonly string[]
  allowNo?: boolean
  env?: string
  exclusive?: string[]
  dependsOn?: string[]
  helpValue?: string
}

export interface CommandInfo {
  id: string
  flags: Record<string, FlagInfo>
}

export type ConfigValue = string | number | boolean | (string | number)[]

export interface HacheckConfig {
  /** As given (for messages). */
  file: string
  /** Top-level flag defaults, paths already absolute. */
  global: Record<string, ConfigValue>
  /** Per command id (with spaces), paths already absolute. */
  commands: Record<string, Record<string, ConfigValue>>
  /** Absolute. */
  outputDir?: string
}

/** Flags that make no sense as a default for every run. */
const NOT_CONFIGURABLE = new Set(['json', 'help', 'config', 'output', 'version'])

/** Which config file to read: --config FILE, $HACHECK_CONFIG, or the XDG default when it exists. */
export function configFileFor(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): {file: string; explicit: boolean} | undefined {
  const given = flagValueInArgv(argv, 'config') ?? (env.HACHECK_CONFIG || undefined)
  if (given === 'none') return undefined
  if (given !== undefined) return {file: given, explicit: true}
  const file = defaultConfigFile()
  return existsSync(file) ? {file, explicit: false} : undefined
}

/** The value of `--name VALUE` or `--name=VALUE` before any `--`. */
export function flagValueInArgv(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') return undefined
    if (a === `--${name}`) return argv[i + 1]
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}

export async function readConfigFile(file: string, commands: readonly CommandInfo[]): Promise<HacheckConfig> {
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    throw new InputError(`${file}: cannot read the config file: ${errorMessage(err)}`, {
      code: 'invalid-config',
      actions: ['Give an existing file with --config FILE (or $HACHECK_CONFIG), or --config none.'],
    })
  }
  return parseConfig(text, file, commands)
}

/** Validates config text against the flags of every command; throws one InputError listing every problem. */
export async function parseConfig(
  text: string,
  file: string,
  commands: readonly CommandInfo[],
): Promise<HacheckConfig> {
  const cfg: HacheckConfig = {file, global: {}, commands: {}}
  if (/^\s*$/.test(text.replace(/#.*$/gm, ''))) return cfg
  const {parseSource} = await import('../inventory/source.js')
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw configError(file, parsed.problems)
  const {data} = parsed.source
  const problems: Problem[] = []
  const at = (path: PathSegment[], message: string, key = false): void => {
    problems.push({...parsed.source.locate(path, {key}), path: path.join('.'), message})
  }
  if (!isRecord(data)) {
    at([], 'expected a mapping of flag names to values (see docs/cli.md)')
    throw configError(file, problems)
  }
  const baseDir = dirname(resolve(file))
  const allFlags = new Map<string, FlagInfo>()
  for (const c of commands) for (const f of Object.values(c.flags)) allFlags.set(f.name, f)
  const configurable = [...allFlags.keys()].filter((n) => !NOT_CONFIGURABLE.has(n))
  const stranger = strangerKeys(
    Object.keys(data),
    [...configurable, 'output-dir', 'commands'],
    'a mapping of flag names to values (see docs/cli.md)',
  )
  if (stranger) {
    at([], stranger)
    throw configError(file, problems)
  }

  for (const [key, value] of Object.entries(data)) {
    if (key === 'commands') continue
    if (key === 'output-dir') {
      if (typeof value !== 'string' || value === '') at([key], 'expected a directory path')
      else cfg.outputDir = absolute(value, baseDir)
      continue
    }
    const flag = allFlags.get(key)
    if (!flag || NOT_CONFIGURABLE.has(key)) {
      at([key], unknownKey(key, [...configurable, 'output-dir', 'commands'], 'flag'), true)
      continue
    }
    const v = checkValue(flag, value, (m) => at([key], m))
    if (v !== undefined) cfg.global[key] = resolvePaths(flag, v, baseDir)
  }

  const sections = data.commands
  if (sections !== undefined && !isRecord(sections)) at(['commands'], 'expected a mapping of command ids')
  const byId = new Map(commands.map((c) => [c.id.replace(/:/g, ' '), c]))
  for (const [rawId, body] of Object.entries(isRecord(sections) ? sections : {})) {
    const id = rawId.trim().replace(/[:\s]+/g, ' ')
    const cmd = byId.get(id)
    if (!cmd) {
      at(['commands', rawId], unknownKey(rawId, [...byId.keys()], 'command'), true)
      continue
    }
    if (!isRecord(body)) {
      at(['commands', rawId], `expected a mapping of ${id}'s flags to values`)
      continue
    }
    const own: Record<string, ConfigValue> = {}
    for (const [key, value] of Object.entries(body)) {
      const flag = cmd.flags[key]
      if (!flag || NOT_CONFIGURABLE.has(key)) {
        const names = Object.keys(cmd.flags).filter((n) => !NOT_CONFIGURABLE.has(n))
        at(['commands', rawId, key], unknownKey(key, names, `${id} flag`), true)
        continue
      }
      const v = checkValue(flag, value, (m) => at(['commands', rawId, key], m))
      if (v !== undefined) own[key] = resolvePaths(flag, v, baseDir)
    }
    cfg.commands[id] = own
  }
  if (problems.length) throw configError(file, problems)
  return cfg
}

function configError(file: string, problems: readonly Problem[]): InputError {
  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
  const lines = sorted.map((p) => {
    const where = p.line === undefined ? file : `${file}:${p.line}:${p.col ?? 1}`
    return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`
  })
  return new InputError(lines.join('\n'), {
    code: 'invalid-config',
    actions: ['The config file is described in docs/cli.md; --config none ignores it.'],
  })
}

function unknownKey(key: string, known: readonly string[], what: string): string {
  const guess = didYouMean(key, known)
  return `unknown ${what} "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`
}

function checkValue(flag: FlagInfo, value: unknown, problem: (m: string) => void): ConfigValue | undefined {
  if (flag.type === 'boolean') {
    if (typeof value === 'boolean') return value
    problem(`expected true or false, found ${JSON.stringify(value)}`)
    return undefined
  }
  const items = Array.isArray(value) ? value : [value]
  if (Array.isArray(value) && !flag.multiple) {
    problem(`expected one value (--${flag.name} is not repeatable), found a list`)
    return undefined
  }
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      problem(`expected text or a number, found ${item === null ? 'an empty value' : typeof item}`)
      return undefined
    }
    if (flag.options && !flag.options.includes(String(item))) {
      const guess = didYouMean(String(item), flag.options)
      problem(
        `expected one of ${flag.options.join(', ')}, found ${JSON.stringify(item)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      )
      return undefined
    }
  }
  return value as ConfigValue
}

function absolute(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2))
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

/** FILE and DIR values are relative to the config file; a bare NAME (e.g. a bundled checklist) stays a name. */
function resolvePaths(flag: FlagInfo, value: ConfigValue, baseDir: string): ConfigValue {
  if (!flag.helpValue || !/FILE|DIR/.test(flag.helpValue)) return value
  const one = (v: string | number): string | number => {
    if (typeof v !== 'string' || v === 'none') return v
    const pathLike =
      !/NAME/.test(flag.helpValue ?? '') || /[/\\]|\.(ya?ml|json)$/i.test(v) || v.startsWith('~')
    return pathLike ? absolute(v, baseDir) : v
  }
  return Array.isArray(value) ? value.map(one) : one(value as string | number)
}

/** Whether the operator typed this flag (by name, alias, char or --no-name) before any `--`. */
export function flagGiven(argv: readonly string[], flag: FlagInfo): boolean {
  const longs = [flag.name, ...(flag.aliases ?? [])]
  const chars = [flag.char, ...(flag.charAliases ?? [])].filter((c): c is string => !!c)
  for (const a of argv) {
    if (a === '--') return false
    if (!a.startsWith('-')) continue
    if (a.startsWith('--')) {
      const name = a.slice(2).split('=')[0] as string
      if (longs.includes(name) || (flag.type === 'boolean' && longs.some((l) => name === `no-${l}`)))
        return true
    } else if (chars.some((c) => a === `-${c}` || a.startsWith(`-${c}`))) return true
  }
  return false
}

export interface Applied {
  flag: string
  value: ConfigValue
  /** `FILE` or `FILE commands.ID`: where the value came from, for messages. */
  from: string
}

/**
 * The command line with the config file's defaults added for flags the operator
 * did not give (see the precedence above). Returns what was added, so errors
 * and `--verbose` can name the config file.
 */
export function applyConfig(
  argv: readonly string[],
  command: CommandInfo,
  cfg: HacheckConfig,
  env: NodeJS.ProcessEnv,
): {argv: string[]; applied: Applied[]} {
  const id = command.id.replace(/:/g, ' ')
  const values = new Map<string, {value: ConfigValue; from: string}>()
  for (const [k, v] of Object.entries(cfg.global))
    if (command.flags[k]) values.set(k, {value: v, from: cfg.file})
  for (const [k, v] of Object.entries(cfg.commands[id] ?? {}))
    values.set(k, {value: v, from: `${cfg.file} commands.${id}`})

  const present = new Set(
    Object.values(command.flags)
      .filter((f) => flagGiven(argv, f))
      .map((f) => f.name),
  )
  const applied: Applied[] = []
  for (const [name, {value, from}] of values) {
    const flag = command.flags[name] as FlagInfo
    if (present.has(name)) continue
    if (flag.env && env[flag.env]) continue
    if ((flag.exclusive ?? []).some((x) => present.has(x))) continue
    if (flagTokens(flag, value).length === 0) continue
    present.add(name)
    applied.push({flag: name, value, from})
  }
  // A dependsOn flag whose partner is neither typed nor configured would be refused: leave it out.
  const kept = applied.filter((a) => (command.flags[a.flag]?.dependsOn ?? []).every((d) => present.has(d)))
  const tokens = kept.flatMap((a) => flagTokens(command.flags[a.flag] as FlagInfo, a.value))
  const cut = argv.indexOf('--')
  const out = cut === -1 ? [...argv, ...tokens] : [...argv.slice(0, cut), ...tokens, ...argv.slice(cut)]
  return {argv: out, applied: kept}
}

function flagTokens(flag: FlagInfo, value: ConfigValue): string[] {
  if (flag.type === 'boolean') {
    if (value === true) return [`--${flag.name}`]
    return flag.allowNo ? [`--no-${flag.name}`] : []
  }
  const items = Array.isArray(value) ? value : [value]
  return items.map((v) => `--${flag.name}=${String(v)}`)
}

/**
 * The command line with every relative `-o FILE` made relative to the config
 * file's output-dir instead of the working directory. Returns `argv` itself
 * when nothing changed.
 */
export function outputsUnder(argv: readonly string[], output: FlagInfo, dir: string): string[] {
  const under = (p: string): string => (p === '' || isAbsolute(p) ? p : resolve(dir, p))
  const longs = [output.name, ...(output.aliases ?? [])].map((n) => `--${n}`)
  const shorts = [output.char, ...(output.charAliases ?? [])].filter(Boolean).map((c) => `-${c}`)
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') {
      out.push(...argv.slice(i))
      break
    }
    const eq = longs.find((l) => a.startsWith(`${l}=`))
    const short = shorts.find((s) => a.startsWith(s) && a.length > s.length && !a.startsWith('--'))
    if ((longs.includes(a) || shorts.includes(a)) && i + 1 < argv.length) {
      out.push(a, under(argv[i + 1] as string))
      i++
    } else if (eq) out.push(`${eq}=${under(a.slice(eq.length + 1))}`)
    else if (short) out.push(`${short}${under(a.slice(short.length).replace(/^=/, ''))}`)
    else out.push(a)
  }
  return out.length === argv.length && out.every((v, i) => v === argv[i]) ? (argv as string[]) : out
}
