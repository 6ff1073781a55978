/**
 * Fleets of sshd-only nodes in network namespaces: one builder for the fleet
 * tests (prefix hkf-, bridge 198.19.64.1/20) and the benchmark (bench/fleet.ts:
 * prefix hkb-, 198.18.8.1/22, every node pinned to one core). Each node is a
 * network namespace <prefix><i> with a veth on the bridge <prefix>br and a real
 * OpenSSH sshd with its own host key and its own PID namespace (without it,
 * `ss -tlnp` on every node walks every process of the machine and the fleet
 * cost grows as N²). The prefixes and subnets collide with neither each other
 * nor the lab's 198.18.1-4.x. No route out, no NAT. Everything is torn down by
 * the PIDs this module started and by the fleet's own prefix, idempotently
 * (also before building, in case an earlier run crashed).
 */
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Where a fleet lives: its names, its subnet and (optionally) the core its processes run on. */
export interface FleetLayout {
  /** Namespace, veth and bridge name prefix ("hkf-"). */
  prefix: string
  /** The bridge's address on the host, with the subnet's length ("198.19.64.1/20"). */
  hostAddr: string
  /** Node i's address, inside that subnet. */
  address(i: number): string
  /** Pins every process of every node (sshd, its sessions, their commands) to this core list. */
  cpu?: string
  /** sshd's MaxStartups (concurrent unauthenticated connections per node). */
  maxStartups?: number
}

/** The fleet tests' layout: 198.19.64.10 … 198.19.79.254. */
export const TEST_FLEET: FleetLayout = {
  prefix: 'hkf-',
  hostAddr: '198.19.64.1/20',
  address: (i) => `198.19.${64 + Math.floor((10 + i) / 256)}.${(10 + i) % 256}`,
  maxStartups: 50,
}

/** An address on the fleet's bridge where nothing answers (an unreachable cluster). */
export const DEAD_ADDRESSES = ['198.19.79.250', '198.19.79.251']

export function canBuildNetnsFleet(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux'
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
  for (const bin of ['/usr/sbin/sshd', '/usr/bin/unshare', '/usr/bin/ssh-keygen'])
    if (!existsSync(bin)) return `${bin} is missing (Debian packages openssh-server, util-linux)`
  try {
    execFileSync('ip', ['-V'], {stdio: 'ignore'})
  } catch {
    return 'ip (iproute2) is missing'
  }
  return undefined
}

export const sh = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, {encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe']})

const quiet = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, {stdio: 'ignore'})
  } catch {
    /* already gone */
  }
}

/** The layout's namespaces that exist now. */
export function fleetNamespaces(layout: FleetLayout): string[] {
  let list = ''
  try {
    list = sh('ip', ['netns', 'list'])
  } catch {
    list = ''
  }
  return list
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(layout.prefix))
}

/** Kills the given fleet PIDs (only those: an sshd dies with its PID namespace), deletes the layout's namespaces and bridge. */
export function fleetTeardown(layout: FleetLayout, pids: readonly number[]): void {
  for (const p of pids) quiet('kill', ['-KILL', String(p)])
  for (const ns of fleetNamespaces(layout)) quiet('ip', ['netns', 'del', ns])
  quiet('ip', ['link', 'del', `${layout.prefix}br`])
}

function sshdConfig(layout: FleetLayout, a: string, nd: string, dir: string): string {
  return [
    `ListenAddress ${a}`,
    `HostKey ${join(nd, 'host')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(nd, 'pid')}`,
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    `MaxStartups ${layout.maxStartups ?? 50}`,
    'SetEnv SHLVL=1',
    '',
  ].join('\n')
}

function startNode(
  layout: FleetLayout,
  i: number,
  dir: string,
): {pid: number | undefined; host: string; known: string} {
  const ns = `${layout.prefix}${i}`
  const a = layout.address(i)
  const len = layout.hostAddr.split('/')[1] ?? '24'
  const nd = join(dir, `n${i}`)
  mkdirSync(nd)
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(nd, 'host')])
  const known = `${a} ${readFileSync(join(nd, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`
  writeFileSync(join(nd, 'sshd_config'), sshdConfig(layout, a, nd, dir))
  sh('ip', ['netns', 'add', ns])
  sh('ip', ['link', 'add', `${layout.prefix}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
  sh('ip', ['link', 'set', `${layout.prefix}v${i}`, 'master', `${layout.prefix}br`, 'up'])
  sh('ip', ['-n', ns, 'addr', 'add', `${a}/${len}`, 'dev', 'eth0'])
  sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
  const argv = [
    'ip',
    'netns',
    'exec',
    ns,
    'unshare',
    '--pid',
    '--fork',
    '--mount-proc',
    '--kill-child',
    '/usr/sbin/sshd',
    '-D',
    '-e',
    '-f',
    join(nd, 'sshd_config'),
  ]
  // taskset before netns exec: every process of the node (sshd, its sessions, the script) stays on the core.
  const [cmd, ...args] = layout.cpu ? ['taskset', '-c', layout.cpu, ...argv] : argv
  const p = spawn(cmd as string, args, {stdio: 'ignore', detached: true})
  p.unref()
  return {pid: p.pid, host: a, known}
}

/** Resolves when `host:22` answers with an SSH banner (rejects on error). */
function banner(host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({host, port: 22, timeout: 2000})
    s.once('data', (d: Buffer) => {
      s.destroy()
      if (d.toString('latin1').startsWith('SSH-')) resolve()
      else reject(new Error(`${host}: not an SSH banner`))
    })
    s.once('timeout', () => {
      s.destroy()
      reject(new Error(`${host}: timeout`))
    })
    s.once('error', reject)
  })
}

/**
 * Waits until every sshd answers, a few probes at a time: each probe makes an
 * sshd fork and re-exec itself, and all of a fleet's sshds share one core, so
 * probing hundreds at once made every probe time out (a 500-node fleet never
 * came up). The deadline grows with the fleet.
 */
async function waitReady(hosts: string[]): Promise<void> {
  const deadline = Date.now() + 60_000 + 500 * hosts.length
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const h = hosts[next++] as string
      for (;;) {
        try {
          await banner(h)
          break
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`${h} never answered: ${(err as Error).message}`)
          await new Promise((r) => setTimeout(r, 200))
        }
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(8, hosts.length)}, worker))
}

export interface SshdFleet {
  dir: string
  hosts: string[]
  /** PIDs of the `ip netns exec … unshare … sshd` processes this fleet started. */
  pids: number[]
  /** Private key authorized on every node, and a known_hosts with every node's host key. */
  identityFile: string
  knownHosts: string
}

/**
 * Starts `n` sshd nodes of `layout` with their files in `dir` (an existing,
 * empty directory) and waits until every sshd answers; on failure everything
 * started is torn down.
 */
export async function startSshdFleet(layout: FleetLayout, n: number, dir: string): Promise<SshdFleet> {
  fleetTeardown(layout, [])
  const pids: number[] = []
  try {
    sh('ip', ['link', 'add', `${layout.prefix}br`, 'type', 'bridge'])
    sh('ip', ['addr', 'add', layout.hostAddr, 'dev', `${layout.prefix}br`])
    sh('ip', ['link', 'set', `${layout.prefix}br`, 'up'])
    const identityFile = join(dir, 'id')
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile])
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`))
    mkdirSync('/run/sshd', {recursive: true})
    const hosts: string[] = []
    const known: string[] = []
    for (let i = 0; i < n; i++) {
      const node = startNode(layout, i, dir)
      if (node.pid) pids.push(node.pid)
      hosts.push(node.host)
      known.push(node.known)
    }
    const knownHosts = join(dir, 'known_hosts')
    writeFileSync(knownHosts, known.join('\n') + '\n')
    await waitReady(hosts)
    return {dir, hosts, pids, identityFile, knownHosts}
  } catch (err) {
    fleetTeardown(layout, pids)
    throw err
  }
}

export interface NetnsFleet extends SshdFleet {
  teardown(): void
}

/** The fleet tests' fleet of `n` nodes in a temporary directory; teardown() removes everything. */
export async function buildNetnsFleet(n: number): Promise<NetnsFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'hacheck-fleet-'))
  try {
    const f = await startSshdFleet(TEST_FLEET, n, dir)
    return {
      ...f,
      teardown: () => {
        fleetTeardown(TEST_FLEET, f.pids)
        rmSync(dir, {recursive: true, force: true})
      },
    }
  } catch (err) {
    rmSync(dir, {recursive: true, force: true})
    throw err
  }
}
