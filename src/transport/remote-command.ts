/**
 * Building the command line sshd runs (through the user's login shell, so it
 * must be POSIX sh) and the stdin sent with it. Pure.
 *
 *   exec [sudo -n --] timeout -k KILL_AFTER SECS env LC_ALL=C [K=V…] (ARGV… | bash -s)
 *
 * - `timeout` runs on the node, so the command is killed at its deadline even
 *   when the SSH connection is gone. Without --foreground it puts the command in
 *   its own process group and signals the whole group: children die too. KILL
 *   follows TERM after KILL_AFTER.
 * - `timeout` sits inside sudo: sudo cannot relay SIGKILL, and as root
 *   `timeout` can kill what the command started as root.
 * - `env` sits inside sudo too, because sudo's env_reset drops extra variables.
 */
import {createHash} from 'node:crypto'

import {shellJoin, shellQuote} from '../core/shell.js'
import type {CommandSpec} from '../core/types.js'

export interface WrapOptions {
  sudo: boolean
  timeoutMs: number
  killAfterMs: number
  /** Tags the command line (HACHECK_CMD=id in env's arguments) so killCommand can find it. */
  runId?: string
}

export interface RemoteInvocation {
  /** The exec request's command line. */
  command: string
  /** What to write to the channel's stdin (then end it). */
  stdin: string
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function seconds(ms: number): string {
  // GNU timeout takes fractional seconds; keep millisecond precision, drop trailing zeros.
  const s = (Math.max(ms, 1) / 1000).toFixed(3).replace(/\.?0+$/, '')
  return `${s}s`
}

/**
 * The script travels on stdin inside a `{ … }` group followed by `exit` on the
 * same line: bash parses the whole group before running it, so a command in the
 * script that reads stdin gets EOF (or `cmd.stdin`) instead of eating the rest
 * of the script, and nothing after the group is ever run as shell code.
 */
export function scriptStdin(script: string, stdin?: string): string {
  return `{\n${script}\n}; exit $?\n${stdin ?? ''}`
}

export function buildRemoteCommand(cmd: CommandSpec, opts: WrapOptions): RemoteInvocation {
  const hasArgv = cmd.argv !== undefined && cmd.argv.length > 0
  const hasScript = cmd.script !== undefined
  if (hasArgv === hasScript) throw new TypeError('CommandSpec needs exactly one of argv or script')
  const env: string[] = ['LC_ALL=C']
  if (opts.runId !== undefined) {
    if (!/^[0-9a-f]{8,32}$/.test(opts.runId)) throw new TypeError('runId must be 8-32 lowercase hex digits')
    env.push(`HACHECK_CMD=${opts.runId}`)
  }
  for (const [k, v] of Object.entries(cmd.env ?? {})) {
    if (!ENV_NAME.test(k)) throw new TypeError(`invalid environment variable name "${k}"`)
    if (k === 'LC_ALL' || k === 'HACHECK_CMD') continue
    env.push(`${k}=${v}`)
  }
  const program = hasArgv ? (cmd.argv as readonly string[]) : ['bash', '-s']
  const parts = [
    ...(opts.sudo ? ['sudo', '-n', '--'] : []),
    'timeout',
    '-k',
    seconds(opts.killAfterMs),
    seconds(opts.timeoutMs),
    'env',
    ...env,
    ...program,
  ]
  return {
    command: `exec ${shellJoin(parts)}`,
    stdin: hasScript ? scriptStdin(cmd.script as string, cmd.stdin) : (cmd.stdin ?? ''),
  }
}

/**
 * A command line that stops a command started with `runId`: TERM to its
 * `timeout` process, which passes it to the command's process group and sends
 * KILL after its -k delay. Used on abort, because OpenSSH (9.2) refuses SSH
 * "signal" requests on root sessions ("session signalling requires privilege
 * separation"). The `[x]rest` pattern keeps pkill from matching the sudo that
 * runs it.
 */
export function killCommand(runId: string, sudo: boolean): string {
  const pattern = `HACHECK_CMD=[${runId.slice(0, 1)}]${runId.slice(1)}( |$)`
  return `exec ${shellJoin([...(sudo ? ['sudo', '-n', '--'] : []), 'pkill', '-TERM', '-f', '--', pattern])}`
}

/**
 * What the log shows for a command: argv in full (secrets are scrubbed by the
 * logger), a script only as a summary (size, hash, first line), never its body.
 */
export function summarizeCommand(cmd: CommandSpec, sudo: boolean): string {
  const prefix = sudo ? 'sudo -n ' : ''
  if (cmd.argv && cmd.argv.length) {
    const s = shellJoin(cmd.argv)
    return prefix + (s.length > 300 ? `${s.slice(0, 300)}…` : s)
  }
  const script = cmd.script ?? ''
  const lines = script.split('\n').length
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 12)
  const firstLine = script.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? ''
  const head = firstLine.trim().slice(0, 60)
  return `${prefix}bash -s <script ${lines} lines, ${Buffer.byteLength(script)} bytes, sha256:${hash}, starts ${shellQuote(head)}>`
}
