/**
 * Local command execution for the lab (always argv arrays, never a shell string
 * built by hand). Every command is logged with its duration; known secrets are
 * scrubbed by the logger.
 */
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'

import {execa} from 'execa'

import {IncompleteError} from '../core/errors.js'
import {log} from '../cli/logger.js'

export interface LocalResult {
  stdout: string
  stderr: string
  exitCode: number
  timedOut: boolean
  durationMs: number
}

export interface LocalOptions {
  input?: string
  timeoutMs?: number
  env?: Record<string, string>
  cwd?: string
}

/** Runs a command and returns its result whatever the exit code (never throws on failure). */
export async function runLocal(
  file: string,
  args: readonly string[],
  opts: LocalOptions = {},
): Promise<LocalResult> {
  const t0 = Date.now()
  const r = await execa(file, args, {
    reject: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    timeout: opts.timeoutMs ?? 60_000,
    env: {LC_ALL: 'C', ...opts.env},
    cwd: opts.cwd,
    stripFinalNewline: false,
    encoding: 'utf8',
  })
  const res: LocalResult = {
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : -1,
    timedOut: r.timedOut === true,
    durationMs: Date.now() - t0,
  }
  log().debug(
    {cmd: [file, ...args].join(' '), exitCode: res.exitCode, durationMs: res.durationMs},
    'lab exec',
  )
  return res
}

/** Like runLocal but throws an IncompleteError (exit 3) naming the command when it fails. */
export async function mustRun(
  file: string,
  args: readonly string[],
  opts: LocalOptions = {},
): Promise<string> {
  const r = await runLocal(file, args, opts)
  if (r.exitCode !== 0) {
    const why = r.timedOut ? 'timed out' : `exit ${r.exitCode}`
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ')
    throw new IncompleteError(
      `lab: ${file} ${args.join(' ')} failed (${why})${detail ? `: ${detail}` : ''}`,
      {
        code: 'lab-command-failed',
      },
    )
  }
  return r.stdout
}

/**
 * Starts a long-running process detached from hacheck (own session, stdin from
 * /dev/null, stdout/stderr appended to a log file by file descriptor, so the
 * process never depends on hacheck staying alive) and returns its PID. The
 * caller records the PID; hacheck never waits for it.
 */
export function spawnDetached(file: string, args: readonly string[], logFile: string): number {
  const fd = openSync(logFile, 'a')
  try {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: {...process.env, LC_ALL: 'C'},
    })
    child.on('error', () => undefined)
    child.unref()
    const pid = child.pid
    if (pid === undefined)
      throw new IncompleteError(`lab: could not start ${file}`, {code: 'lab-spawn-failed'})
    log().debug({cmd: [file, ...args].join(' '), pid}, 'lab spawn')
    return pid
  } finally {
    closeSync(fd)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
