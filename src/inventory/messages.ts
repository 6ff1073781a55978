import type {ErrorObject} from 'ajv'

import {checkCidr} from '../core/address.js'
import type {ParsedSource, PathSegment, Problem} from './source.js'

/**
 * Turns ajv's errors into one plain-words problem each:
 * `PATH: expected …, found …`, `PATH: missing key "x"`, `PATH: unknown key "x" (did you mean "y"?)`.
 */

/**
 * Text that looks like a secret (a crypt(3) password hash as in /etc/shadow, a
 * PEM private key, `password=…`, a long base64 run): never repeated in a
 * message, whatever file it came from (a shadow file given as an inventory).
 */
export function looksSecret(s: string): boolean {
  return (
    /\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$/.test(s) ||
    /PRIVATE KEY|BEGIN [A-Z ]*KEY/.test(s) ||
    /(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key)\s*[:=]/i.test(s) ||
    /[A-Za-z0-9+/]{40,}={0,2}/.test(s)
  )
}

const NOT_SHOWN = '<not shown: looks like a secret>'

/** `["nodes", 0, "bmc"]` → `nodes[0].bmc`; keys that are not identifiers are quoted: `networks["my net"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'string' && looksSecret(seg)) out += `[${NOT_SHOWN}]`
    else if (typeof seg === 'number') out += `[${seg}]`
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out ? `.${seg}` : seg
    else out += `[${JSON.stringify(seg)}]`
  }
  return out
}

export function parsePointer(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return []
  const out: PathSegment[] = []
  let cur: unknown = data
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg))
      cur = cur[Number(seg)]
    } else {
      out.push(seg)
      cur = isRecord(cur) ? cur[seg] : undefined
    }
  }
  return out
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token/i

/** A key that holds (or, misspelt, probably holds) a secret value; `…Env` keys only name a variable. */
export function isSecretKey(key: string): boolean {
  if (/Env$/.test(key)) return false
  return SECRET_KEY.test(key) || didYouMean(key, ['password', 'passphrase', 'secret']) !== undefined
}

/** Describes a value for `found …`; never repeats what could be a secret. */
export function describeFound(value: unknown, path: readonly PathSegment[] = []): string {
  const last = path[path.length - 1]
  if (typeof last === 'string' && isSecretKey(last)) return 'a value (not shown)'
  if (value === undefined) return 'nothing'
  if (value === null) return 'an empty value'
  if (typeof value === 'string') {
    if (value === '') return 'an empty string'
    if (looksSecret(value)) return `text (${NOT_SHOWN})`
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value
    return JSON.stringify(shown)
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list'
  if (isRecord(value)) return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping'
  return typeof value
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'an empty value',
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type]
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ')
}

export function levenshtein(a: string, b: string): number {
  const prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      diag = tmp
    }
  }
  return prev[b.length] as number
}

/** The closest candidate when it is a plausible typo: case, `_`/`-` and up to two edits (one for short words). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '')
  const w = norm(word)
  let best: {c: string; d: number} | undefined
  for (const c of candidates) {
    const d = levenshtein(w, norm(c))
    if (!best || d < best.d) best = {c, d}
  }
  if (!best) return undefined
  const limit = w.length <= 4 ? 1 : 2
  return best.d <= limit ? best.c : undefined
}

/** Keys people put one level too high or too low, and where they belong. */
const MISPLACED: Record<string, Record<string, string>> = {
  node: {
    user: 'ssh.user',
    identityFile: 'ssh.identityFile',
    knownHosts: 'ssh.knownHosts',
    proxyJump: 'ssh.proxyJump',
    sudo: 'ssh.sudo',
    passphraseEnv: 'ssh.passphraseEnv',
    role: 'roles',
    address: 'host',
    ip: 'host',
    hostname: 'host',
    ipmi: 'bmc',
  },
  cluster: {rto: 'objectives.rto', rpo: 'objectives.rpo', url: 'service.url'},
  root: {name: 'cluster.name', stack: 'cluster.stack', vip: 'cluster.vip', objectives: 'cluster.objectives'},
  bmc: {username: 'user', address: 'host', ip: 'host'},
  ssh: {identityFiles: 'identityFile', key: 'identityFile', privateKey: 'identityFile', username: 'user'},
}

function contextOf(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'root'
  if (path.length === 2 && path[0] === 'nodes' && typeof path[1] === 'number') return 'node'
  const last = path[path.length - 1]
  return typeof last === 'string' ? last : ''
}

function unknownKeyMessage(
  key: string,
  parentPath: readonly PathSegment[],
  allowed: readonly string[],
): string {
  const ctx = contextOf(parentPath)
  if (isSecretKey(key)) {
    if (ctx === 'bmc') {
      return 'plaintext passwords are not allowed in the inventory: export the password in an environment variable and name that variable with passwordEnv (e.g. passwordEnv: LAB_BMC_PASSWORD)'
    }
    return 'plaintext secrets are not allowed in the inventory: use identityFile with ssh-agent or passphraseEnv (the name of an environment variable holding the key passphrase)'
  }
  if (looksSecret(key)) return `unknown key ${NOT_SHOWN} (expected one of: ${allowed.join(', ')})`
  const moved = MISPLACED[ctx]?.[key]
  if (moved) return `unknown key "${key}" (did you mean "${moved}"?)`
  const guess = didYouMean(key, allowed)
  if (guess) return `unknown key "${key}" (did you mean "${guess}"?)`
  return `unknown key "${key}" (expected one of: ${allowed.join(', ')})`
}

function expectedOf(err: ErrorObject): string | undefined {
  const parent = err.parentSchema
  const x = isRecord(parent) ? parent['x-expected'] : undefined
  return typeof x === 'string' ? x : undefined
}

function genericExpected(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>
  switch (err.keyword) {
    case 'type':
      return typeWords(p.type)
    case 'minimum':
      return `a number ${String(p.comparison)} ${String(p.limit)}`
    case 'maximum':
      return `a number ${String(p.comparison)} ${String(p.limit)}`
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${String(p.comparison)} ${String(p.limit)}`
    case 'minLength':
      return `text of at least ${String(p.limit)} character(s)`
    case 'maxLength':
      return `text of at most ${String(p.limit)} characters`
    case 'minItems':
      return `a list with at least ${String(p.limit)} item(s)`
    case 'minProperties':
      return `a mapping with at least ${String(p.limit)} key(s)`
    case 'pattern':
      return `text matching /${String(p.pattern)}/`
    case 'format':
      return `a valid ${String(p.format)}`
    default:
      return err.message ?? err.keyword
  }
}

/**
 * One problem per ajv error that matters: the first error at each path wins
 * (ajv may report type and pattern for the same value), and a `required`
 * passwordEnv is dropped when a plaintext password is what was written.
 */
export function translateSchemaErrors(errors: readonly ErrorObject[], source: ParsedSource): Problem[] {
  const stranger = strangerDocument(errors, source.data)
  if (stranger) return [stranger]
  const seen = new Set<string>()
  const problems: Problem[] = []
  const hasPlaintextPassword = new Set(
    errors
      .filter((e) => e.keyword === 'additionalProperties' && isSecretKey(String(e.params.additionalProperty)))
      .map((e) => e.instancePath),
  )
  for (const err of errors) {
    if (err.keyword === 'propertyNames') continue
    const base = parsePointer(err.instancePath, source.data)
    const p = err.params as Record<string, unknown>
    let path = base
    let atKey = false
    let message: string
    if (err.keyword === 'required') {
      const missing = String(p.missingProperty)
      if (missing === 'passwordEnv' && hasPlaintextPassword.has(err.instancePath)) continue
      path = [...base, missing]
      const props = isRecord(err.parentSchema) ? err.parentSchema.properties : undefined
      const sub = isRecord(props) ? props[missing] : undefined
      const choices = isRecord(sub) && Array.isArray(sub.enum) ? ` (one of: ${sub.enum.join(', ')})` : ''
      message = `missing key "${missing}"${choices}`
      const pos = source.locate(base)
      pushOnce(seen, problems, formatPath(path), {...pos, path: formatPath(base), message})
      continue
    } else if (err.keyword === 'additionalProperties') {
      const key = String(p.additionalProperty)
      const props = isRecord(err.parentSchema) ? err.parentSchema.properties : undefined
      const allowed = isRecord(props) ? Object.keys(props).filter((k) => k !== '$schema') : []
      path = [...base, key]
      atKey = true
      message = unknownKeyMessage(key, base, allowed)
    } else if (err.propertyName !== undefined) {
      // propertyNames: the key itself is malformed.
      path = [...base, err.propertyName]
      atKey = true
      message = `expected ${expectedOf(err) ?? genericExpected(err)}, found the key ${JSON.stringify(err.propertyName)}`
    } else if (err.keyword === 'uniqueItems') {
      const i = Number(p.i)
      const j = Number(p.j)
      path = [...base, Math.max(i, j)]
      const dup = Array.isArray(err.data) ? err.data[Math.max(i, j)] : undefined
      const noun = base[base.length - 1] === 'roles' ? 'role' : 'item'
      message = `expected each ${noun} only once, found ${describeFound(dup, path)} twice`
    } else if (err.keyword === 'enum') {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map(String) : []
      const guess = typeof err.data === 'string' ? didYouMean(err.data, allowed) : undefined
      message = `expected one of ${allowed.join(', ')}, found ${describeFound(err.data, path)}${guess ? ` (did you mean "${guess}"?)` : ''}`
    } else {
      message = `expected ${expectedOf(err) ?? genericExpected(err)}, found ${path.length === 0 ? wholeDocument(err.data) : describeFound(err.data, path)}`
      if (err.keyword === 'format' && p.format === 'cidr' && typeof err.data === 'string') {
        const check = checkCidr(err.data)
        if (!check.ok) {
          message += ` (${check.reason}${check.suggestion ? `; did you mean ${check.suggestion}?` : ''})`
        }
      }
    }
    const pos = source.locate(path, {key: atKey})
    pushOnce(seen, problems, formatPath(path), {...pos, path: formatPath(path), message})
  }
  return problems
}

/**
 * A mapping with none of the keys this kind of file has (an .env, another
 * tool's configuration given by mistake) is some other file: one line saying
 * so, rather than one "unknown key" line per key, which would repeat the
 * file's content back. Undefined when one key is known, or every key is a likely typo of one.
 */
export function strangerKeys(
  keys: readonly string[],
  allowed: readonly string[],
  expected: string,
): string | undefined {
  // Some other file: no key it should have, and at least one key that is not even a typo of one.
  if (keys.length === 0 || keys.some((k) => allowed.includes(k))) return undefined
  if (keys.every((k) => didYouMean(k, allowed))) return undefined
  return `expected ${expected}, found a mapping with none of its keys (${keys.length} key${keys.length === 1 ? '' : 's'}, not shown: is this the right file?)`
}

function strangerDocument(errors: readonly ErrorObject[], data: unknown): Problem | undefined {
  if (!isRecord(data)) return undefined
  const atRoot = errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === '')
  const root = atRoot[0]?.parentSchema
  if (!isRecord(root)) return undefined
  const props = isRecord(root.properties) ? Object.keys(root.properties) : []
  const expected =
    typeof root['x-expected'] === 'string'
      ? root['x-expected']
      : `a mapping with ${props.slice(0, 4).join(', ')}`
  const message = strangerKeys(Object.keys(data), props, expected)
  return message === undefined ? undefined : {line: 1, col: 1, path: '', message}
}

/** A document that is one scalar is the file itself (a note, /proc/self/environ): never echoed. */
export function wholeDocument(value: unknown): string {
  return typeof value === 'string' && value !== ''
    ? `text of ${value.length} characters (not shown: a file that is not YAML or JSON structure)`
    : describeFound(value)
}

function pushOnce(seen: Set<string>, problems: Problem[], key: string, problem: Problem): void {
  if (seen.has(key)) return
  seen.add(key)
  problems.push(problem)
}
