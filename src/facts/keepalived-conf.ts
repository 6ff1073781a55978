/**
 * keepalived-conf: keepalived's configuration (/etc/keepalived/keepalived.conf
 * and /etc/keepalived/conf.d/*.conf) as blocks, with what the VRRP checks read:
 * every vrrp_instance (state, interface, virtual_router_id, priority,
 * nopreempt / preempt_delay, unicast_src_ip and unicast_peer, authentication
 * type, virtual_ipaddress with its dev, track_script / track_process /
 * track_interface) and the vrrp_script / vrrp_track_process definitions they
 * name.
 *
 * Grammar (keepalived's own reader): words split on blanks; `!` or `#` starts
 * a comment; `{` and `}` are words of their own (also when glued: `peer{`);
 * a word followed by `{` opens a block named by that line's first word;
 * `"…"` quotes (a vrrp_script's `script "cmd args"`). `include` lines are kept
 * as directives (the files of conf.d are read as parts anyway).
 *
 * Secrets: the snippet replaces the value of every `auth_pass` with
 * `(redacted)` ON THE NODE, so the password never reaches hacheck, its logs or
 * a capture; the parser only learns that a password is set.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {splitParts} from './parts.js'
import {toInt} from './util.js'

export interface KaNode {
  keyword: string
  args: string[]
  file?: string
  line: number
  /** Present for blocks. */
  children?: KaNode[]
}

export interface KaVip {
  address: string
  /** CIDR prefix as written (/24), when written. */
  prefix?: number
  dev?: string
  raw: string
}

export interface VrrpInstanceConf {
  name: string
  file?: string
  line: number
  state?: string
  interface?: string
  virtualRouterId?: number
  priority?: number
  advertIntS?: number
  nopreempt: boolean
  preemptDelayS?: number
  unicastSrcIp?: string
  unicastPeers: string[]
  /** PASS | AH, when an authentication block is present. */
  authType?: string
  authPassSet: boolean
  vips: KaVip[]
  trackScripts: string[]
  trackProcesses: string[]
  trackInterfaces: string[]
  /** What re-announces the VIP after a healed split (instance keywords; the global_defs defaults apply when unset). */
  readvert: ReadvertConf
}

/**
 * The settings that decide whether clients follow the VIP when two MASTERs of a healed split hear each other
 * (global_defs vrrp_* names, or the vrrp_instance names without the prefix). Unset = keepalived's default.
 */
export interface ReadvertConf {
  /** higher_prio_send_advert: the MASTER that steps down sends one last advert first. */
  higherPrioSendAdvert?: boolean
  /** garp_lower_prio_repeat: gratuitous ARPs sent by a MASTER that hears a lower priority (0 = none). */
  garpLowerPrioRepeat?: number
  /** garp_master_repeat (the default of garp_lower_prio_repeat). */
  garpMasterRepeat?: number
  /** garp_master_refresh, seconds: gratuitous ARPs repeated while MASTER (0 = never). */
  garpMasterRefreshS?: number
}

export interface VrrpScriptConf {
  name: string
  script?: string
  intervalS?: number
  fall?: number
  rise?: number
  weight?: number
}

export interface VrrpTrackProcessConf {
  name: string
  process?: string
  quorum?: number
  weight?: number
}

export interface KeepalivedConf {
  files: string[]
  routerId?: string
  enableScriptSecurity: boolean
  /** vrrp_strict: keepalived refuses higher_prio_send_advert and the GARP repeats with it. */
  strict: boolean
  /** The global_defs defaults of the re-announcing settings. */
  readvert: ReadvertConf
  instances: VrrpInstanceConf[]
  scripts: VrrpScriptConf[]
  trackProcesses: VrrpTrackProcessConf[]
}

const REDACTED = '(redacted)'

/** Words of one line: comments removed, braces split off, double quotes kept together. */
export function keepalivedWords(line: string, lineNo = 0): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  const flush = (): void => {
    if (inWord) out.push(cur)
    cur = ''
    inWord = false
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? ''
    if (c === '"') {
      const end = line.indexOf('"', i + 1)
      if (end < 0) throw new ParseError('unterminated " quote', lineNo)
      cur += line.slice(i + 1, end)
      inWord = true
      i = end
      continue
    }
    if ((c === '!' || c === '#') && !inWord) break
    if (c === ' ' || c === '\t' || c === '\r') {
      flush()
      continue
    }
    if (c === '{' || c === '}') {
      flush()
      out.push(c)
      continue
    }
    cur += c
    inWord = true
  }
  flush()
  return out
}

/** Parses one file's text into a tree of directives and blocks. */
export function parseKeepalivedTree(text: string, file?: string): KaNode[] {
  const root: KaNode[] = []
  const stack: KaNode[][] = [root]
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const words = keepalivedWords(lines[i] ?? '', i + 1)
    let j = 0
    while (j < words.length) {
      const w = words[j] as string
      const top = stack[stack.length - 1] as KaNode[]
      if (w === '}') {
        if (stack.length === 1) throw new ParseError('"}" without an open block', i + 1)
        stack.pop()
        j++
        continue
      }
      if (w === '{') {
        // A block whose opening brace is on its own line: it belongs to the previous directive.
        const prev = top[top.length - 1]
        if (!prev || prev.children) throw new ParseError('"{" without a block name', i + 1)
        prev.children = []
        stack.push(prev.children)
        j++
        continue
      }
      // A directive runs to the end of the line or to the next brace.
      const args: string[] = []
      let k = j + 1
      while (k < words.length && words[k] !== '{' && words[k] !== '}') args.push(words[k++] as string)
      const node: KaNode = {keyword: w, args, file, line: i + 1}
      top.push(node)
      if (words[k] === '{') {
        node.children = []
        stack.push(node.children)
        k++
      }
      j = k
    }
  }
  if (stack.length !== 1)
    throw new ParseError(`${stack.length - 1} block(s) not closed at the end of ${file ?? 'the file'}`)
  return root
}

const one = (n: KaNode | undefined): string | undefined => n?.args[0]
const child = (b: KaNode, kw: string): KaNode | undefined => b.children?.find((c) => c.keyword === kw)
/** The names listed in a block, one per line (`unicast_peer { 198.18.2.42 }`, `track_script { chk weight -20 }`). */
const listed = (b: KaNode | undefined): string[] => (b?.children ?? []).map((c) => c.keyword)

function vipOf(n: KaNode): KaVip {
  const [addr = '', ...rest] = [n.keyword, ...n.args]
  const m = /^([^/]+)(?:\/(\d+))?$/.exec(addr)
  const devAt = rest.indexOf('dev')
  const vip: KaVip = {address: m?.[1] ?? addr, raw: [n.keyword, ...n.args].join(' ')}
  if (m?.[2] !== undefined) vip.prefix = Number(m[2])
  if (devAt >= 0 && rest[devAt + 1] !== undefined) vip.dev = rest[devAt + 1]
  return vip
}

/** keepalived's <BOOL>: the keyword alone is true; else on|off|true|false|yes|no. */
function boolOf(n: KaNode | undefined): boolean | undefined {
  if (!n) return undefined
  const v = n.args[0]?.toLowerCase()
  return v === undefined || v === 'on' || v === 'true' || v === 'yes'
}

/** The re-announcing settings of a block, by keyword prefix ('vrrp_' in global_defs, '' in an instance). */
function readvertOf(find: (kw: string) => KaNode | undefined, prefix: string): ReadvertConf {
  const r: ReadvertConf = {}
  const send = boolOf(find(`${prefix}higher_prio_send_advert`))
  if (send !== undefined) r.higherPrioSendAdvert = send
  const int = (kw: string): number | undefined => toInt(one(find(`${prefix}${kw}`)))
  const lower = int('garp_lower_prio_repeat')
  if (lower !== undefined) r.garpLowerPrioRepeat = lower
  const rep = int('garp_master_repeat')
  if (rep !== undefined) r.garpMasterRepeat = rep
  const refresh = int('garp_master_refresh')
  if (refresh !== undefined) r.garpMasterRefreshS = refresh
  return r
}

function instanceOf(b: KaNode): VrrpInstanceConf {
  const auth = child(b, 'authentication')
  const delay = child(b, 'preempt_delay')
  const inst: VrrpInstanceConf = {
    name: b.args[0] ?? '',
    file: b.file,
    line: b.line,
    state: one(child(b, 'state')),
    interface: one(child(b, 'interface')),
    virtualRouterId: toInt(one(child(b, 'virtual_router_id'))),
    priority: toInt(one(child(b, 'priority'))),
    advertIntS: one(child(b, 'advert_int')) === undefined ? undefined : Number(one(child(b, 'advert_int'))),
    nopreempt: child(b, 'nopreempt') !== undefined,
    unicastSrcIp: one(child(b, 'unicast_src_ip')),
    unicastPeers: listed(child(b, 'unicast_peer')),
    authPassSet: false,
    vips: (child(b, 'virtual_ipaddress')?.children ?? []).map(vipOf),
    trackScripts: listed(child(b, 'track_script')),
    trackProcesses: listed(child(b, 'track_process')),
    trackInterfaces: listed(child(b, 'track_interface')),
    readvert: readvertOf((kw) => child(b, kw), ''),
  }
  if (delay) inst.preemptDelayS = delay.args[0] === undefined ? 0 : Number(delay.args[0])
  if (auth) {
    inst.authType = one(child(auth, 'auth_type'))?.toUpperCase()
    inst.authPassSet = one(child(auth, 'auth_pass')) !== undefined
  }
  return inst
}

/** The typed view over the trees of every file. */
export function keepalivedConfOf(trees: {file?: string; nodes: KaNode[]}[]): KeepalivedConf {
  const all = trees.flatMap((t) => t.nodes)
  const blocks = (kw: string): KaNode[] => all.filter((n) => n.keyword === kw && n.children)
  const global = blocks('global_defs')
  const globalKw = (kw: string): KaNode | undefined =>
    global.flatMap((g) => g.children ?? []).find((c) => c.keyword === kw)
  return {
    files: trees.map((t) => t.file ?? ''),
    routerId: one(globalKw('router_id')),
    enableScriptSecurity: globalKw('enable_script_security') !== undefined,
    strict: boolOf(globalKw('vrrp_strict')) === true,
    readvert: readvertOf(globalKw, 'vrrp_'),
    instances: blocks('vrrp_instance').map(instanceOf),
    scripts: blocks('vrrp_script').map((b) => ({
      name: b.args[0] ?? '',
      script: child(b, 'script')?.args.join(' '),
      intervalS: toInt(one(child(b, 'interval'))),
      fall: toInt(one(child(b, 'fall'))),
      rise: toInt(one(child(b, 'rise'))),
      weight: toInt(one(child(b, 'weight'))),
    })),
    trackProcesses: blocks('vrrp_track_process').map((b) => ({
      name: b.args[0] ?? '',
      process: one(child(b, 'process')),
      quorum: toInt(one(child(b, 'quorum'))),
      weight: toInt(one(child(b, 'weight'))),
    })),
  }
}

export function parseKeepalivedConf(text: string, file?: string): KeepalivedConf {
  return keepalivedConfOf([{file, nodes: parseKeepalivedTree(text, file)}])
}

export {REDACTED as KEEPALIVED_REDACTED}

const FILES = '/etc/keepalived/keepalived.conf /etc/keepalived/conf.d/*.conf'

export const keepalivedConf = defineGatherer<KeepalivedConf>({
  id: 'keepalived-conf',
  command: 'cat /etc/keepalived/keepalived.conf /etc/keepalived/conf.d/*.conf (auth_pass redacted)',
  description: 'keepalived configuration: VRRP instances, priorities, peers, authentication, tracking',
  script: [
    `n=0; for f in ${FILES}; do [ -f "$f" ] || continue; n=$((n+1))`,
    `printf '@@hacheck-part:begin %s@@\\n' "$f"`,
    // auth_pass never leaves the node.
    `sed -E 's/^([[:space:]]*auth_pass[[:space:]]+)[^[:space:]!#]+/\\1${REDACTED}/' -- "$f"`,
    `printf '\\n@@hacheck-part:end %d@@\\n' $?; done`,
    `[ "$n" -gt 0 ] || exit ${ABSENT_RC}`,
  ].join('; '),
  whenAbsent: 'no /etc/keepalived/keepalived.conf on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout).filter((p) => p.exitCode === 0)
    if (parts.length === 0) throw new ParseError('no readable keepalived configuration file in output')
    return keepalivedConfOf(parts.map((p) => ({file: p.name, nodes: parseKeepalivedTree(p.body, p.name)})))
  },
})
