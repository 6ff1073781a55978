/**
 * One command as an exec channel on an open connection: output capped and
 * collected, the node-side timeout backed by a hard deadline here, abort and
 * a lost connection ending it, and the side channel that kills it on the node
 * (docs/transport.md, "Timeouts and killing").
 */
import {performance} from 'node:perf_hooks'
import {StringDecoder} from 'node:string_decoder'

import type {ClientChannel} from 'ssh2'

import {log} from '../cli/logger.js'
import type {CommandResult, CommandSpec} from '../core/types.js'
import {CappedBuffer} from './output.js'
import {killCommand, type RemoteInvocation} from './remote-command.js'
import {ConnFailure, type Conn} from './ssh-conn.js'

export interface ExecLimits {
  timeoutMs: number
  /** On the node, KILL follows TERM this long after the timeout. */
  killAfterMs: number
  /** Cap of each of stdout and stderr when the command sets none. */
  maxOutputBytes: number
}

/** What one running command has collected so far. */
interface Collected {
  out: CappedBuffer
  err: CappedBuffer
  started: number
  exitCode: number | null
  signal?: string
}

function commandResult(c: Collected, timeoutMs: number, forcedTimeout: boolean): CommandResult {
  const durationMs = Math.round(performance.now() - c.started)
  const killedByTimeout =
    forcedTimeout ||
    (durationMs >= timeoutMs - 50 &&
      (c.exitCode === 124 || c.exitCode === 137 || c.signal === 'SIGKILL' || c.signal === 'SIGTERM'))
  const r: CommandResult = {stdout: c.out.text(), stderr: c.err.text(), exitCode: c.exitCode, durationMs}
  if (c.signal) r.signal = c.signal
  if (c.out.truncated || c.err.truncated) r.truncated = true
  if (killedByTimeout) r.timedOut = true
  return r
}

/** Collects a channel's output and exit status; `closed` runs when the channel is done. */
function collect(ch: ClientChannel, c: Collected, conn: Conn, cmd: CommandSpec, closed: () => void): void {
  const live = cmd.onStdout
  const decoder = live ? new StringDecoder('utf8') : undefined
  ch.on('data', (d: Buffer) => {
    c.out.push(d)
    if (!live || !decoder) return
    const text = decoder.write(d)
    try {
      if (text) live(text)
    } catch (e) {
      log().warn({node: conn.target.host, err: e}, 'onStdout callback failed')
    }
  })
  ch.stderr.on('data', (d: Buffer) => c.err.push(d))
  ch.on('exit', (code: number | null, sig?: string) => {
    c.exitCode = code
    if (sig) c.signal = sig.startsWith('SIG') ? sig : `SIG${sig}`
  })
  ch.on('close', closed)
  ch.on('error', () => {
    // errors on a channel are followed by 'close'
  })
}

/** One command on its way: settles once, whatever comes first (close, abort, lost connection, deadline). */
class Exec {
  private readonly c: Collected
  private channel: ClientChannel | undefined
  private settled = false
  private hardDeadline: NodeJS.Timeout | undefined

  constructor(
    private readonly conn: Conn,
    private readonly cmd: CommandSpec,
    private readonly limits: ExecLimits,
    private readonly abort: AbortSignal | undefined,
    private readonly killRemote: () => void,
    private readonly resolve: (r: CommandResult) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    const cap = cmd.maxOutputBytes ?? limits.maxOutputBytes
    this.c = {
      out: new CappedBuffer(cap, 'stdout'),
      err: new CappedBuffer(cap, 'stderr'),
      started: performance.now(),
      exitCode: null,
    }
  }

  start(inv: RemoteInvocation): void {
    // The node kills the command itself at timeoutMs (+ killAfterMs); this is
    // only the backstop for a node that stopped answering.
    this.hardDeadline = setTimeout(
      () => {
        this.stop()
        this.finish(() => this.resolve(commandResult(this.c, this.limits.timeoutMs, true)))
      },
      this.limits.timeoutMs + this.limits.killAfterMs + 5_000,
    )
    this.conn.inflight.add(this.onDead)
    this.abort?.addEventListener('abort', this.onAbort, {once: true})
    try {
      this.conn.client.exec(inv.command, (e, ch) => this.opened(e, ch, inv.stdin))
    } catch (e) {
      // ssh2 throws "Not connected" when the socket is already gone
      const why = `connection lost: ${e instanceof Error ? e.message : String(e)}`
      this.finish(() => this.reject(new ConnFailure('disconnected', this.conn.target, why, [], e)))
    }
  }

  private opened(e: Error | undefined, ch: ClientChannel, stdin: string): void {
    if (e) return this.finish(() => this.reject(e))
    if (this.settled) {
      // aborted while the channel was opening: the command may already run
      this.killRemote()
      ch.close()
      return
    }
    this.channel = ch
    this.c.started = performance.now()
    collect(ch, this.c, this.conn, this.cmd, () =>
      this.finish(() => this.resolve(commandResult(this.c, this.limits.timeoutMs, false))),
    )
    ch.end(stdin)
  }

  private finish(f: () => void): void {
    if (this.settled) return
    this.settled = true
    clearTimeout(this.hardDeadline)
    this.abort?.removeEventListener('abort', this.onAbort)
    this.conn.inflight.delete(this.onDead)
    f()
  }

  private stop(): void {
    // Not an SSH "signal" request: OpenSSH refuses those on root sessions.
    if (this.channel) this.killRemote()
    try {
      this.channel?.close()
    } catch {
      // channel already gone
    }
  }

  private readonly onDead = (f: ConnFailure): void => this.finish(() => this.reject(f))

  private readonly onAbort = (): void => {
    // TERM reaches `timeout`, which kills the command's process group (KILL after killAfterMs).
    this.stop()
    this.finish(() => this.reject(this.abort?.reason))
  }
}

/**
 * Runs `inv` on `conn`. Resolves with the result (also on a timeout: the
 * hard deadline, timeout + killAfter + 5 s, is the backstop for a node that
 * stopped answering); rejects on abort (after killRemote), when the
 * connection dies, or when the channel cannot be opened.
 */
export function execCommand(
  conn: Conn,
  inv: RemoteInvocation,
  cmd: CommandSpec,
  limits: ExecLimits,
  abort: AbortSignal | undefined,
  killRemote: () => void,
): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    if (conn.dead) return reject(conn.dead)
    new Exec(conn, cmd, limits, abort, killRemote, resolve, reject).start(inv)
  })
}

/** Best effort: a side channel that TERMs a running command by its run id (see killCommand). */
export function killRemote(conn: Conn, runId: string, sudo: boolean): void {
  if (conn.dead) return
  try {
    conn.client.exec(killCommand(runId, sudo), (e, ch) => {
      if (e) return
      ch.on('data', () => undefined)
      ch.stderr.on('data', () => undefined)
      ch.on('error', () => undefined)
      ch.end()
    })
  } catch {
    // connection going away: the node-side timeout still ends the command
  }
}
