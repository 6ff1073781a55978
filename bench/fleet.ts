/**
 * A fleet of N sshd-only nodes for the benchmark: netns hkb-<i>, one veth each
 * on bridge hkb-br (198.18.8.1/22 on the host, nodes from 198.18.8.10), one
 * sshd per node with its own host key and its own PID namespace (without it,
 * `ss -tlnp` on every node walks every process of the machine and the fleet
 * cost grows as N²). All sshds are pinned to FLEET_CPU so that the controller
 * measured on the other core does not compete with them. Nothing is routed
 * out of the bridge: no NAT, no default route.
 *
 * Also a small CLI to keep a fleet up while profiling (hold the machine lock):
 *   npx tsx bench/fleet.ts up N DIR     (writes DIR/inventory.yaml, DIR/hosts)
 *   npx tsx bench/fleet.ts down
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'

export const PREFIX = 'hkb-'
const BRIDGE = `${PREFIX}br`
/** The core the fleet's sshds run on; the measured controller gets CONTROLLER_CPU. */
export const FLEET_CPU = '1'
export const CONTROLLER_CPU = '0'

export interface Fleet {
  dir: string
  hosts: string[]
  /** PIDs of the `ip netns exec … unshare … sshd` processes this fleet started. */
  pids: number[]
  identityFile: string
  knownHosts: string
  inventoryFile: string
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

/** 198.18.8.10, 198.18.8.11, …: up to 1000 nodes inside 198.18.8.0/22. */
export const addr = (i: number): string => `198.18.${8 + Math.floor((10 + i) / 256)}.${(10 + i) % 256}`

/** Kills the given fleet PIDs (only those: the sshd dies with its PID namespace) and deletes every hkb- namespace. */
export function fleetDown(pids: number[]): void {
  for (const p of pids) quiet('kill', ['-KILL', String(p)])
  const ns = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX))
  for (const n of ns) quiet('ip', ['netns', 'del', n])
  quiet('ip', ['link', 'del', BRIDGE])
}

function sshdConfig(a: string, nd: string, dir: string): string {
  return [
    `ListenAddress ${a}`,
    `HostKey ${join(nd, 'host')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(nd, 'pid')}`,
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'MaxStartups 200',
    'SetEnv SHLVL=1',
    '',
  ].join('\n')
}

function startNode(i: number, dir: string): {pid: number | undefined; host: string; known: string} {
  const ns = `${PREFIX}${i}`
  const a = addr(i)
  const nd = join(dir, `n${i}`)
  mkdirSync(nd)
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(nd, 'host')])
  const known = `${a} ${readFileSync(join(nd, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`
  writeFileSync(join(nd, 'sshd_config'), sshdConfig(a, nd, dir))
  sh('ip', ['netns', 'add', ns])
  sh('ip', ['link', 'add', `${PREFIX}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
  sh('ip', ['link', 'set', `${PREFIX}v${i}`, 'master', BRIDGE, 'up'])
  sh('ip', ['-n', ns, 'addr', 'add', `${a}/22`, 'dev', 'eth0'])
  sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
  // taskset before netns exec: every process of the node (sshd, its sessions, the script) stays on FLEET_CPU.
  const p = spawn(
    'taskset',
    [
      '-c',
      FLEET_CPU,
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
    ],
    {stdio: 'ignore', detached: true},
  )
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

async function waitReady(hosts: string[]): Promise<void> {
  const deadline = Date.now() + 120_000
  let pending = hosts
  while (pending.length) {
    const res = await Promise.allSettled(pending.map(banner))
    pending = pending.filter((_, i) => res[i]?.status === 'rejected')
    if (!pending.length) return
    if (Date.now() > deadline) throw new Error(`${pending.length} nodes never answered, e.g. ${pending[0]}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Creates the fleet in `dir` (a fresh directory), waits until every sshd answers. */
export async function fleetUp(n: number, dir: string): Promise<Fleet> {
  if (n > 1000) throw new Error('at most 1000 nodes fit in 198.18.8.0/22')
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge'])
  sh('ip', ['addr', 'add', '198.18.8.1/22', 'dev', BRIDGE])
  sh('ip', ['link', 'set', BRIDGE, 'up'])
  const identityFile = join(dir, 'id')
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile])
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`))
  mkdirSync('/run/sshd', {recursive: true})
  const pids: number[] = []
  const hosts: string[] = []
  const known: string[] = []
  for (let i = 0; i < n; i++) {
    const node = startNode(i, dir)
    if (node.pid) pids.push(node.pid)
    hosts.push(node.host)
    known.push(node.known)
  }
  const knownHosts = join(dir, 'known_hosts')
  writeFileSync(knownHosts, known.join('\n') + '\n')
  const inventoryFile = join(dir, 'inventory.yaml')
  const yaml = [
    'cluster: {name: bench, stack: pacemaker}',
    'networks: {public: 198.18.8.0/22}',
    `ssh: {user: root, identityFile: ${identityFile}, knownHosts: ${knownHosts}}`,
    'nodes:',
    ...hosts.map((h, i) => `  - {name: b${i}, host: ${h}, roles: [cluster]}`),
  ].join('\n')
  writeFileSync(inventoryFile, yaml + '\n')
  writeFileSync(join(dir, 'hosts'), hosts.join('\n') + '\n')
  const fleet = {dir, hosts, pids, identityFile, knownHosts, inventoryFile}
  try {
    await waitReady(hosts)
  } catch (err) {
    fleetDown(pids)
    throw err
  }
  return fleet
}

async function cli(): Promise<void> {
  const [verb, n, dir] = process.argv.slice(2)
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces)')
  if (verb === 'down') {
    // Only the fleet's own processes: those living in an hkb- namespace (its unshare and sshd).
    const list = sh('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((x) => x.startsWith(PREFIX))
    const all: number[] = []
    for (const ns of list) {
      for (const p of sh('ip', ['netns', 'pids', ns]).split('\n')) if (p.trim()) all.push(Number(p))
    }
    fleetDown(all)
    return
  }
  if (verb !== 'up' || !n || !dir) throw new Error('usage: fleet.ts up N DIR | down')
  fleetDown([])
  mkdirSync(dir, {recursive: true})
  const f = await fleetUp(Number(n), dir)
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(f))
  console.log(
    `fleet of ${f.hosts.length} nodes up; inventory ${f.inventoryFile}, description ${dir}/fleet.json`,
  )
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  cli().catch((err: unknown) => {
    console.error(`fleet: ${(err as Error).message}`)
    process.exit(1)
  })
}
