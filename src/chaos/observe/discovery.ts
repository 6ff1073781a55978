/**
 * Read-only discovery before a fault is planned: the node's addresses, the
 * controller's address as the node sees it (SSH_CONNECTION), qdiscs, whether
 * a HACHECK chain is already there, and Corosync's view (ring addresses,
 * token timings). Parsing is pure; `discoverNode` runs two commands.
 */
import type {CommandRunner, NodeSpec} from '../../core/types.js'
import {IncompleteError} from '../../core/errors.js'
import {
  parseCmap,
  ringAddrsOf,
  totemTimings,
  type Cmap,
  type TotemTimings,
} from '../../facts/corosync-cmapctl.js'
import {flatAddresses, parseIpAddr, type IfAddr} from '../../facts/ip-addr.js'
import {parseQdiscs, type Qdisc} from '../../facts/tc-qdisc.js'
import {CHAIN} from '../plan/types.js'

export interface SshConnection {
  clientAddress: string
  clientPort: number
  serverAddress: string
  serverPort: number
}

export interface NodeFacts {
  node: string
  ssh?: SshConnection
  addrs: IfAddr[]
  qdiscs: Qdisc[]
  chainPresent: boolean
  /** Corosync ring addresses of this node (nodelist ringX_addr), when corosync-cmapctl answered. */
  ringAddrs: string[]
  totem: TotemTimings
  /** Corosync's map as read (nodelist, totem): the cluster's identity comes from it. */
  cmap?: Cmap
}

export type {Qdisc}

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
    addrs = flatAddresses(parseIpAddr((s.addr ?? '[]').trim() || '[]'))
  } catch {
    addrs = []
  }
  let cmap: Cmap | undefined
  try {
    cmap = parseCmap(s.cmap ?? '')
  } catch {
    cmap = undefined
  }
  return {
    node,
    ssh: parseSshConnection(sshEnv),
    addrs,
    qdiscs: parseQdiscs((s.qdisc ?? '[]').trim() || '[]'),
    chainPresent: (s.chain ?? '').trim() === 'present',
    ringAddrs: cmap
      ? ringAddrsOf(
          cmap,
          node,
          addrs.map((a) => a.address),
        )
      : [],
    totem: cmap ? totemTimings(cmap) : {},
    ...(cmap ? {cmap} : {}),
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
