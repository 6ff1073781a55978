/**
 * Read-only discovery before a fault is planned: the node's addresses, the
 * controller's address as the node sees it (SSH_CONNECTION), qdiscs, whether
 * a HACHECK chain is already there, and Corosync's view (ring addresses,
 * token timings). Parsing is pure; `discoverNode` runs two commands.
 */
import type {CommandRunner, NodeSpec} from '../core/types.js'
import {IncompleteError} from '../core/errors.js'
import {parseTotem, type Totem} from './cluster-state.js'
import {parseIpAddr, type IfAddr} from './net.js'
import {CHAIN} from './types.js'

export interface SshConnection {
  clientAddress: string
  clientPort: number
  serverAddress: string
  serverPort: number
}

export interface Qdisc {
  dev: string
  kind: string
  handle: string
  root: boolean
}

export interface NodeFacts {
  node: string
  ssh?: SshConnection
  addrs: IfAddr[]
  qdiscs: Qdisc[]
  chainPresent: boolean
  /** Corosync ring addresses of this node (nodelist ringX_addr), when corosync-cmapctl answered. */
  ringAddrs: string[]
  totem: Totem
}

export function parseSshConnection(text: string): SshConnection | undefined {
  const m = /^(\S+) (\d+) (\S+) (\d+)\s*$/.exec(text.trim())
  if (!m) return undefined
  return {
    clientAddress: m[1] as string,
    clientPort: Number(m[2]),
    serverAddress: m[3] as string,
    serverPort: Number(m[4]),
  }
}

interface TcJson {
  kind?: string
  handle?: string
  dev?: string
  root?: boolean
  parent?: string
}

export function parseQdiscs(json: string): Qdisc[] {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    return []
  }
  if (!Array.isArray(data)) return []
  return (data as TcJson[]).map((q) => ({
    dev: q.dev ?? '?',
    kind: q.kind ?? '?',
    handle: q.handle ?? '',
    root: q.root === true || q.parent === undefined,
  }))
}

/** Sections of the discovery script's output, split on `@@name` lines. */
export function splitSections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {}
  let name = ''
  for (const line of stdout.split('\n')) {
    const m = /^@@(\S+)$/.exec(line)
    if (m) {
      name = m[1] as string
      out[name] = ''
      continue
    }
    if (name) out[name] += `${line}\n`
  }
  return out
}

/** The node's own ring addresses, from `corosync-cmapctl nodelist` lines. */
export function parseRingAddrs(cmap: string, nodeName: string, addrs: readonly string[]): string[] {
  const byIndex = new Map<string, {name?: string; rings: string[]}>()
  for (const line of cmap.split('\n')) {
    const m = /^nodelist\.node\.(\d+)\.(\w+) \([a-z0-9]+\) = (.*)$/.exec(line.trim())
    if (!m) continue
    const [, idx = '', key = '', value = ''] = m
    const e = byIndex.get(idx) ?? {rings: []}
    if (key === 'name') e.name = value
    else if (/^ring\d+_addr$/.test(key)) e.rings.push(value)
    byIndex.set(idx, e)
  }
  for (const e of byIndex.values()) {
    if (e.name === nodeName || e.rings.some((r) => addrs.includes(r))) return e.rings
  }
  return []
}

export const DISCOVERY_SCRIPT = [
  '@@addr',
  'ip -j addr 2>/dev/null || echo "[]"',
  '@@qdisc',
  'tc -j qdisc show 2>/dev/null || echo "[]"',
  '@@chain',
  `iptables -w 5 -S ${CHAIN} >/dev/null 2>&1 && echo present || echo absent`,
  '@@cmap',
  "corosync-cmapctl 2>/dev/null | grep -E '^(nodelist\\.node\\.|runtime\\.config\\.totem\\.|totem\\.)' || true",
]
  .map((l) => (l.startsWith('@@') ? `echo ${l}` : l))
  .join('\n')

export function parseDiscovery(node: string, sshEnv: string, stdout: string): NodeFacts {
  const s = splitSections(stdout)
  let addrs: IfAddr[] = []
  try {
    addrs = parseIpAddr((s.addr ?? '[]').trim() || '[]')
  } catch {
    addrs = []
  }
  const cmap = s.cmap ?? ''
  return {
    node,
    ssh: parseSshConnection(sshEnv),
    addrs,
    qdiscs: parseQdiscs((s.qdisc ?? '[]').trim() || '[]'),
    chainPresent: (s.chain ?? '').trim() === 'present',
    ringAddrs: parseRingAddrs(
      cmap,
      node,
      addrs.map((a) => a.address),
    ),
    totem: parseTotem(cmap),
  }
}

export async function discoverNode(
  runner: CommandRunner,
  node: NodeSpec,
  abort?: AbortSignal,
): Promise<NodeFacts> {
  // SSH_CONNECTION is read without sudo: sudo's env_reset would drop it.
  const ssh = await runner.run(node, {script: 'echo "${SSH_CONNECTION:-}"', timeoutMs: 15_000}, abort)
  const r = await runner.run(node, {script: DISCOVERY_SCRIPT, sudo: true, timeoutMs: 20_000}, abort)
  if (r.exitCode !== 0) {
    throw new IncompleteError(
      `discovery on ${node.name} failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 200)}`,
    )
  }
  return parseDiscovery(node.name, ssh.stdout, r.stdout)
}
