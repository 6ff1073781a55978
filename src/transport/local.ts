/**
 * Runs a program on the controller (ipmitool, ansible-inventory, …) with the
 * same result shape as a remote command. Never through a shell: argv goes to
 * the program as is. Secrets go in `env` (e.g. IPMI_PASSWORD with `ipmitool
 * -E`), never in argv, which any local user can read in the process list.
 */
import {performance} from 'node:perf_hooks'

import {IncompleteError} from '../core/errors.js'
import {log} from '../cli/logger.js'
import {registerSecret, scrubSecrets} from '../core/secrets.js'
import {shellJoin} from '../core/shell.js'
import type {CommandResult} from '../core/types.js'
import {truncationMarker} from './output.js'

export interface LocalRunOptions {
  /** Added to the inherited environment (LC_ALL=C is set unless given here). */
  env?: Record<string, string>
  /** Written to stdin (stdin is closed otherwise). */
  input?: string
  /** SIGTERM after this long, SIGKILL `killAfterMs` later. Default 60 000 ms. */
  timeoutMs?: number
  killAfterMs?: number
  /** Cap of each of stdout and stderr; the program is stopped when it is exceeded. Default 16 MiB. */
  maxOutputBytes?: number
  cwd?: string
  abort?: AbortSignal
}

/** Environment variable names whose values are registered as secrets (scrubbed from logs). */
const SECRET_NAME = /pass|secret|token|key|credential/i

export async function runLocal(argv: readonly string[], opts: LocalRunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv
  if (!file) throw new TypeError('runLocal needs a program')
  for (const [k, v] of Object.entries(opts.env ?? {})) if (SECRET_NAME.test(k)) registerSecret(v)
  const cap = opts.maxOutputBytes ?? 16 * 1024 * 1024
  const timeoutMs = opts.timeoutMs ?? 60_000
  const {execa} = await import('execa')
  const started = performance.now()
  const r = await execa(file, args, {
    env: {LC_ALL: 'C', ...opts.env},
    extendEnv: true,
    ...(opts.input === undefined ? {stdin: 'ignore' as const} : {input: opts.input}),
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: opts.killAfterMs ?? 2_000,
    maxBuffer: cap,
    cancelSignal: opts.abort,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
    cwd: opts.cwd,
  })
  const code = (r as {code?: unknown}).code
  if (r.failed && r.exitCode === undefined && r.signal === undefined && !r.timedOut && !r.isCanceled) {
    const why =
      code === 'ENOENT' ? 'not found (is it installed and in PATH?)' : String(r.shortMessage ?? code)
    throw new IncompleteError(`cannot run ${file} on this machine: ${why}`, {code: 'local-spawn-failed'})
  }
  if (r.isCanceled) throw opts.abort?.reason ?? new Error(`${file} was cancelled`)
  let stdout = typeof r.stdout === 'string' ? r.stdout : ''
  let stderr = typeof r.stderr === 'string' ? r.stderr : ''
  let truncated = false
  if (r.isMaxBuffer) {
    truncated = true
    if (Buffer.byteLength(stdout) >= cap) stdout = appendMarker(stdout, 'stdout', cap)
    if (Buffer.byteLength(stderr) >= cap) stderr = appendMarker(stderr, 'stderr', cap)
  }
  const result: CommandResult = {
    stdout,
    stderr,
    exitCode: r.exitCode ?? null,
    durationMs: Math.round(performance.now() - started),
  }
  if (r.signal) result.signal = r.signal
  if (truncated) result.truncated = true
  if (r.timedOut) result.timedOut = true
  log().info(
    {
      node: 'local',
      command: scrubSecrets(shellJoin(argv)).slice(0, 300),
      env: Object.keys(opts.env ?? {}),
      durationMs: result.durationMs,
      exitCode: result.exitCode,
      signal: result.signal,
      truncated,
      timedOut: result.timedOut ?? false,
    },
    'local command',
  )
  return result
}

function appendMarker(s: string, label: string, cap: number): string {
  return `${s}${s.endsWith('\n') ? '' : '\n'}${truncationMarker(label, cap, 'the program was stopped')}\n`
}
