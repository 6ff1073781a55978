/**
 * rsyslog: where this node sends its logs, and what it accepts (for the log
 * server side), from /etc/rsyslog.conf and /etc/rsyslog.d/*.conf.
 *
 * Forwarding, both syntaxes:
 *   legacy        `*.* @host[:port]` (UDP), `*.* @@host:port` (TCP),
 *                 `@@(o)host`, `@[2001:db8::1]:514`, optional `;Template`
 *   RainerScript  action(type="omfwd" target="…" port="…" protocol="tcp|udp"
 *                 StreamDriverMode="1" …) and type="omrelp" (RELP)
 * Inputs: module(load="imtcp|imudp|imrelp") + input(type=… port=…), and the
 * legacy $InputTCPServerRun / $UDPServerRun / $InputRELPServerRun.
 * Comments (# outside quotes, /* … *\/) are removed first, so commented-out
 * forwarding never counts. Placeholder targets are kept as written.
 *
 * Snippet: every existing file as a framed part; ABSENT_RC when none (no
 * rsyslog on this node).
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, splitParts} from './parts.js'
import {dict, toBool, toInt} from './util.js'

export interface LogForward {
  file?: string
  line: number
  syntax: 'legacy' | 'rainerscript'
  protocol: 'udp' | 'tcp' | 'relp'
  target: string
  port: number
  /** StreamDriverMode 1 / tls="on" (omrelp). */
  tls: boolean
  /** The selector in front of the action, when on the same statement (e.g. "*.*"). */
  selector?: string
  /** action() parameters as written (lower-cased keys). */
  params: Record<string, string>
}

export interface LogInput {
  file?: string
  line: number
  protocol: 'udp' | 'tcp' | 'relp'
  port?: number
}

export interface RsyslogConfig {
  files: string[]
  forwards: LogForward[]
  inputs: LogInput[]
  /** Modules loaded (module(load=…) and $ModLoad). */
  modules: string[]
}

/** Removes comments, keeping line structure (so line numbers stay right). */
export function stripRsyslogComments(text: string): string {
  const out: string[] = []
  const n = text.length
  let i = 0
  while (i < n) {
    SPECIAL.lastIndex = i
    const k = SPECIAL.exec(text)?.index ?? n
    const c = text[k]
    if (c === undefined) {
      out.push(text.slice(i))
      break
    }
    if (c === '#') {
      out.push(text.slice(i, k))
      const nl = text.indexOf('\n', k)
      i = nl < 0 ? n : nl
    } else if (c === '/') {
      if (text[k + 1] !== '*') {
        out.push(text.slice(i, k + 1))
        i = k + 1
        continue
      }
      out.push(text.slice(i, k))
      const end = text.indexOf('*/', k + 2)
      const stop = end < 0 ? n : end + 2
      out.push(text.slice(k, stop).replace(/[^\n]/g, ' '))
      i = stop
    } else {
      // A quoted string, kept as is; a backslash escapes the next character, and a stray
      // apostrophe must not swallow the rest of the file: quotes end at the line end.
      let j = k + 1
      for (; j < n; j++) {
        const d = text[j]
        if (d === '\\') j++
        else if (d === c || d === '\n') break
      }
      const stop = Math.min(j + 1, n)
      out.push(text.slice(i, stop))
      i = stop
    }
  }
  return out.join('')
}

// Characters that start a quote or a comment (a `/` only with `*` after it).
const SPECIAL = /["'#/]/g

function lineAt(text: string, index: number): number {
  let n = 1
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') n++
  return n
}

/** Parameters of a RainerScript object body: name="value" pairs. */
function paramsOf(body: string): Record<string, string> {
  const params = dict<string>()
  for (const m of body.matchAll(/([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s)]+))/g)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? ''
  }
  return params
}

/** Finds `name( … )` objects, with quotes respected, returning body and offset. */
const OBJECT_START: Record<'action' | 'module' | 'input', RegExp> = {
  action: /\baction\s*\(/gi,
  module: /\bmodule\s*\(/gi,
  input: /\binput\s*\(/gi,
}

function objects(text: string, name: keyof typeof OBJECT_START): {body: string; index: number}[] {
  const out: {body: string; index: number}[] = []
  for (const m of text.matchAll(OBJECT_START[name])) {
    const start = (m.index ?? 0) + m[0].length
    let quote: string | null = null
    let i = start
    for (; i < text.length; i++) {
      const c = text[i]
      if (quote) {
        if (c === '\\') i++
        else if (c === quote) quote = null
      } else if (c === '"' || c === "'") quote = c
      else if (c === ')') break
    }
    out.push({body: text.slice(start, i), index: m.index ?? 0})
  }
  return out
}

function protocolOf(v: string | undefined): 'udp' | 'tcp' {
  return v?.toLowerCase() === 'tcp' ? 'tcp' : 'udp'
}

/** Parses one rsyslog configuration text. */
export function parseRsyslogText(text: string, file?: string): Omit<RsyslogConfig, 'files'> {
  const clean = stripRsyslogComments(text)
  const forwards: LogForward[] = []
  const inputs: LogInput[] = []
  const modules: string[] = []

  for (const o of objects(clean, 'action')) {
    const params = paramsOf(o.body)
    const type = params['type']?.toLowerCase()
    if (type !== 'omfwd' && type !== 'omrelp') continue
    const lineStart = clean.lastIndexOf('\n', o.index) + 1
    const before = clean.slice(lineStart, o.index).trim()
    const relp = type === 'omrelp'
    forwards.push({
      file,
      line: lineAt(clean, o.index),
      syntax: 'rainerscript',
      protocol: relp ? 'relp' : protocolOf(params['protocol']),
      target: params['target'] ?? '',
      port: toInt(params['port']) ?? (relp ? 2514 : 514),
      tls: relp ? toBool(params['tls']) === true : params['streamdrivermode'] === '1',
      selector: before !== '' && !/[(){}]/.test(before) ? before : undefined,
      params,
    })
  }
  for (const o of objects(clean, 'module')) {
    const load = paramsOf(o.body)['load']
    if (load) modules.push(load)
  }
  for (const o of objects(clean, 'input')) {
    const params = paramsOf(o.body)
    const type = params['type']?.toLowerCase()
    const protocol =
      type === 'imtcp' ? 'tcp' : type === 'imudp' ? 'udp' : type === 'imrelp' ? 'relp' : undefined
    if (protocol) inputs.push({file, line: lineAt(clean, o.index), protocol, port: toInt(params['port'])})
  }

  const ls = clean.split('\n')
  for (let i = 0; i < ls.length; i++) {
    const t = (ls[i] ?? '').trim()
    if (t === '') continue
    const dollar = /^\$(\w+)\s*(.*)$/.exec(t)
    if (dollar) {
      const [, directive = '', arg = ''] = dollar
      const d = directive.toLowerCase()
      if (d === 'modload') modules.push(arg.trim().split(/\s+/)[0] ?? '')
      const proto =
        d === 'inputtcpserverrun'
          ? 'tcp'
          : d === 'udpserverrun'
            ? 'udp'
            : d === 'inputrelpserverrun'
              ? 'relp'
              : undefined
      if (proto) inputs.push({file, line: i + 1, protocol: proto, port: toInt(arg.trim().split(/\s+/)[0])})
      continue
    }
    // Legacy action: selector, blanks, then @ or @@.
    const legacy = /^(\S+)\s+(@@?)(\([^)]*\))?(\[[^\]]+\]|[^\s:;]+)(?::(\d+))?(?:;(\S+))?/.exec(t)
    if (legacy) {
      const [, selector, at = '@', , host = '', port, template] = legacy
      forwards.push({
        file,
        line: i + 1,
        syntax: 'legacy',
        protocol: at === '@@' ? 'tcp' : 'udp',
        target: host.replace(/^\[|\]$/g, ''),
        port: toInt(port) ?? 514,
        tls: false,
        selector,
        params: template ? {template} : {},
      })
    }
  }
  return {forwards, inputs, modules}
}

export function parseRsyslogFiles(files: readonly {name: string; body: string}[]): RsyslogConfig {
  const parsed = files.map((f) => parseRsyslogText(f.body, f.name))
  return {
    files: files.map((f) => f.name),
    forwards: parsed.flatMap((p) => p.forwards),
    inputs: parsed.flatMap((p) => p.inputs),
    modules: [...new Set(parsed.flatMap((p) => p.modules))],
  }
}

export const rsyslog = defineGatherer<RsyslogConfig>({
  id: 'rsyslog',
  description: 'rsyslog forwarding targets and network inputs (/etc/rsyslog.conf, /etc/rsyslog.d/*.conf)',
  command: 'cat /etc/rsyslog.conf /etc/rsyslog.d/*.conf',
  script: filesScript(['/etc/rsyslog.conf', '/etc/rsyslog.d/*.conf']),
  whenAbsent: 'no /etc/rsyslog.conf or /etc/rsyslog.d/*.conf on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout).filter((p) => p.exitCode === 0)
    if (parts.length === 0) throw new ParseError('no readable rsyslog configuration file in output')
    return parseRsyslogFiles(parts)
  },
})
