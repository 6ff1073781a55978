/**
 * haproxy: the HAProxy configuration (/etc/haproxy/haproxy.cfg plus
 * /etc/haproxy/conf.d/*.cfg, loaded in that order by the RHEL unit) as
 * sections and directives, with what the LB checks read: bind lines (address,
 * `ssl`, every `crt` / `crt-list`), default/use_backend, servers, and the
 * global TLS defaults.
 *
 * Syntax follows HAProxy's own tokenizer: the first word of a line decides
 * (a section keyword opens a section, whatever the indentation); words are
 * split on blanks; '…' is literal, "…" allows \-escapes, \ escapes one char;
 * "#" starts a comment at the start of a word outside quotes. Conditional
 * blocks (.if/.elif/.else/.endif) are not evaluated: their directives are kept
 * and marked `conditional`. Legacy "listen NAME ADDR:PORT" yields a bind.
 *
 * A relative crt path is resolved against crt-base (global), else against the
 * configuration file's directory when `default-path config` is set; otherwise
 * it stays unresolved (HAProxy would use its working directory).
 *
 * Snippet: prints each existing file as a framed part; exits ABSENT_RC when
 * there is none (not a load balancer node).
 */
import path from 'node:path'

import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, splitParts} from './parts.js'
import {lines} from './util.js'

export const SECTION_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'peers',
  'resolvers',
  'userlist',
  'mailers',
  'cache',
  'ring',
  'program',
  'http-errors',
  'log-forward',
  'crt-store',
  'traces',
  'log-profile',
  'acme',
])

export interface HaproxyDirective {
  keyword: string
  args: string[]
  file?: string
  line: number
  /** Inside a .if block (not evaluated). */
  conditional: boolean
}

export interface HaproxySection {
  kind: string
  name?: string
  /** Words after the name on the section line (legacy listen/frontend address). */
  extra: string[]
  file?: string
  line: number
  directives: HaproxyDirective[]
}

export interface HaproxyBind {
  section: string
  sectionKind: string
  /** Address words ("*:443", ":80", "quic4@:443", "ipv6@:::443", "/run/x.sock"). */
  addresses: string[]
  ports: number[]
  ssl: boolean
  /** Every `crt` argument, as written. */
  crts: string[]
  crtLists: string[]
  name?: string
  file?: string
  line: number
  conditional: boolean
}

export interface HaproxyServer {
  section: string
  name: string
  address: string
  port?: number
  ssl: boolean
  check: boolean
  backup: boolean
  disabled: boolean
  file?: string
  line: number
}

export interface HaproxyCertRef {
  /** As written on the bind line. */
  path: string
  /** Absolute path HAProxy would load, when it can be told. */
  resolved?: string
  kind: 'crt' | 'crt-list'
  section: string
  file?: string
  line: number
}

export interface HaproxyConfig {
  files: string[]
  sections: HaproxySection[]
  global: {
    crtBase?: string
    caBase?: string
    defaultPathConfig: boolean
    sslDefaultBindOptions?: string[]
    sslDefaultBindCiphers?: string
    sslDefaultBindCiphersuites?: string
  }
  /** frontend and listen sections. */
  frontends: {name: string; kind: string; mode?: string; defaultBackend?: string; useBackends: string[]}[]
  binds: HaproxyBind[]
  servers: HaproxyServer[]
  certificates: HaproxyCertRef[]
}

/** Splits one configuration line into words (comments removed); throws on an unterminated quote. */
export function haproxyWords(line: string, lineNo = 0): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let i = 0
  while (i < line.length) {
    const c = line[i] ?? ''
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
      i++
      continue
    }
    if (c === '#' && !inWord) break
    inWord = true
    if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1]
      i += 2
      continue
    }
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1)
      if (end < 0) throw new ParseError(`unterminated ${c} quote`, lineNo)
      const inner = line.slice(i + 1, end)
      cur += c === '"' ? inner.replace(/\\(.)/g, '$1') : inner
      i = end + 1
      continue
    }
    cur += c
    i++
  }
  if (inWord) words.push(cur)
  return words
}

function portOf(addr: string): number | undefined {
  const m = /:(\d+)(?:-\d+)?$/.exec(addr)
  return m ? Number(m[1]) : undefined
}

const BIND_VALUE_OPTIONS = new Set([
  'crt',
  'crt-list',
  'ca-file',
  'crl-file',
  'alpn',
  'npn',
  'ciphers',
  'ciphersuites',
  'curves',
  'ecdhe',
  'name',
  'id',
  'interface',
  'level',
  'maxconn',
  'mode',
  'user',
  'group',
  'uid',
  'gid',
  'process',
  'thread',
  'ssl-min-ver',
  'ssl-max-ver',
  'verify',
  'backlog',
  'nice',
  'proto',
  'tcp-ut',
  'mss',
  'namespace',
  'label',
  'sigalgs',
  'client-sigalgs',
  'ca-ignore-err',
  'crt-ignore-err',
  'ca-verify-file',
  'severity-output',
  'accept-netscaler-cip',
  'shards',
  'guid-prefix',
  'idle-ping',
])

/** Parses the text of one configuration file into sections. */
export function parseHaproxySections(text: string, file?: string): HaproxySection[] {
  const sections: HaproxySection[] = []
  let current: HaproxySection | undefined
  let depth = 0
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const lineNo = i + 1
    const words = haproxyWords(ls[i] ?? '', lineNo)
    const kw = words[0]
    if (kw === undefined) continue
    if (kw.startsWith('.')) {
      if (kw === '.if') depth++
      else if (kw === '.endif') depth = Math.max(0, depth - 1)
      continue
    }
    if (SECTION_KEYWORDS.has(kw)) {
      current = {kind: kw, name: words[1], extra: words.slice(2), file, line: lineNo, directives: []}
      sections.push(current)
      continue
    }
    if (!current) throw new ParseError(`"${kw}" outside of any section`, lineNo)
    current.directives.push({keyword: kw, args: words.slice(1), file, line: lineNo, conditional: depth > 0})
  }
  return sections
}

function bindOf(s: HaproxySection, d: HaproxyDirective): HaproxyBind {
  const addresses = (d.args[0] ?? '').split(',').filter((a) => a !== '')
  const crts: string[] = []
  const crtLists: string[] = []
  let ssl = false
  let name: string | undefined
  for (let i = 1; i < d.args.length; i++) {
    const a = d.args[i] ?? ''
    if (a === 'ssl') ssl = true
    else if (BIND_VALUE_OPTIONS.has(a)) {
      const v = d.args[i + 1]
      if (v !== undefined) {
        if (a === 'crt') crts.push(v)
        else if (a === 'crt-list') crtLists.push(v)
        else if (a === 'name') name = v
      }
      i++
    }
  }
  return {
    section: s.name ?? '',
    sectionKind: s.kind,
    addresses,
    ports: addresses.map(portOf).filter((p): p is number => p !== undefined),
    ssl,
    crts,
    crtLists,
    name,
    file: d.file,
    line: d.line,
    conditional: d.conditional,
  }
}

function serverOf(s: HaproxySection, d: HaproxyDirective): HaproxyServer {
  const [name = '', address = '', ...opts] = d.args
  return {
    section: s.name ?? '',
    name,
    address,
    port: portOf(address),
    ssl: opts.includes('ssl'),
    check: opts.includes('check'),
    backup: opts.includes('backup'),
    disabled: opts.includes('disabled'),
    file: d.file,
    line: d.line,
  }
}

/** Builds the typed view over sections of one or more files. */
export function haproxyConfigOf(sections: HaproxySection[], files: string[]): HaproxyConfig {
  const global = sections.filter((s) => s.kind === 'global').flatMap((s) => s.directives)
  const gv = (kw: string) => global.filter((d) => d.keyword === kw).at(-1)?.args
  const crtBase = gv('crt-base')?.[0]
  const defaultPathConfig = gv('default-path')?.[0] === 'config'
  const binds: HaproxyBind[] = []
  const servers: HaproxyServer[] = []
  const frontends: HaproxyConfig['frontends'] = []
  for (const s of sections) {
    if (s.kind === 'frontend' || s.kind === 'listen') {
      const mode = s.directives.filter((d) => d.keyword === 'mode').at(-1)?.args[0]
      frontends.push({
        name: s.name ?? '',
        kind: s.kind,
        mode,
        defaultBackend: s.directives.filter((d) => d.keyword === 'default_backend').at(-1)?.args[0],
        useBackends: s.directives.filter((d) => d.keyword === 'use_backend').map((d) => d.args[0] ?? ''),
      })
      if (s.extra[0] !== undefined) {
        binds.push(
          bindOf(s, {keyword: 'bind', args: [s.extra[0]], file: s.file, line: s.line, conditional: false}),
        )
      }
      for (const d of s.directives) if (d.keyword === 'bind') binds.push(bindOf(s, d))
    }
    if (s.kind === 'backend' || s.kind === 'listen') {
      for (const d of s.directives) if (d.keyword === 'server') servers.push(serverOf(s, d))
    }
  }
  const resolve = (p: string, file?: string): string | undefined => {
    if (path.posix.isAbsolute(p)) return p
    if (crtBase) return path.posix.join(crtBase, p)
    if (defaultPathConfig && file) return path.posix.join(path.posix.dirname(file), p)
    return undefined
  }
  const certificates: HaproxyCertRef[] = binds.flatMap((b) => [
    ...b.crts.map((p) => ({
      path: p,
      resolved: resolve(p, b.file),
      kind: 'crt' as const,
      section: b.section,
      file: b.file,
      line: b.line,
    })),
    ...b.crtLists.map((p) => ({
      path: p,
      resolved: resolve(p, b.file),
      kind: 'crt-list' as const,
      section: b.section,
      file: b.file,
      line: b.line,
    })),
  ])
  return {
    files,
    sections,
    global: {
      crtBase,
      caBase: gv('ca-base')?.[0],
      defaultPathConfig,
      sslDefaultBindOptions: gv('ssl-default-bind-options'),
      sslDefaultBindCiphers: gv('ssl-default-bind-ciphers')?.[0],
      sslDefaultBindCiphersuites: gv('ssl-default-bind-ciphersuites')?.[0],
    },
    frontends,
    binds,
    servers,
    certificates,
  }
}

/** Parses one configuration text (e.g. a haproxy.cfg). */
export function parseHaproxyConfig(text: string, file?: string): HaproxyConfig {
  return haproxyConfigOf(parseHaproxySections(text, file), file ? [file] : [])
}

export const haproxy = defineGatherer<HaproxyConfig>({
  id: 'haproxy',
  description: 'HAProxy configuration: sections, binds with their TLS certificates, servers',
  command: 'cat /etc/haproxy/haproxy.cfg /etc/haproxy/conf.d/*.cfg',
  script: filesScript(['/etc/haproxy/haproxy.cfg', '/etc/haproxy/conf.d/*.cfg']),
  whenAbsent: 'no /etc/haproxy/haproxy.cfg or conf.d/*.cfg on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout).filter((p) => p.exitCode === 0)
    if (parts.length === 0) throw new ParseError('no readable HAProxy configuration file in output')
    const sections = parts.flatMap((p) => parseHaproxySections(p.body, p.name))
    return haproxyConfigOf(
      sections,
      parts.map((p) => p.name),
    )
  },
})
