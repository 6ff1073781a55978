/**
 * A fault's options, declared once: name (camelCase; the flag is its kebab-case
 * form), type, default, description and what a valid value looks like. From
 * that one declaration come the command's flags (cli/fault-command.ts), the
 * game-day JSON schema of the step's `with:` (gameday/schema.ts), the parsing
 * and validation of both (one message per problem, in the words of each), the
 * dry-run and `hacheck chaos explain`. Pure.
 */
import {durationTooLong, parseDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'

interface Common {
  /** One line for --help, the schema and `chaos explain`. */
  description: string
  /** How a valid value is described in errors ("a network name from the inventory, such as heartbeat"). */
  expected?: string
  /** Required: a missing value is an error (flag and game day alike). */
  required?: boolean
  /** Options that cannot be given together with this one. */
  exclusive?: readonly string[]
  /** Options this one needs. */
  dependsOn?: readonly string[]
  /** Flag letter (-p). */
  char?: string
  /** Placeholder in --help (NAME, 200ms). */
  helpValue?: string
  /**
   * What of the inventory a string value names, so a game day is checked against the inventory before anything
   * runs (options of type node always are): a network (its name, or a CIDR), or groups of nodes (n1,n2/n3).
   */
  refersTo?: 'network' | 'node-groups'
}

export type OptionSpec =
  | (Common & {type: 'string'; pattern?: string; default?: string})
  | (Common & {type: 'node'; default?: string})
  | (Common & {type: 'boolean'; default?: boolean})
  | (Common & {type: 'enum'; values: readonly string[]; default?: string})
  | (Common & {type: 'duration'; default?: string})
  | (Common & {type: 'percent'; default?: number})
  | (Common & {type: 'size'; default?: string; max?: number})
  | (Common & {type: 'integer'; default?: number; min: number; max: number})

export type Options = Record<string, OptionSpec>

type Base<S> = S extends {type: 'boolean'}
  ? boolean
  : S extends {type: 'enum'; values: readonly (infer V)[]}
    ? V
    : S extends {type: 'string' | 'node'}
      ? string
      : number

type HasValue<S> = S extends {default: unknown} ? true : S extends {required: true} ? true : false

/** The typed values of a fault's options: durations in ms, percentages 0-100, sizes in bytes. */
export type OptionValues<O extends Options> = {
  [K in keyof O]: HasValue<O[K]> extends true
    ? Base<O[K]>
    : O[K] extends {type: 'boolean'}
      ? boolean
      : Base<O[K]> | undefined
}

/** Cross-option rules, checked on both paths and said in each one's words. */
export type OptionRule = {exactlyOne: readonly string[]} | {atLeastOne: readonly string[]}

/** Declarators: `opt.enum(['iptables', 'link-down'], {description, default: 'iptables'})`. */
export const opt = {
  string: <const C extends Omit<Common, never> & {pattern?: string; default?: string}>(c: C) =>
    ({type: 'string', ...c}) as const,
  node: <const C extends Common & {default?: string}>(c: C) => ({type: 'node', ...c}) as const,
  boolean: <const C extends Common & {default?: boolean}>(c: C) => ({type: 'boolean', ...c}) as const,
  enum: <const V extends readonly string[], const C extends Common & {default?: V[number]}>(
    values: V,
    c: C,
  ) => ({type: 'enum', values, ...c}) as const,
  duration: <const C extends Common & {default?: string}>(c: C) => ({type: 'duration', ...c}) as const,
  percent: <const C extends Common & {default?: number}>(c: C) => ({type: 'percent', ...c}) as const,
  size: <const C extends Common & {default?: string; max?: number}>(c: C) => ({type: 'size', ...c}) as const,
  integer: <const C extends Common & {default?: number; min: number; max: number}>(c: C) =>
    ({type: 'integer', ...c}) as const,
}

/** `isolateWitness` → `isolate-witness` (the flag). */
/** camelCase of a kebab-case id (disk-fill → diskFill): generated import names and command class names. */
export function camel(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d))+\\s*$|^\\s*\\d+(\\.\\d+)?\\s*$'
export const PERCENT_PATTERN = '^\\d+(\\.\\d+)?%?$'
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([KMGT]i?B?|B)?\\s*$'
export const NODE_PATTERN = '^(@(service|dc|replica)|[A-Za-z0-9][A-Za-z0-9._-]{0,62})$'

/** What a valid value of `spec` looks like, in plain words (errors, schema x-expected). */
export function expectedText(spec: OptionSpec): string {
  if (spec.expected) return spec.expected
  switch (spec.type) {
    case 'duration':
      return 'a duration such as 30s, 500ms, 2m or 1h30m'
    case 'percent':
      return 'a percentage above 0 and at most 100, such as 10 or 0.5'
    case 'size':
      return 'a size such as 64M, 1G or 512KiB'
    case 'node':
      return 'a node name from the inventory, or @service, @dc, @replica'
    case 'boolean':
      return 'true or false'
    case 'enum':
      return `one of ${spec.values.join(', ')}`
    case 'string':
      return 'a text value'
    case 'integer':
      return `a whole number from ${spec.min} to ${spec.max}`
  }
}

const SIZE_UNITS: Record<string, number> = {'': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4}

/** `64M`, `1GiB`, `512K`, `1048576` → bytes (binary units: what df and fallocate count in). */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text) : undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])i?B?|B)?\s*$/i.exec(text)
  if (!m) return undefined
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toUpperCase()] as number))
}

/** 67108864 → "64MiB". */
export function formatSize(bytes: number): string {
  for (const [u, f] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (bytes >= f) return `${Math.round((bytes / f) * 10) / 10}${u}`
  return `${bytes}B`
}

/**
 * One option's value from a flag (a string, or a boolean for boolean flags) or a game-day value (string,
 * number or boolean): typed, or an InputError `WHERE: expected …, found …`.
 */
export function parseOption(spec: OptionSpec, raw: unknown, where: string): unknown {
  const bad = (): InputError =>
    new InputError(`${where}: expected ${expectedText(spec)}, found ${JSON.stringify(raw)}`, {
      code: 'invalid-option',
    })
  switch (spec.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw
      if (raw === 'true' || raw === 'false') return raw === 'true'
      throw bad()
    case 'enum':
      if (typeof raw === 'string' && spec.values.includes(raw)) return raw
      throw bad()
    case 'string':
    case 'node': {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw bad()
      const s = String(raw)
      const pattern = spec.type === 'node' ? NODE_PATTERN : spec.pattern
      if (s.trim() === '' || (pattern !== undefined && !new RegExp(pattern).test(s))) throw bad()
      return s
    }
    case 'duration': {
      const ms = typeof raw === 'string' || typeof raw === 'number' ? parseDurationMs(raw) : undefined
      if (ms === undefined) throw bad()
      const tooLong = durationTooLong(ms)
      if (tooLong)
        throw new InputError(`${where}: expected ${tooLong}, found ${JSON.stringify(raw)}`, {
          code: 'invalid-option',
        })
      return ms
    }
    case 'percent': {
      const t = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : ''
      const s = t.replace(/%$/, '')
      const n = Number(s)
      if (!/^\d+(\.\d+)?$/.test(s) || n <= 0 || n > 100) throw bad()
      return n
    }
    case 'integer': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) throw bad()
      return n
    }
    case 'size': {
      const b = typeof raw === 'string' || typeof raw === 'number' ? parseSize(raw) : undefined
      if (b === undefined || b <= 0) throw bad()
      if (spec.max !== undefined && b > spec.max)
        throw new InputError(`${where}: at most ${formatSize(spec.max)}, found ${JSON.stringify(raw)}`, {
          code: 'invalid-option',
        })
      return b
    }
  }
}

/** How an option is named on one path: `--isolate-witness` on the command line, `isolateWitness` in a game day. */
export type Namer = (key: string) => string
export const asFlag: Namer = (k) => `--${flagName(k)}`
export const asKey: Namer = (k) => k

export interface OptionProblem {
  kind: 'required' | 'exclusive' | 'depends' | 'rule'
  /** The option keys concerned (declaration names). */
  keys: string[]
  message: string
  /** For a missing required option: what a value looks like. */
  expected?: string
}

/**
 * The problems of a set of given option keys against the declaration (required, exclusive, dependsOn and
 * the rules), each in the words of `name`. The value checks are parseOption's.
 */
export function optionProblems(
  options: Options,
  rules: readonly OptionRule[],
  given: ReadonlySet<string>,
  name: Namer,
): OptionProblem[] {
  const out: OptionProblem[] = []
  const list = (keys: readonly string[]): string => keys.map(name).join(', ')
  for (const [k, spec] of Object.entries(options)) {
    if (spec.required && !given.has(k)) {
      const expected = expectedText(spec)
      out.push({kind: 'required', keys: [k], message: `missing ${name(k)} (${expected})`, expected})
    }
    if (!given.has(k)) continue
    const clash = (spec.exclusive ?? []).filter((x) => given.has(x) && x > k)
    if (clash.length)
      out.push({kind: 'exclusive', keys: [k, ...clash], message: `${name(k)} cannot go with ${list(clash)}`})
    const missing = (spec.dependsOn ?? []).filter((x) => !given.has(x))
    if (missing.length)
      out.push({kind: 'depends', keys: [k, ...missing], message: `${name(k)} needs ${list(missing)}`})
  }
  for (const r of rules) {
    if ('exactlyOne' in r) {
      const present = r.exactlyOne.filter((k) => given.has(k))
      if (present.length !== 1)
        out.push({
          kind: 'rule',
          keys: [...r.exactlyOne],
          message: `expected exactly one of ${list(r.exactlyOne)}, found ${present.length ? list(present) : 'none'}`,
        })
    } else if (!r.atLeastOne.some((k) => given.has(k))) {
      out.push({
        kind: 'rule',
        keys: [...r.atLeastOne],
        message: `expected at least one of ${list(r.atLeastOne)}`,
      })
    }
  }
  return out
}

/**
 * Typed values from raw ones (flags or a step's `with:`), defaults filled in. Throws the first problem
 * as an InputError (`WHERE: expected …`).
 */
export function optionValues<O extends Options>(
  options: O,
  rules: readonly OptionRule[],
  raw: Readonly<Record<string, unknown>>,
  name: Namer,
): OptionValues<O> {
  const given = new Set(Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== false))
  const problems = optionProblems(options, rules, given, name)
  if (problems.length)
    throw new InputError(problems.map((p) => p.message).join('; '), {code: 'invalid-option'})
  const out: Record<string, unknown> = {}
  for (const [k, spec] of Object.entries(options)) {
    const v = raw[k]
    if (v !== undefined) out[k] = parseOption(spec, v, name(k))
    else if (spec.default !== undefined) out[k] = parseOption(spec, spec.default, name(k))
    else if (spec.type === 'boolean') out[k] = false
  }
  for (const k of Object.keys(raw))
    if (!(k in options) && raw[k] !== undefined)
      throw new InputError(`${name(k)}: not an option of this fault`, {code: 'invalid-option'})
  return out as OptionValues<O>
}

/** The JSON-schema fragment of one option (the game day's `with.<key>`). */
export function optionSchema(spec: OptionSpec): Record<string, unknown> {
  const base = {description: spec.description}
  const x = {'x-expected': expectedText(spec)}
  switch (spec.type) {
    case 'boolean':
      return {...base, type: 'boolean'}
    case 'enum':
      return {...base, type: 'string', enum: [...spec.values]}
    case 'string':
      return {...base, type: 'string', minLength: 1, ...(spec.pattern ? {pattern: spec.pattern} : {}), ...x}
    case 'node':
      return {...base, type: 'string', pattern: NODE_PATTERN, ...x}
    case 'duration':
      return {...base, type: ['string', 'number'], pattern: DURATION_PATTERN, minimum: 0, ...x}
    case 'percent':
      return {
        ...base,
        type: ['number', 'string'],
        pattern: PERCENT_PATTERN,
        exclusiveMinimum: 0,
        maximum: 100,
        ...x,
      }
    case 'size':
      return {...base, type: ['string', 'integer'], pattern: SIZE_PATTERN, minimum: 1, ...x}
    case 'integer':
      return {...base, type: 'integer', minimum: spec.min, maximum: spec.max, ...x}
  }
}
