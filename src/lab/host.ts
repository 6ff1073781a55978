/**
 * Host-side plumbing: bridges, network namespaces and veth pairs (all named with
 * the lab prefix), and the processes living in those namespaces. Nothing here
 * touches an interface, namespace or process that is not the lab's: links and
 * namespaces are selected by prefix, processes by the namespace they run in.
 */
import {
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
  existsSync,
  rmdirSync,
} from 'node:fs'

import {mustRun, runLocal, sleep} from './exec.js'
import {PREFIX, type NetDef, type NodeDef} from './topology.js'

const NETNS_DIR = '/run/netns'

export function listLabNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((n) => n.startsWith(PREFIX))
  } catch {
    return []
  }
}

interface IpLink {
  ifname: string
  link_type?: string
  linkinfo?: {info_kind?: string}
}

export async function listLabLinks(): Promise<string[]> {
  const r = await runLocal('ip', ['-j', 'link', 'show'])
  if (r.exitCode !== 0) return []
  const links = JSON.parse(r.stdout || '[]') as IpLink[]
  return links.map((l) => l.ifname).filter((n) => n.startsWith(PREFIX))
}

/** The inode of a namespace file, to compare with /proc/PID/ns/net. */
function nsInode(path: string): number | undefined {
  try {
    return statSync(path).ino
  } catch {
    return undefined
  }
}

/** PIDs of the processes whose network namespace is the lab namespace `ns`. */
export function pidsInNamespace(ns: string): number[] {
  const ino = nsInode(`${NETNS_DIR}/${ns}`)
  if (ino === undefined) return []
  const out: number[] = []
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const link = readlinkSync(`/proc/${e}/ns/net`)
      if (link === `net:[${ino}]`) out.push(Number(e))
    } catch {
      // exited, or a kernel thread
    }
  }
  return out
}

/** Whether `pid` is alive and runs in the lab namespace `ns` (guards against PID reuse). */
export function pidInNamespace(pid: number, ns: string): boolean {
  const ino = nsInode(`${NETNS_DIR}/${ns}`)
  if (ino === undefined) return false
  try {
    if (readlinkSync(`/proc/${pid}/ns/net`) !== `net:[${ino}]`) return false
    // A zombie still has /proc/PID but no namespaces; State: Z means gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Creates the bridges, namespaces and veth pairs of a lab in one `ip -batch` call. */
export async function createNetwork(nets: readonly NetDef[], nodes: readonly NodeDef[]): Promise<void> {
  const b: string[] = []
  for (const n of nets) {
    b.push(`link add ${n.bridge} type bridge`)
    b.push(`link set dev ${n.bridge} addrgenmode none`)
    if (n.hostAddr) b.push(`address add ${n.hostAddr}/24 dev ${n.bridge}`)
    b.push(`link set dev ${n.bridge} up`)
  }
  const bridgeOf = new Map(nets.map((n) => [n.name, n.bridge]))
  for (const node of nodes) {
    b.push(`netns add ${node.netns}`)
    for (const f of node.ifaces) {
      b.push(`link add ${f.hostVeth} type veth peer name ${f.dev} netns ${node.netns}`)
      b.push(`link set dev ${f.hostVeth} addrgenmode none`)
      b.push(`link set dev ${f.hostVeth} master ${bridgeOf.get(f.net)} up`)
    }
    if (node.bmc) {
      b.push(`netns add ${node.bmc.netns}`)
      b.push(`link add ${node.bmc.hostVeth} type veth peer name eth0 netns ${node.bmc.netns}`)
      b.push(`link set dev ${node.bmc.hostVeth} addrgenmode none`)
      b.push(`link set dev ${node.bmc.hostVeth} master ${bridgeOf.get('management')} up`)
    }
  }
  await mustRun('ip', ['-batch', '-'], {input: b.join('\n') + '\n'})
  // BMC namespaces: one address, up (node namespaces are configured by their own init at power-on).
  await Promise.all(
    nodes
      .filter((n) => n.bmc)
      .map(async (n) => {
        const bmc = n.bmc as NonNullable<NodeDef['bmc']>
        await mustRun('ip', ['netns', 'exec', bmc.netns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'])
        await mustRun('ip', ['-n', bmc.netns, '-batch', '-'], {
          input: `link set dev lo up\naddress add ${bmc.addr}/24 dev eth0\nlink set dev eth0 up\n`,
        })
      }),
  )
}

export interface TeardownReport {
  killed: number
  namespaces: string[]
  links: string[]
}

/**
 * Removes everything of a lab that can be identified: processes in lab namespaces
 * (BMC namespaces first, so nothing powers a node back on), the namespaces, and the
 * lab's host links. Safe to run again and again, and on a half-built lab.
 */
export async function teardownHost(
  knownNamespaces: readonly string[],
  knownPids: readonly number[],
): Promise<TeardownReport> {
  const namespaces = [
    ...new Set([...knownNamespaces.filter((n) => n.startsWith(PREFIX)), ...listLabNamespaces()]),
  ]
  // BMC namespaces first: their ipmi_sim / power scripts would otherwise restart nodes.
  namespaces.sort((a, b) => Number(b.includes('bmc')) - Number(a.includes('bmc')))
  let killed = 0
  for (const pid of knownPids) {
    // Recorded PIDs are only killed while they still live in a lab namespace.
    if (namespaces.some((ns) => pidInNamespace(pid, ns))) {
      killPid(pid)
      killed++
    }
  }
  for (let round = 0; round < 50; round++) {
    let left = 0
    for (const ns of namespaces) {
      for (const pid of pidsInNamespace(ns)) {
        if (!pidInNamespace(pid, ns)) continue
        killPid(pid)
        killed++
        left++
      }
    }
    if (left === 0) break
    await sleep(50)
  }
  for (const ns of namespaces) {
    if (existsSync(`${NETNS_DIR}/${ns}`)) await runLocal('ip', ['netns', 'delete', ns])
  }
  const links = await listLabLinks()
  // Deleting a bridge or one end of a veth pair removes the other end too.
  for (const l of links) await runLocal('ip', ['link', 'delete', l])
  // `ip netns add` made /run/netns a mount point; remove it once nothing else uses it.
  try {
    if (existsSync(NETNS_DIR) && readdirSync(NETNS_DIR).length === 0) {
      await runLocal('umount', [NETNS_DIR])
      rmdirSync(NETNS_DIR)
    }
  } catch {
    // busy or already gone: harmless
  }
  return {killed, namespaces, links}
}

/** Reads a node's init (PID 1 of its PID namespace) from the file bmc-power.sh writes. */
export function readPidFile(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
    return Number.isInteger(n) && n > 1 ? n : undefined
  } catch {
    return undefined
  }
}

export function writeFileIfChanged(path: string, content: string, mode: number): boolean {
  try {
    if (readFileSync(path, 'utf8') === content) return false
  } catch {
    // missing
  }
  writeFileSync(path, content, {mode})
  return true
}
