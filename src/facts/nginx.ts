/**
 * nginx: the nginx configuration as printed by `nginx -T` (every file nginx
 * loads, each after a "# configuration file PATH:" line), with includes
 * resolved against the dumped files, and the server blocks the TLS check
 * reads: listen (port, ssl, http2, default_server), server_name,
 * ssl_certificate / ssl_certificate_key (inherited from the http block when
 * the server sets none), legacy `ssl on`.
 *
 * Grammar: directives end with ";", blocks are "{ … }", "#" starts a comment
 * outside quotes, '…' and "…" quote (with \ escapes). A plain configuration
 * file (no "# configuration file" lines) is read as one file; its includes
 * then stay in `unresolvedIncludes`.
 *
 * `nginx -T` only tests and prints the configuration; it exits 1 without a
 * dump when the configuration is invalid (that is a command failure).
 */
import path from 'node:path'

import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'

export interface NginxDirective {
  name: string
  args: string[]
  file?: string
  line: number
  block?: NginxDirective[]
}

export interface NginxListen {
  address?: string
  port?: number
  ssl: boolean
  http2: boolean
  quic: boolean
  defaultServer: boolean
  raw: string[]
}

export interface NginxServer {
  file?: string
  line: number
  listens: NginxListen[]
  serverNames: string[]
  /** Effective ssl_certificate paths (the server's own, else inherited from http). */
  sslCertificates: string[]
  sslCertificateKeys: string[]
  /** Legacy `ssl on;` (before nginx 1.15): every listen is TLS. */
  sslOn: boolean
  sslProtocols?: string[]
  /** Any listen with ssl/quic, or `ssl on`. */
  tls: boolean
}

export interface NginxConfig {
  files: string[]
  /** The main file with includes expanded in place. */
  root: NginxDirective[]
  servers: NginxServer[]
  unresolvedIncludes: {pattern: string; file?: string; line: number}[]
}

/** Tokens: words (quotes removed) and the punctuation ; { }. */
function tokenize(text: string, file?: string): {t: string; line: number; punct: boolean}[] {
  const out: {t: string; line: number; punct: boolean}[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const c = text[i] ?? ''
    if (c === '\n') {
      line++
      i++
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    if (c === ';' || c === '{' || c === '}') {
      out.push({t: c, line, punct: true})
      i++
      continue
    }
    const start = line
    let word = ''
    while (i < text.length) {
      const ch = text[i] ?? ''
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === ';' || ch === '{' || ch === '}')
        break
      if (ch === '"' || ch === "'") {
        let j = i + 1
        while (j < text.length && text[j] !== ch) {
          if (text[j] === '\\') j++
          if (text[j] === '\n') line++
          j++
        }
        if (j >= text.length) throw new ParseError(`${file ?? 'nginx'}: unterminated ${ch} quote`, start)
        word += text.slice(i + 1, j).replace(/\\(.)/g, '$1')
        i = j + 1
        continue
      }
      if (ch === '\\' && i + 1 < text.length) {
        word += ch + (text[i + 1] ?? '')
        i += 2
        continue
      }
      word += ch
      i++
    }
    out.push({t: word, line: start, punct: false})
  }
  return out
}

/** Parses one file's text into a directive tree. */
export function parseNginxText(text: string, file?: string): NginxDirective[] {
  const tokens = tokenize(text, file)
  let pos = 0
  const block = (depth: number): NginxDirective[] => {
    const out: NginxDirective[] = []
    let words: {t: string; line: number}[] = []
    while (pos < tokens.length) {
      const tok = tokens[pos++]
      if (!tok) break
      if (!tok.punct) {
        words.push(tok)
        continue
      }
      const first = words[0]
      if (tok.t === ';') {
        if (first) out.push({name: first.t, args: words.slice(1).map((w) => w.t), file, line: first.line})
        words = []
      } else if (tok.t === '{') {
        if (!first) throw new ParseError(`${file ?? 'nginx'}: "{" without a directive`, tok.line)
        const inner = block(depth + 1)
        out.push({name: first.t, args: words.slice(1).map((w) => w.t), file, line: first.line, block: inner})
        words = []
      } else {
        if (depth === 0) throw new ParseError(`${file ?? 'nginx'}: unexpected "}"`, tok.line)
        if (first) throw new ParseError(`${file ?? 'nginx'}: directive "${first.t}" has no ";"`, first.line)
        return out
      }
    }
    if (depth > 0) throw new ParseError(`${file ?? 'nginx'}: a block is not closed`)
    if (words[0])
      throw new ParseError(`${file ?? 'nginx'}: directive "${words[0].t}" has no ";"`, words[0].line)
    return out
  }
  return block(0)
}

/** Splits `nginx -T` output into files; a text without markers is one file. */
export function splitNginxDump(text: string): {file?: string; text: string}[] {
  const re = /^# configuration file (.+):$/gm
  const marks = [...text.matchAll(re)]
  if (marks.length === 0) return [{text}]
  return marks.map((m, k) => {
    const start = (m.index ?? 0) + m[0].length + 1
    const next = marks[k + 1]
    return {file: m[1], text: text.slice(start, next ? next.index : text.length)}
  })
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (const c of glob) {
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

function parseListen(args: string[]): NginxListen {
  const first = args[0] ?? ''
  let address: string | undefined
  let port: number | undefined
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(first)
  if (v6) {
    address = `[${v6[1]}]`
    port = v6[2] === undefined ? 80 : Number(v6[2])
  } else if (/^\d+$/.test(first)) {
    port = Number(first)
  } else if (first.startsWith('unix:')) {
    address = first
  } else {
    const m = /^(.*?)(?::(\d+))?$/.exec(first)
    address = m?.[1] || undefined
    port = m?.[2] === undefined ? 80 : Number(m[2])
  }
  const opts = args.slice(1)
  return {
    address,
    port,
    ssl: opts.includes('ssl'),
    http2: opts.includes('http2'),
    quic: opts.includes('quic'),
    defaultServer: opts.includes('default_server') || opts.includes('default'),
    raw: args,
  }
}

function serverOf(
  s: NginxDirective,
  inherited: {certs: string[]; keys: string[]; protocols?: string[]},
): NginxServer {
  const body = s.block ?? []
  const all = (name: string) => body.filter((d) => d.name === name)
  const certs = all('ssl_certificate').map((d) => d.args[0] ?? '')
  const keys = all('ssl_certificate_key').map((d) => d.args[0] ?? '')
  const sslOn = all('ssl').some((d) => d.args[0] === 'on')
  const listens = all('listen').map((d) => parseListen(d.args))
  const protocols = all('ssl_protocols').at(-1)?.args ?? inherited.protocols
  return {
    file: s.file,
    line: s.line,
    listens,
    serverNames: all('server_name').flatMap((d) => d.args),
    sslCertificates: certs.length > 0 ? certs : inherited.certs,
    sslCertificateKeys: keys.length > 0 ? keys : inherited.keys,
    sslOn,
    sslProtocols: protocols,
    tls: sslOn || listens.some((l) => l.ssl || l.quic),
  }
}

/** Parses `nginx -T` output (or one configuration file). */
export function parseNginxConfig(text: string, prefix = '/etc/nginx'): NginxConfig {
  const files = splitNginxDump(text)
  const trees = new Map<string, NginxDirective[]>()
  files.forEach((f, k) => trees.set(f.file ?? `#${k}`, parseNginxText(f.text, f.file)))
  const unresolvedIncludes: NginxConfig['unresolvedIncludes'] = []
  const expand = (ds: NginxDirective[], seen: string[]): NginxDirective[] =>
    ds.flatMap((d) => {
      if (d.name === 'include' && d.args[0] !== undefined && !d.block) {
        const pattern = d.args[0]
        const abs = path.posix.isAbsolute(pattern) ? pattern : path.posix.join(prefix, pattern)
        const re = globToRegExp(abs)
        const hits = [...trees.keys()].filter((f) => re.test(f) && !seen.includes(f)).sort()
        if (hits.length === 0) {
          unresolvedIncludes.push({pattern, file: d.file, line: d.line})
          return [d]
        }
        return hits.flatMap((h) => expand(trees.get(h) ?? [], [...seen, h]))
      }
      return [d.block ? {...d, block: expand(d.block, seen)} : d]
    })
  const mainName = files[0]?.file ?? '#0'
  const root = expand(trees.get(mainName) ?? [], [mainName])
  const servers: NginxServer[] = []
  const visit = (
    ds: NginxDirective[],
    inherited: {certs: string[]; keys: string[]; protocols?: string[]},
  ) => {
    const here = {
      certs: ds.filter((d) => d.name === 'ssl_certificate').map((d) => d.args[0] ?? ''),
      keys: ds.filter((d) => d.name === 'ssl_certificate_key').map((d) => d.args[0] ?? ''),
      protocols: ds.filter((d) => d.name === 'ssl_protocols').at(-1)?.args,
    }
    const inh = {
      certs: here.certs.length > 0 ? here.certs : inherited.certs,
      keys: here.keys.length > 0 ? here.keys : inherited.keys,
      protocols: here.protocols ?? inherited.protocols,
    }
    for (const d of ds) {
      if (d.name === 'server' && d.block) servers.push(serverOf(d, inh))
      else if (d.block && (d.name === 'http' || d.name === 'stream')) visit(d.block, inh)
    }
  }
  visit(root, {certs: [], keys: []})
  return {files: files.map((f) => f.file ?? ''), root, servers, unresolvedIncludes}
}

export const nginx = defineGatherer<NginxConfig>({
  id: 'nginx',
  description: 'nginx configuration with includes (nginx -T): server blocks, listen ssl, certificates',
  script: `[ -f /etc/nginx/nginx.conf ] || exit ${ABSENT_RC}; nginx -T`,
  requires: ['nginx'],
  whenAbsent: 'nginx is installed but has no /etc/nginx/nginx.conf on this node',
  parse: (out) => parseNginxConfig(out.stdout),
})
