/**
 * corosync-conf: /etc/corosync/corosync.conf as a generic section tree plus
 * typed accessors for what the checks read (totem timing and links, nodelist,
 * quorum and qdevice, logging).
 *
 * The grammar is corosync's own (exec/coroparse.c): one item per line, a line
 * whose first non-blank character is "#" is a comment, "name {" opens a
 * section, "}" closes it, "key: value" sets a value (split at the first colon,
 * so IPv6 values survive). Blank lines, tabs and trailing blanks are ignored.
 * Values are kept as written; the typed view converts numbers and yes/no.
 *
 * Snippet: prints the file, or nothing with exit ABSENT_RC when there is no
 * readable corosync.conf (node without corosync): fact `not-applicable`.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {dict, toBool, toInt} from './util.js'

export interface ConfEntry {
  key: string
  value: string
  line: number
}

export interface ConfSection {
  /** Section name ("totem", "interface", "node" …); "" for the file itself. */
  name: string
  line: number
  entries: ConfEntry[]
  sections: ConfSection[]
}

export interface TotemInterface {
  /** ringnumber (corosync 2) or linknumber (corosync 3); undefined when unset. */
  number?: number
  bindnetaddr?: string
  mcastaddr?: string
  mcastport?: number
  ttl?: number
  knetLinkPriority?: number
  knetTransport?: string
  knetPingInterval?: number
  knetPingTimeout?: number
  /** Every key as written. */
  raw: Record<string, string>
}

export interface Totem {
  version?: number
  clusterName?: string
  /** As configured; unset means the version default (udp for corosync 2, knet for corosync 3). */
  transport?: string
  token?: number
  tokenCoefficient?: number
  consensus?: number
  join?: number
  tokenRetransmitsBeforeLossConst?: number
  maxMessages?: number
  rrpMode?: string
  linkMode?: string
  ipVersion?: string
  secauth?: boolean
  cryptoCipher?: string
  cryptoHash?: string
  interfaces: TotemInterface[]
  raw: Record<string, string>
}

export interface CorosyncNode {
  name?: string
  nodeid?: number
  /** ringN_addr by N (0 = ring0_addr / link 0). */
  addrs: {link: number; addr: string}[]
  raw: Record<string, string>
}

export interface QdeviceNet {
  host?: string
  port?: number
  algorithm?: string
  tls?: string
  tieBreaker?: string
  raw: Record<string, string>
}

export interface QuorumDevice {
  model?: string
  votes?: number
  timeout?: number
  syncTimeout?: number
  net?: QdeviceNet
  heuristics?: {mode?: string; raw: Record<string, string>}
  raw: Record<string, string>
}

export interface Quorum {
  provider?: string
  expectedVotes?: number
  twoNode?: boolean
  waitForAll?: boolean
  lastManStanding?: boolean
  lastManStandingWindow?: number
  autoTieBreaker?: boolean
  device?: QuorumDevice
  raw: Record<string, string>
}

export interface Logging {
  toSyslog?: boolean
  toLogfile?: boolean
  toStderr?: boolean
  logfile?: string
  syslogFacility?: string
  debug?: string
  timestamp?: string
  raw: Record<string, string>
}

export interface CorosyncConf {
  tree: ConfSection
  totem: Totem
  /** Empty when there is no nodelist (multicast clusters, fragments). */
  nodes: CorosyncNode[]
  hasNodelist: boolean
  quorum: Quorum
  logging: Logging
  /** Names of top-level sections, e.g. a legacy "service" block. */
  sectionNames: string[]
}

/** Parses corosync.conf text into a section tree; throws ParseError on unbalanced braces or stray text. */
export function parseCorosyncConfTree(text: string): ConfSection {
  const root: ConfSection = {name: '', line: 0, entries: [], sections: []}
  const stack: ConfSection[] = [root]
  const ls = text.split(/\r?\n/)
  for (let i = 0; i < ls.length; i++) {
    const lineNo = i + 1
    const t = (ls[i] ?? '').trim()
    if (t === '' || t.startsWith('#')) continue
    const current = stack[stack.length - 1] ?? root
    if (t === '}') {
      if (stack.length === 1) throw new ParseError('"}" without an open section', lineNo)
      stack.pop()
      continue
    }
    const open = /^([^{}:]*?)\s*\{$/.exec(t)
    if (open) {
      const section: ConfSection = {name: open[1] ?? '', line: lineNo, entries: [], sections: []}
      current.sections.push(section)
      stack.push(section)
      continue
    }
    const colon = t.indexOf(':')
    if (colon > 0) {
      current.entries.push({key: t.slice(0, colon).trim(), value: t.slice(colon + 1).trim(), line: lineNo})
      continue
    }
    throw new ParseError(`cannot read "${t}"`, lineNo)
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1]
    throw new ParseError(`section "${open?.name ?? ''}" is not closed`, open?.line)
  }
  return root
}

/** Last value of `key` in the section (corosync keeps the last one). */
export function confValue(section: ConfSection | undefined, key: string): string | undefined {
  if (!section) return undefined
  let v: string | undefined
  for (const e of section.entries) if (e.key === key) v = e.value
  return v
}

export function confSections(section: ConfSection | undefined, name: string): ConfSection[] {
  return section ? section.sections.filter((s) => s.name === name) : []
}

function rawOf(section: ConfSection | undefined): Record<string, string> {
  const raw = dict<string>()
  for (const e of section?.entries ?? []) raw[e.key] = e.value
  return raw
}

/** Merges same-named sections (corosync merges repeated top-level blocks). */
function merged(root: ConfSection, name: string): ConfSection | undefined {
  const all = confSections(root, name)
  if (all.length === 0) return undefined
  const first = all[0]
  if (all.length === 1 || !first) return first
  return {
    name,
    line: first.line,
    entries: all.flatMap((s) => s.entries),
    sections: all.flatMap((s) => s.sections),
  }
}

function typedTotem(s: ConfSection | undefined): Totem {
  const v = (k: string) => confValue(s, k)
  const interfaces = confSections(s, 'interface').map((i): TotemInterface => {
    const iv = (k: string) => confValue(i, k)
    return {
      number: toInt(iv('linknumber') ?? iv('ringnumber')),
      bindnetaddr: iv('bindnetaddr'),
      mcastaddr: iv('mcastaddr'),
      mcastport: toInt(iv('mcastport')),
      ttl: toInt(iv('ttl')),
      knetLinkPriority: toInt(iv('knet_link_priority')),
      knetTransport: iv('knet_transport'),
      knetPingInterval: toInt(iv('knet_ping_interval')),
      knetPingTimeout: toInt(iv('knet_ping_timeout')),
      raw: rawOf(i),
    }
  })
  return {
    version: toInt(v('version')),
    clusterName: v('cluster_name'),
    transport: v('transport'),
    token: toInt(v('token')),
    tokenCoefficient: toInt(v('token_coefficient')),
    consensus: toInt(v('consensus')),
    join: toInt(v('join')),
    tokenRetransmitsBeforeLossConst: toInt(v('token_retransmits_before_loss_const')),
    maxMessages: toInt(v('max_messages')),
    rrpMode: v('rrp_mode'),
    linkMode: v('link_mode'),
    ipVersion: v('ip_version'),
    secauth: toBool(v('secauth')),
    cryptoCipher: v('crypto_cipher'),
    cryptoHash: v('crypto_hash'),
    interfaces,
    raw: rawOf(s),
  }
}

function typedNodes(nodelist: ConfSection | undefined): CorosyncNode[] {
  return confSections(nodelist, 'node').map((n) => {
    const raw = rawOf(n)
    const addrs: {link: number; addr: string}[] = []
    for (const [k, addr] of Object.entries(raw)) {
      const m = /^ring(\d+)_addr$/.exec(k)
      if (m) addrs.push({link: Number(m[1]), addr})
    }
    addrs.sort((a, b) => a.link - b.link)
    return {name: raw['name'], nodeid: toInt(raw['nodeid']), addrs, raw}
  })
}

function typedQuorum(s: ConfSection | undefined): Quorum {
  const v = (k: string) => confValue(s, k)
  const dev = confSections(s, 'device')[0]
  let device: QuorumDevice | undefined
  if (dev) {
    const net = confSections(dev, 'net')[0]
    const heur = confSections(dev, 'heuristics')[0]
    device = {
      model: confValue(dev, 'model'),
      votes: toInt(confValue(dev, 'votes')),
      timeout: toInt(confValue(dev, 'timeout')),
      syncTimeout: toInt(confValue(dev, 'sync_timeout')),
      net: net
        ? {
            host: confValue(net, 'host'),
            port: toInt(confValue(net, 'port')),
            algorithm: confValue(net, 'algorithm'),
            tls: confValue(net, 'tls'),
            tieBreaker: confValue(net, 'tie_breaker'),
            raw: rawOf(net),
          }
        : undefined,
      heuristics: heur ? {mode: confValue(heur, 'mode'), raw: rawOf(heur)} : undefined,
      raw: rawOf(dev),
    }
  }
  return {
    provider: v('provider'),
    expectedVotes: toInt(v('expected_votes')),
    twoNode: toBool(v('two_node')),
    waitForAll: toBool(v('wait_for_all')),
    lastManStanding: toBool(v('last_man_standing')),
    lastManStandingWindow: toInt(v('last_man_standing_window')),
    autoTieBreaker: toBool(v('auto_tie_breaker')),
    device,
    raw: rawOf(s),
  }
}

function typedLogging(s: ConfSection | undefined): Logging {
  const v = (k: string) => confValue(s, k)
  return {
    toSyslog: toBool(v('to_syslog')),
    toLogfile: toBool(v('to_logfile')),
    toStderr: toBool(v('to_stderr')),
    logfile: v('logfile'),
    syslogFacility: v('syslog_facility'),
    debug: v('debug'),
    timestamp: v('timestamp'),
    raw: rawOf(s),
  }
}

/** Parses corosync.conf text; the typed view reads the tree, nothing else. */
export function parseCorosyncConf(text: string): CorosyncConf {
  const tree = parseCorosyncConfTree(text)
  const nodelist = merged(tree, 'nodelist')
  return {
    tree,
    totem: typedTotem(merged(tree, 'totem')),
    nodes: typedNodes(nodelist),
    hasNodelist: nodelist !== undefined,
    quorum: typedQuorum(merged(tree, 'quorum')),
    logging: typedLogging(merged(tree, 'logging')),
    sectionNames: tree.sections.map((s) => s.name),
  }
}

export const corosyncConf = defineGatherer<CorosyncConf>({
  id: 'corosync-conf',
  description: 'The Corosync configuration file /etc/corosync/corosync.conf',
  command: 'cat /etc/corosync/corosync.conf',
  script: `f=/etc/corosync/corosync.conf; [ -r "$f" ] || exit ${ABSENT_RC}; cat -- "$f"`,
  whenAbsent: 'no readable /etc/corosync/corosync.conf on this node',
  parse: (out) => wholeConf(parseCorosyncConf(out.stdout)),
})

/**
 * corosync does not start without a totem section: a file read from a node
 * without one was cut short (or is not corosync.conf), never a configuration
 * with every setting at its default.
 */
function wholeConf(conf: CorosyncConf): CorosyncConf {
  if (!conf.sectionNames.includes('totem'))
    throw new ParseError('no totem section: not a whole corosync.conf (cut short?)')
  return conf
}
