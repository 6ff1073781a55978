import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'

import {execa} from 'execa'
import {parse as parseYamlText} from 'yaml'

import {InputError} from '../core/errors.js'
import {isRecord} from './messages.js'

/**
 * Ansible inventories, read either by `ansible-inventory -i FILE --list`
 * (exact Ansible semantics, plugins included) or by a built-in parser of the
 * common subset of the INI and YAML formats. Both give the same shape: the one
 * `ansible-inventory --list` prints, with group vars already merged into each
 * host's vars.
 */

export type AnsibleVars = Record<string, unknown>

export interface AnsibleList {
  /** Groups in file order; `all` and `ungrouped` included. */
  groups: Record<string, {hosts: string[]; children: string[]}>
  /** Each host's variables, group variables merged in with Ansible's precedence. */
  hostvars: Record<string, AnsibleVars>
}

/* ------------------------------------------------------------------ */
/* Host patterns: web[01:03], db-[a:c], n[1:9:2]                        */

/** Expands Ansible host ranges (`web[01:03]`, `db-[a:c]`, `n[0:8:2]`); several ranges multiply. */
export function expandHostPattern(pattern: string): string[] {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(pattern)
  if (!m) return [pattern]
  const [, head = '', from = '', to = '', stepText, tail = ''] = m
  const step = stepText ? Number(stepText) : 1
  if (step < 1) throw new InputError(`host range ${pattern}: the step must be at least 1`)
  const items: string[] = []
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0
    for (let n = Number(from); n <= Number(to); n += step) items.push(String(n).padStart(width, '0'))
  } else if (/^[a-zA-Z]$/.test(from) && /^[a-zA-Z]$/.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) items.push(String.fromCharCode(c))
  } else {
    throw new InputError(`host range ${pattern}: expected [start:end] with numbers or single letters`)
  }
  if (items.length === 0) throw new InputError(`host range ${pattern}: the range is empty`)
  return items.flatMap((item) => expandHostPattern(`${head}${item}${tail}`))
}

/* ------------------------------------------------------------------ */
/* A builder shared by the INI and YAML readers                         */

class InventoryBuilder {
  private readonly groups = new Map<string, {hosts: string[]; children: string[]; vars: AnsibleVars}>()
  private readonly hostOwnVars = new Map<string, AnsibleVars>()

  constructor() {
    this.group('all')
    this.group('ungrouped')
  }

  group(name: string): {hosts: string[]; children: string[]; vars: AnsibleVars} {
    let g = this.groups.get(name)
    if (!g) {
      g = {hosts: [], children: [], vars: {}}
      this.groups.set(name, g)
    }
    return g
  }

  addHost(group: string, host: string, vars: AnsibleVars = {}): void {
    const g = this.group(group)
    if (!g.hosts.includes(host)) g.hosts.push(host)
    this.hostOwnVars.set(host, {...(this.hostOwnVars.get(host) ?? {}), ...vars})
  }

  addChild(parent: string, child: string): void {
    const g = this.group(parent)
    this.group(child)
    if (child !== parent && !g.children.includes(child)) g.children.push(child)
  }

  setVars(group: string, vars: AnsibleVars): void {
    Object.assign(this.group(group).vars, vars)
  }

  finish(): AnsibleList {
    // Groups nobody claims as a child are children of all; hosts in no group but all are ungrouped.
    const claimed = new Set([...this.groups.values()].flatMap((g) => g.children))
    for (const name of this.groups.keys()) {
      if (name !== 'all' && !claimed.has(name)) this.addChild('all', name)
    }
    const all = this.group('all')
    for (const host of all.hosts) {
      const elsewhere = [...this.groups.entries()].some(([n, g]) => n !== 'all' && g.hosts.includes(host))
      if (!elsewhere) this.addHost('ungrouped', host)
    }
    all.hosts = []
    const parents = new Map<string, string[]>()
    for (const [name, g] of this.groups) {
      for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), name])
    }
    const depthCache = new Map<string, number>()
    const depth = (name: string, seen: Set<string> = new Set()): number => {
      const cached = depthCache.get(name)
      if (cached !== undefined) return cached
      if (seen.has(name)) return 0
      seen.add(name)
      const d =
        name === 'all' ? 0 : 1 + Math.max(0, ...(parents.get(name) ?? ['all']).map((p) => depth(p, seen)))
      depthCache.set(name, d)
      return d
    }
    const members = new Map<string, Set<string>>()
    const membersOf = (name: string, seen: Set<string> = new Set()): Set<string> => {
      const cached = members.get(name)
      if (cached) return cached
      const g = this.group(name)
      const out = new Set(g.hosts)
      seen.add(name)
      for (const c of g.children) if (!seen.has(c)) for (const h of membersOf(c, seen)) out.add(h)
      members.set(name, out)
      return out
    }
    const hostvars: Record<string, AnsibleVars> = {}
    for (const host of this.hostOwnVars.keys()) {
      const groups = [...this.groups.keys()]
        .filter((n) => n === 'all' || membersOf(n).has(host))
        .sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))
      const vars: AnsibleVars = {}
      for (const n of groups) Object.assign(vars, this.group(n).vars)
      hostvars[host] = {...vars, ...this.hostOwnVars.get(host)}
    }
    const groups: AnsibleList['groups'] = {}
    for (const [name, g] of this.groups) groups[name] = {hosts: [...g.hosts], children: [...g.children]}
    return {groups, hostvars}
  }
}

/* ------------------------------------------------------------------ */
/* INI                                                                  */

/** Splits like Python's shlex with comments on: quotes group, `#` starts a comment. */
function shellWords(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let quote: string | undefined
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '#' && !inWord) {
      break
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += ch
      inWord = true
    }
  }
  if (quote) throw new Error('unterminated quote')
  if (inWord) words.push(cur)
  return words
}

/** INI values: numbers and true/false become typed, like Ansible's literal evaluation of host vars. */
function iniValue(text: string): unknown {
  if (/^-?\d+$/.test(text)) return Number(text)
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  return text
}

function keyValues(words: readonly string[], where: string): AnsibleVars {
  const vars: AnsibleVars = {}
  for (const w of words) {
    const eq = w.indexOf('=')
    if (eq <= 0) throw new InputError(`${where}: expected key=value, found ${JSON.stringify(w)}`)
    vars[w.slice(0, eq)] = iniValue(w.slice(eq + 1))
  }
  return vars
}

export function parseAnsibleIni(text: string, file: string): AnsibleList {
  const b = new InventoryBuilder()
  let group = 'ungrouped'
  let kind: 'hosts' | 'vars' | 'children' = 'hosts'
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const where = `${file}:${i + 1}`
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]:\s]+)(?::(vars|children))?\]\s*([#;].*)?$/.exec(line)
    if (header) {
      group = header[1] as string
      kind = (header[2] as 'vars' | 'children' | undefined) ?? 'hosts'
      b.group(group)
      continue
    }
    if (line.startsWith('[')) {
      throw new InputError(
        `${where}: expected a section such as [group], [group:vars] or [group:children], found ${JSON.stringify(line)}`,
      )
    }
    let words: string[]
    try {
      words = shellWords(line)
    } catch {
      throw new InputError(`${where}: unterminated quote in ${JSON.stringify(line)}`)
    }
    if (words.length === 0) continue
    if (kind === 'vars') {
      // `key=value` or `key = value`.
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
      if (!m)
        throw new InputError(`${where}: expected key=value in [${group}:vars], found ${JSON.stringify(line)}`)
      // Ansible reads [group:vars] values as plain strings (inline host vars as literals).
      b.setVars(group, {[m[1] as string]: shellWords(m[2] as string).join(' ')})
    } else if (kind === 'children') {
      for (const child of words) b.addChild(group, child)
    } else {
      const [pattern = '', ...rest] = words
      const vars = keyValues(rest, where)
      // host:port (not for IPv6 addresses, which have several colons).
      let name = pattern
      const hp = /^([^:]+):(\d+)$/.exec(pattern)
      if (hp) {
        name = hp[1] as string
        vars.ansible_port = Number(hp[2])
      }
      for (const host of expandHostPattern(name)) b.addHost(group, host, vars)
    }
  }
  return b.finish()
}

/* ------------------------------------------------------------------ */
/* YAML                                                                 */

export function parseAnsibleYaml(data: unknown, file: string): AnsibleList {
  if (!isRecord(data))
    throw new InputError(`${file}: expected an Ansible YAML inventory (a mapping of groups such as all:)`)
  const b = new InventoryBuilder()
  const walk = (name: string, body: unknown, where: string): void => {
    b.group(name)
    if (body === null || body === undefined) return
    if (!isRecord(body))
      throw new InputError(`${file}: ${where}: expected a mapping with hosts, vars or children`)
    for (const key of Object.keys(body)) {
      if (!['hosts', 'vars', 'children'].includes(key)) {
        throw new InputError(`${file}: ${where}: unknown key "${key}" (expected hosts, vars or children)`)
      }
    }
    const {hosts, vars, children} = body
    if (hosts !== null && hosts !== undefined) {
      if (!isRecord(hosts)) throw new InputError(`${file}: ${where}.hosts: expected a mapping of host names`)
      for (const [pattern, hv] of Object.entries(hosts)) {
        if (hv !== null && hv !== undefined && !isRecord(hv)) {
          throw new InputError(`${file}: ${where}.hosts.${pattern}: expected a mapping of variables`)
        }
        for (const host of expandHostPattern(pattern)) b.addHost(name, host, hv ?? {})
      }
    }
    if (vars !== null && vars !== undefined) {
      if (!isRecord(vars)) throw new InputError(`${file}: ${where}.vars: expected a mapping of variables`)
      b.setVars(name, vars)
    }
    if (children !== null && children !== undefined) {
      if (!isRecord(children))
        throw new InputError(`${file}: ${where}.children: expected a mapping of groups`)
      for (const [child, childBody] of Object.entries(children)) {
        b.addChild(name, child)
        walk(child, childBody, `${where}.children.${child}`)
      }
    }
  }
  for (const [name, body] of Object.entries(data)) walk(name, body, name)
  return b.finish()
}

/**
 * Reads an Ansible inventory with the built-in parser: YAML when the text is a
 * YAML mapping of groups, INI otherwise.
 */
export function parseAnsibleText(text: string, file: string): AnsibleList {
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l)) ?? ''
  if (!/^\s*\[[^\]]+\]\s*$/.test(firstLine)) {
    let data: unknown
    try {
      data = parseYamlText(text)
    } catch {
      data = undefined
    }
    if (isRecord(data) && Object.values(data).every((v) => v === null || isRecord(v))) {
      return parseAnsibleYaml(data, file)
    }
  }
  return parseAnsibleIni(text, file)
}

/* ------------------------------------------------------------------ */
/* ansible-inventory                                                    */

export function findOnPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, program)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Converts `ansible-inventory --list` JSON into an AnsibleList. */
export function fromAnsibleListJson(json: unknown): AnsibleList {
  if (!isRecord(json))
    throw new InputError('ansible-inventory --list printed something other than a JSON object')
  const meta = isRecord(json._meta) ? json._meta : {}
  const hostvars: Record<string, AnsibleVars> = {}
  if (isRecord(meta.hostvars)) {
    for (const [h, v] of Object.entries(meta.hostvars)) hostvars[h] = isRecord(v) ? v : {}
  }
  const groups: AnsibleList['groups'] = {}
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  for (const [name, body] of Object.entries(json)) {
    if (name === '_meta' || !isRecord(body)) continue
    groups[name] = {hosts: strings(body.hosts), children: strings(body.children)}
    for (const h of groups[name].hosts) hostvars[h] ??= {}
  }
  return {groups, hostvars}
}

/**
 * The useful sentence in ansible-inventory's stderr (wrapped at 80 columns, one
 * "Failed to parse … with P plugin: reason" per plugin tried): preferably a
 * reason that names a line.
 */
export function ansibleFailure(stderr: string): string {
  // Python's textwrap also breaks lines after a hyphen inside a word (a path such as /srv/ha-lab/hosts.ini).
  const text = stderr
    .replace(/(\S)-\n(?=\S)/g, '$1-')
    .replace(/\s+/g, ' ')
    .trim()
  const reasons = [
    ...text.matchAll(/Failed to parse \S+ with \S+ plugin: (.*?)(?= \[WARNING\]| ERROR!| \* Failed|$)/g),
  ].map((m) => (m[1] ?? '').trim())
  const best = reasons.find((r) => /:\d+:/.test(r)) ?? reasons[0]
  if (best) return best
  return /ERROR! (.*)$/.exec(text)?.[1] ?? text.slice(0, 300)
}

/** Runs `ansible-inventory -i FILE --list`; parse failures are errors, not warnings. */
export async function runAnsibleInventory(file: string): Promise<AnsibleList> {
  const res = await execa('ansible-inventory', ['-i', file, '--list'], {
    reject: false,
    timeout: 120_000,
    stdin: 'ignore',
    env: {
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
      ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_DEPRECATION_WARNINGS: 'false',
      ANSIBLE_LOCALHOST_WARNING: 'false',
    },
  })
  if (res.failed || res.exitCode !== 0) {
    const why = ansibleFailure(String(res.stderr ?? '')) || res.shortMessage || `exit ${String(res.exitCode)}`
    throw new InputError(`${file}: ansible-inventory could not read it: ${why}`, {
      actions: ['Try the built-in parser with --parser builtin.'],
    })
  }
  let json: unknown
  try {
    json = JSON.parse(String(res.stdout))
  } catch {
    throw new InputError(`${file}: ansible-inventory --list did not print JSON`)
  }
  return fromAnsibleListJson(json)
}
