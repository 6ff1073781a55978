/**
 * What `hacheck doctor` reads on this machine. Nothing here connects to a
 * node: the doctor looks at the controller only (local programs, files,
 * environment). Judgments are in checks.ts.
 */
import {existsSync, accessSync, constants} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {stateDir} from '../cli/paths.js'
import {errorMessage} from '../core/errors.js'
import type {Inventory} from '../core/types.js'
import {findOnPath} from '../inventory/ansible.js'
import {runLocal} from '../transport/local.js'
import {parseKnownHosts} from '../transport/known-hosts.js'
import type {AgentProbe, KnownHostsFile} from './checks.js'
import {makeDirs} from '../cli/files.js'

export async function probeAgent(env: NodeJS.ProcessEnv = process.env): Promise<AgentProbe> {
  const socket = env.SSH_AUTH_SOCK || undefined
  const probe: AgentProbe = {socketExists: socket ? existsSync(socket) : false, keys: 0}
  if (socket) probe.socket = socket
  if (!socket || !findOnPath('ssh-add')) return probe
  const r = await runLocal(['ssh-add', '-l'], {timeoutMs: 5_000})
  probe.sshAddExit = r.exitCode ?? 2
  if (r.exitCode === 0) probe.keys = r.stdout.split('\n').filter((l) => l.trim()).length
  return probe
}

/** The known_hosts files hacheck's SSH pool reads, plus each node's ssh.knownHosts. */
export async function probeKnownHosts(inv?: Inventory): Promise<KnownHostsFile[]> {
  const home = homedir()
  const files = [
    join(home, '.ssh', 'known_hosts'),
    join(home, '.ssh', 'known_hosts2'),
    '/etc/ssh/ssh_known_hosts',
    '/etc/ssh/ssh_known_hosts2',
    join(stateDir(), 'known_hosts'),
    ...(inv?.nodes.flatMap((n) => n.ssh.knownHosts ?? []) ?? []),
  ]
  return Promise.all(
    [...new Set(files)].map(async (file) => {
      try {
        return {file, hosts: parseKnownHosts(await readFile(file, 'utf8'), file).map((e) => e.hosts)}
      } catch {
        return {file}
      }
    }),
  )
}

/** `ipmitool -V` ("ipmitool version 1.8.19"), or undefined when it is not installed. */
export async function probeIpmitool(): Promise<string | undefined> {
  if (!findOnPath('ipmitool')) return undefined
  const r = await runLocal(['ipmitool', '-V'], {timeoutMs: 5_000})
  return r.exitCode === 0 ? r.stdout.trim() || 'ipmitool' : undefined
}

/** Undefined when hacheck's state directory can be created and written, else why not. */
export function probeStateDir(dir = stateDir()): string | undefined {
  try {
    makeDirs(dir)
    accessSync(dir, constants.W_OK)
    return undefined
  } catch (err) {
    return errorMessage(err)
  }
}
