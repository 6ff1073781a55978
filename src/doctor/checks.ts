/**
 * `hacheck doctor`: is this machine (the controller) ready to run hacheck?
 * Pure judgments of what the probes (probe.ts) read; each says what is
 * missing and how to fix it. "missing" is something a command will fail on;
 * "warn" is something that only some uses need, or that has a fallback.
 */
import {hostFieldMatches, knownHostsName} from '../transport/known-hosts.js'
import type {Inventory} from '../core/types.js'

export type DoctorStatus = 'ok' | 'warn' | 'missing'

export interface DoctorCheck {
  id: string
  status: DoctorStatus
  detail: string
  fix?: string
}

export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
}

export function doctorReport(checks: DoctorCheck[]): DoctorReport {
  return {ok: checks.every((c) => c.status !== 'missing'), checks}
}

/** `>=20.19.0` against `20.20.2`: only the `>=` form package.json uses. */
export function satisfiesMinimum(version: string, range: string): boolean {
  const want = /^>=\s*(\d+)\.(\d+)\.(\d+)/.exec(range.trim())
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim())
  if (!want || !have) return false
  for (let i = 1; i <= 3; i++) {
    const d = Number(have[i]) - Number(want[i])
    if (d !== 0) return d > 0
  }
  return true
}

export function nodeCheck(version: string, range: string): DoctorCheck {
  return satisfiesMinimum(version, range)
    ? {id: 'node', status: 'ok', detail: `Node.js ${version} (hacheck needs ${range})`}
    : {
        id: 'node',
        status: 'missing',
        detail: `Node.js ${version}, hacheck needs ${range}`,
        fix: "Install Node.js 20 or later (Debian 12's own nodejs is 18): see README.md, Quick start.",
      }
}

/** `ssh-add -l`: exit 0 keys listed, 1 agent without keys, 2 no agent; undefined when ssh-add is absent. */
export interface AgentProbe {
  socket?: string
  socketExists: boolean
  sshAddExit?: number
  keys: number
}

export function agentCheck(p: AgentProbe): DoctorCheck {
  const fallback = 'or give identityFile in the inventory (ssh: or per node) or in ~/.ssh/config'
  if (!p.socket)
    return {
      id: 'ssh-agent',
      status: 'warn',
      detail: 'no ssh-agent: SSH_AUTH_SOCK is not set',
      fix: `eval "$(ssh-agent)" && ssh-add, ${fallback}`,
    }
  if (!p.socketExists || p.sshAddExit === 2)
    return {
      id: 'ssh-agent',
      status: 'warn',
      detail: `SSH_AUTH_SOCK=${p.socket} does not answer`,
      fix: `start an agent (eval "$(ssh-agent)") and ssh-add your key, ${fallback}`,
    }
  if (p.sshAddExit === undefined)
    return {
      id: 'ssh-agent',
      status: 'ok',
      detail: `agent socket ${p.socket} (ssh-add not installed to list keys)`,
    }
  if (p.keys === 0)
    return {
      id: 'ssh-agent',
      status: 'warn',
      detail: 'ssh-agent runs but holds no key',
      fix: `ssh-add ~/.ssh/id_ed25519 (or your key), ${fallback}`,
    }
  return {id: 'ssh-agent', status: 'ok', detail: `ssh-agent holds ${p.keys} key(s)`}
}

export interface KnownHostsFile {
  file: string
  /** Lines of known_hosts entries' host fields; undefined when the file is absent. */
  hosts?: string[]
}

/**
 * Every inventory node's host key must be in a known_hosts file that hacheck
 * reads (unknown keys are refused). Without an inventory: is there any file.
 */
export function knownHostsChecks(files: readonly KnownHostsFile[], inv?: Inventory): DoctorCheck[] {
  const present = files.filter((f) => f.hosts !== undefined)
  if (!inv) {
    return [
      present.length
        ? {
            id: 'known_hosts',
            status: 'ok',
            detail: `${present.map((f) => f.file).join(', ')}: ${present.reduce((n, f) => n + (f.hosts?.length ?? 0), 0)} host key(s)`,
          }
        : {
            id: 'known_hosts',
            status: 'warn',
            detail: 'no known_hosts file: every node will be refused as unknown',
            fix: 'ssh-keyscan NODE >> ~/.ssh/known_hosts after checking the fingerprints, or run hacheck once with --accept-new-host-keys',
          },
    ]
  }
  const unknown: string[] = []
  for (const n of inv.nodes) {
    const name = knownHostsName(n.host, n.port ?? n.ssh.port ?? 22)
    const own = (n.ssh.knownHosts ?? []).map((file) => files.find((f) => f.file === file))
    const all = [...present, ...own.filter((f): f is KnownHostsFile => !!f?.hosts)]
    if (!all.some((f) => f.hosts?.some((h) => hostFieldMatches(h, name)))) unknown.push(`${n.name} (${name})`)
  }
  if (unknown.length === 0)
    return [
      {id: 'known_hosts', status: 'ok', detail: `the host key of all ${inv.nodes.length} nodes is known`},
    ]
  return [
    {
      id: 'known_hosts',
      status: 'missing',
      detail: `no known host key for ${unknown.join(', ')}: hacheck refuses unknown hosts`,
      fix: 'ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts after checking the fingerprints (ssh-keygen -lf on the node), or pass --accept-new-host-keys once',
    },
  ]
}

export function ipmitoolCheck(version: string | undefined, inv?: Inventory): DoctorCheck {
  const bmcs = inv?.nodes.filter((n) => n.bmc).length ?? 0
  if (version) return {id: 'ipmitool', status: 'ok', detail: version}
  const why = 'needed for power faults (chaos power-off, power-cycle, reset) and the BMC check of audit'
  return {
    id: 'ipmitool',
    status: bmcs > 0 ? 'missing' : 'warn',
    detail: `ipmitool is not installed: ${why}${bmcs ? `; the inventory has ${bmcs} BMC(s)` : ''}`,
    fix: 'apt-get install ipmitool',
  }
}

export function bmcPasswordCheck(inv: Inventory, isSet: (env: string) => boolean): DoctorCheck | undefined {
  const envs = [...new Set(inv.nodes.flatMap((n) => (n.bmc?.passwordEnv ? [n.bmc.passwordEnv] : [])))]
  if (envs.length === 0) return undefined
  const unset = envs.filter((e) => !isSet(e))
  return unset.length
    ? {
        id: 'bmc-passwords',
        status: 'warn',
        detail: `${unset.join(', ')} not set: audit still runs, power faults need the BMC password`,
        fix: `export ${unset[0]}=… (the variable named by bmc.passwordEnv)`,
      }
    : {id: 'bmc-passwords', status: 'ok', detail: `${envs.join(', ')} set`}
}

export function stateDirCheck(dir: string, error?: string): DoctorCheck {
  return error
    ? {
        id: 'state-dir',
        status: 'missing',
        detail: `${dir} is not writable (${error}): chaos runs cannot write their revert ledger`,
        fix: 'fix its permissions, or point XDG_STATE_HOME at a writable directory',
      }
    : {id: 'state-dir', status: 'ok', detail: `${dir} is writable`}
}
