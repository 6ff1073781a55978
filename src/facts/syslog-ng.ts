/**
 * syslog-ng: network destinations of syslog-ng (/etc/syslog-ng/syslog-ng.conf
 * and conf.d/*.conf): network(), syslog(), tcp(), udp(), tcp6(), udp6()
 * drivers inside `destination NAME { … };` blocks, with host, port, transport
 * and whether a log path uses the destination.
 *
 * Simple by design: comments (#) are removed, blocks are matched by braces,
 * driver options are read with regular expressions. Exotic forms (templates,
 * @include of non-standard paths, `inner-dest`) are not followed.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, splitParts} from './parts.js'
import {toInt} from './util.js'

export interface SyslogNgDestination {
  name: string
  driver: string
  host: string
  port?: number
  transport?: string
  tls: boolean
  /** Referenced by a log { destination(NAME); } path. */
  used: boolean
  file?: string
}

export interface SyslogNgConfig {
  files: string[]
  destinations: SyslogNgDestination[]
}

const DRIVERS = /\b(network|syslog|tcp6?|udp6?)\s*\(\s*(?:"([^"]+)"|'([^']+)'|([\w.:-]+))([^;]*?)\)\s*;/g

function withoutComments(text: string): string {
  return text
    .split('\n')
    .map((l) => {
      const q = l.search(/#/)
      if (q < 0) return l
      // keep a # inside quotes
      const before = l.slice(0, q)
      return (before.match(/"/g) ?? []).length % 2 === 0 ? before : l
    })
    .join('\n')
}

function blockAfter(text: string, open: number): string {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}') {
      depth--
      if (depth === 0) return text.slice(open + 1, i)
    }
  }
  return text.slice(open + 1)
}

export function parseSyslogNgText(
  text: string,
  file?: string,
): {destinations: SyslogNgDestination[]; used: Set<string>} {
  const clean = withoutComments(text)
  const destinations: SyslogNgDestination[] = []
  for (const m of clean.matchAll(/\bdestination\s+([\w-]+)\s*\{/g)) {
    const body = blockAfter(clean, (m.index ?? 0) + m[0].length - 1)
    for (const d of body.matchAll(DRIVERS)) {
      const opts = d[5] ?? ''
      const transport = /transport\s*\(\s*"?([\w-]+)"?\s*\)/.exec(opts)?.[1]
      destinations.push({
        name: m[1] ?? '',
        driver: d[1] ?? '',
        host: d[2] ?? d[3] ?? d[4] ?? '',
        port: toInt(/\bport\s*\(\s*(\d+)\s*\)/.exec(opts)?.[1]),
        transport:
          transport ?? (d[1]?.startsWith('tcp') ? 'tcp' : d[1]?.startsWith('udp') ? 'udp' : undefined),
        tls: transport === 'tls' || /\btls\s*\(/.test(opts),
        used: false,
        file,
      })
    }
  }
  const used = new Set<string>()
  for (const m of clean.matchAll(/\blog\s*\{/g)) {
    const body = blockAfter(clean, (m.index ?? 0) + m[0].length - 1)
    for (const r of body.matchAll(/\bdestination\s*\(\s*([\w-]+)\s*\)/g)) used.add(r[1] ?? '')
  }
  return {destinations, used}
}

export function parseSyslogNgFiles(files: readonly {name: string; body: string}[]): SyslogNgConfig {
  const parsed = files.map((f) => parseSyslogNgText(f.body, f.name))
  const used = new Set(parsed.flatMap((p) => [...p.used]))
  return {
    files: files.map((f) => f.name),
    destinations: parsed.flatMap((p) => p.destinations).map((d) => ({...d, used: used.has(d.name)})),
  }
}

export const syslogNg = defineGatherer<SyslogNgConfig>({
  id: 'syslog-ng',
  description: 'syslog-ng network destinations (/etc/syslog-ng/syslog-ng.conf, conf.d)',
  command: 'cat /etc/syslog-ng/syslog-ng.conf /etc/syslog-ng/conf.d/*.conf',
  script: filesScript(['/etc/syslog-ng/syslog-ng.conf', '/etc/syslog-ng/conf.d/*.conf']),
  whenAbsent: 'no /etc/syslog-ng/syslog-ng.conf on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout).filter((p) => p.exitCode === 0)
    if (parts.length === 0) throw new ParseError('no readable syslog-ng configuration file in output')
    return parseSyslogNgFiles(parts)
  },
})
