/**
 * sshd-only "clusters" for fleet tests: network namespaces hkf-<i> on a bridge
 * hkf-br (198.19.64.1/20 on the host, nodes from 198.19.64.10), each node a
 * real OpenSSH sshd with its own host key and PID namespace (as bench/fleet.ts
 * does with hkb-/198.18.8.0/22; this prefix and subnet collide with neither
 * it nor the lab's 198.18.1-4.x). No route out, no NAT. Everything is torn
 * down by the PIDs this module started and by its own prefix, idempotently
 * (also before building, in case an earlier run crashed).
 */
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const PREFIX = 'hkf-'
const BRIDGE = `${PREFIX}br`
const HOST_ADDR = '198.19.64.1/20'

/** Address of node i: 198.19.64.10 … 198.19.79.254. */
export function nodeAddress(i: number): string {
  const n = 10 + i
  return `198.19.${64 + Math.floor(n / 256)}.${n % 256}`
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

const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
const quiet = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, {stdio: 'ignore'})
  } catch {
    /* already gone */
  }
}

export interface NetnsFleet {
  dir: string
  /** Private key authorized on every node, and a known_hosts with every node's host key. */
  identityFile: string
  knownHosts: string
  hosts: string[]
  teardown(): void
}

function teardown(pids: number[]): void {
  for (const p of pids) quiet('kill', ['-KILL', String(p)])
  let list = ''
  try {
    list = sh('ip', ['netns', 'list'])
  } catch {
    list = ''
  }
  for (const ns of list.split('\n').map((l) => l.split(' ')[0] ?? ''))
    if (ns.startsWith(PREFIX)) quiet('ip', ['netns', 'del', ns])
  quiet('ip', ['link', 'del', BRIDGE])
}

/** Starts `n` sshd nodes and waits until each accepts a login. */
export function buildNetnsFleet(n: number): NetnsFleet {
  teardown([])
  const dir = mkdtempSync(join(tmpdir(), 'hacheck-fleet-'))
  const pids: number[] = []
  const done = (): void => {
    teardown(pids)
    rmSync(dir, {recursive: true, force: true})
  }
  try {
    sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge'])
    sh('ip', ['addr', 'add', HOST_ADDR, 'dev', BRIDGE])
    sh('ip', ['link', 'set', BRIDGE, 'up'])
    const identityFile = join(dir, 'id')
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile])
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`))
    mkdirSync('/run/sshd', {recursive: true})
    const hosts: string[] = []
    const known: string[] = []
    for (let i = 0; i < n; i++) {
      const ns = `${PREFIX}${i}`
      const a = nodeAddress(i)
      const nd = join(dir, `n${i}`)
      mkdirSync(nd)
      sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(nd, 'host')])
      known.push(`${a} ${readFileSync(join(nd, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`)
      writeFileSync(
        join(nd, 'sshd_config'),
        `ListenAddress ${a}\nHostKey ${join(nd, 'host')}\nAuthorizedKeysFile ${join(dir, 'authorized_keys')}\nPidFile ${join(nd, 'pid')}\nUsePAM no\nPermitRootLogin prohibit-password\nStrictModes no\nMaxStartups 50\nSetEnv SHLVL=1\n`,
      )
      sh('ip', ['netns', 'add', ns])
      sh('ip', ['link', 'add', `${PREFIX}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      sh('ip', ['link', 'set', `${PREFIX}v${i}`, 'master', BRIDGE, 'up'])
      sh('ip', ['-n', ns, 'addr', 'add', `${a}/20`, 'dev', 'eth0'])
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
      const p = spawn(
        'ip',
        [
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
      if (p.pid) pids.push(p.pid)
      hosts.push(a)
    }
    const knownHosts = join(dir, 'known_hosts')
    writeFileSync(knownHosts, known.join('\n') + '\n')
    for (const h of hosts) {
      for (let t = 0; ; t++) {
        try {
          sh('ssh', [
            '-i',
            identityFile,
            '-o',
            `UserKnownHostsFile=${knownHosts}`,
            '-o',
            'BatchMode=yes',
            '-o',
            'ConnectTimeout=2',
            `root@${h}`,
            'true',
          ])
          break
        } catch (err) {
          if (t > 50) throw err
          execFileSync('sleep', ['0.2'])
        }
      }
    }
    return {dir, identityFile, knownHosts, hosts, teardown: done}
  } catch (err) {
    done()
    throw err
  }
}
