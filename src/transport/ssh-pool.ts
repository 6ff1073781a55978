/**
 * The SSH transport: one ssh2 connection per node for a whole run, commands as
 * exec channels on it. Design notes (host key policy, kill strategy, sudo, jump
 * hosts) are in docs/transport.md. ssh2 is imported lazily so that commands
 * which never connect (`--help`) do not pay for loading it.
 *
 * This file is the pool: node slots, connection sharing and reuse, commands
 * and their errors. Its parts: ssh-connect.ts (opening one connection),
 * ssh-host-keys.ts (known_hosts), ssh-auth.ts (agent, identity files),
 * ssh-exec.ts (one command on a channel), ssh-options.ts (options and
 * defaults), ssh-conn.ts (the shared model).
 */
import {randomBytes} from 'node:crypto'
import {homedir, userInfo} from 'node:os'
import {performance} from 'node:perf_hooks'

import {log} from '../cli/logger.js'
import type {CommandResult, CommandRunner, CommandSpec, NodeSpec} from '../core/types.js'
import {TransportError} from './errors.js'
import {buildRemoteCommand, summarizeCommand, type RemoteInvocation} from './remote-command.js'
import {Semaphore} from './semaphore.js'
import {Identities, nodeCredentials} from './ssh-auth.js'
import {loadSshConfig, resolveEndpoint, type ResolvedEndpoint, type SshConfigLookup} from './ssh-config.js'
import {type Connector, openConnection} from './ssh-connect.js'
import {
  ConnFailure,
  type Conn,
  describeTarget,
  type NodeContext,
  raceAbort,
  type Target,
  withoutStack,
} from './ssh-conn.js'
import {execCommand, killRemote} from './ssh-exec.js'
import {HostKeys} from './ssh-host-keys.js'
import {type Settings, settingsOf, type SshPoolOptions, type SshPoolStats} from './ssh-options.js'

export type {SshPoolOptions, SshPoolStats} from './ssh-options.js'

/** A command about to run on a connection: how it is wrapped and what the log calls it. */
interface Prepared {
  inv: RemoteInvocation
  sudo: boolean
  timeoutMs: number
  runId: string
  summary: string
}

/** The server refused a channel while others are open: it allows fewer sessions than assumed. */
function isChannelRefusal(e: unknown, conn: Conn, attempt: number): boolean {
  return (
    e instanceof Error &&
    /Channel open failure/i.test(e.message) &&
    !conn.dead &&
    conn.channels.inUse > 1 &&
    attempt < 8
  )
}

/** sudo -n asked for a password (or a terminal): a clear error instead of exit 1. */
function sudoRefusal(node: NodeSpec, conn: Conn, result: CommandResult): TransportError | undefined {
  if (result.exitCode !== 1 || !/^sudo: (a password is required|a terminal is required)/m.test(result.stderr))
    return undefined
  const t = conn.target
  return new TransportError(
    'sudo-password-required',
    `node ${node.name} ${describeTarget(t)}: sudo asks ${t.user} for a password; hacheck runs "sudo -n" and needs passwordless sudo`,
    {node: node.name, host: t.host, port: t.port},
    {
      actions: [
        `Allow it in sudoers, e.g. "${t.user} ALL=(root) NOPASSWD: ALL" (or the commands hacheck needs), or connect as root.`,
      ],
    },
  )
}

export class SshPool implements CommandRunner {
  private readonly o: Settings
  private readonly conns = new Map<string, Promise<Conn>>()
  /** The settled, successful entries of `conns`. */
  private readonly resolved = new Map<string, Conn>()
  private readonly nodeSem: Semaphore
  private readonly nodeSlots = new Map<string, {count: number; ready: Promise<() => void>}>()
  private readonly configs = new Map<string, Promise<SshConfigLookup | undefined>>()
  private readonly connector: Connector
  /** Node name → the connection its commands run on (jump hosts are never in here). */
  private readonly usedBy = new Map<string, Conn>()
  /** Connections ended by release(), awaited by close(). */
  private readonly ending = new Set<Promise<void>>()
  private closed = false
  private readonly counters = {connectionsOpened: 0, commands: 0}
  private readonly home = homedir()
  private readonly localUser = userInfo().username

  constructor(opts: SshPoolOptions = {}) {
    this.o = settingsOf(opts)
    this.nodeSem = opts.nodeSemaphore ?? new Semaphore(this.o.concurrency)
    this.connector = {
      settings: this.o,
      hostKeys: new HostKeys(this.o),
      identities: new Identities(),
      lost: (conn, f) => this.markDead(conn, f),
    }
  }

  stats(): SshPoolStats {
    let open = 0
    for (const c of this.resolved.values()) if (!c.dead) open++
    return {...this.counters, connectionsOpen: open}
  }

  /** Opens (or reuses) the connection to a node without running anything: a reachability check. */
  async connect(node: NodeSpec, abort?: AbortSignal): Promise<void> {
    const leave = await this.enterNode(node, abort)
    try {
      await raceAbort(this.connection(node), abort).catch((e: unknown) => {
        throw this.toTransportError(node, e)
      })
    } finally {
      leave()
    }
  }

  async run(node: NodeSpec, cmd: CommandSpec, abort?: AbortSignal): Promise<CommandResult> {
    if (this.closed) throw new Error('SshPool.run() after close()')
    abort?.throwIfAborted()
    const leave = await this.enterNode(node, abort)
    try {
      let conn: Conn
      try {
        conn = await raceAbort(this.connection(node), abort)
      } catch (e) {
        throw this.toTransportError(node, e)
      }
      conn.users.add(node.name)
      this.usedBy.set(node.name, conn)
      const sudo = cmd.sudo === true && node.ssh.sudo !== false && conn.target.user !== 'root'
      const timeoutMs = cmd.timeoutMs ?? this.o.commandTimeoutMs
      const runId = randomBytes(8).toString('hex')
      const inv = buildRemoteCommand(cmd, {sudo, timeoutMs, killAfterMs: this.o.killAfterMs, runId})
      const prepared = {inv, sudo, timeoutMs, runId, summary: summarizeCommand(cmd, sudo)}
      const result = await this.runOn(conn, node, cmd, prepared, abort)
      const refusal = sudo ? sudoRefusal(node, conn, result) : undefined
      if (refusal) throw refusal
      return result
    } finally {
      leave()
    }
  }

  /** Runs a prepared command on `conn`, queued behind its channel limit (lowered when the server refuses one). */
  private async runOn(
    conn: Conn,
    node: NodeSpec,
    cmd: CommandSpec,
    p: Prepared,
    abort: AbortSignal | undefined,
  ): Promise<CommandResult> {
    const limits = {
      timeoutMs: p.timeoutMs,
      killAfterMs: this.o.killAfterMs,
      maxOutputBytes: this.o.maxOutputBytes,
    }
    for (let attempt = 0; ; attempt++) {
      const release = await conn.channels.acquire(abort)
      let result: CommandResult
      try {
        result = await execCommand(conn, p.inv, cmd, limits, abort, () => killRemote(conn, p.runId, p.sudo))
      } catch (e) {
        if (isChannelRefusal(e, conn, attempt)) {
          // The server allows fewer sessions than we assumed (MaxSessions): queue behind the others.
          conn.channels.setLimit(conn.channels.inUse - 1)
          log().debug(
            {node: node.name, limit: conn.channels.currentLimit},
            'ssh channel refused, lowering per-connection limit',
          )
          continue
        }
        throw this.commandError(node, conn, e, abort)
      } finally {
        release()
      }
      this.counters.commands++
      log().info(
        {
          node: node.name,
          host: `${conn.target.host}:${conn.target.port}`,
          command: p.summary,
          durationMs: result.durationMs,
          exitCode: result.exitCode,
          signal: result.signal,
          truncated: result.truncated ?? false,
          timedOut: result.timedOut ?? false,
        },
        'remote command',
      )
      return result
    }
  }

  /** What a failed command throws: the abort reason as is, anything about the connection as a TransportError. */
  private commandError(node: NodeSpec, conn: Conn, e: unknown, abort: AbortSignal | undefined): unknown {
    if (e instanceof ConnFailure) return this.toTransportError(node, e)
    if (!(e instanceof Error) || e.name === 'AbortError') return e
    if (abort?.aborted) return e
    return this.toTransportError(
      node,
      new ConnFailure('disconnected', conn.target, `cannot run a command: ${e.message}`, [], e),
    )
  }

  /**
   * Tells the pool that no more commands will run on `node` for now: its
   * connection is closed as soon as no command runs on it and no other node
   * uses it (jump hosts stay open until close()). An audit runs one command per
   * node; hundreds of idle connections kept until the end would cost keepalive
   * traffic, CPU and memory for nothing. A later run() reconnects.
   */
  release(node: NodeSpec): void {
    const c = this.usedBy.get(node.name)
    if (!c) return
    this.usedBy.delete(node.name)
    c.users.delete(node.name)
    if (c.dead || c.users.size > 0 || c.channels.inUse > 0 || this.nodeSlots.has(node.name)) return
    this.ending.add(this.end(c))
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.conns.values()]
    this.conns.clear()
    this.resolved.clear()
    const settled = await Promise.allSettled(all)
    const waits: Promise<void>[] = [...this.ending]
    for (const s of settled) if (s.status === 'fulfilled') waits.push(this.end(s.value))
    await Promise.all(waits)
  }

  /** Marks a connection closed by hacheck and ends it (destroyed if the server does not answer in 1 s). */
  private end(c: Conn): Promise<void> {
    this.markDead(
      c,
      withoutStack(() => new ConnFailure('disconnected', c.target, 'connection closed by hacheck')),
    )
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        c.client.destroy()
        resolve()
      }, 1000)
      c.client.once('close', () => {
        clearTimeout(t)
        resolve()
      })
      c.client.end()
    })
  }

  // ---------------------------------------------------------------- nodes

  /** Holds one of `concurrency` node slots while any command of the node is in flight. */
  private async enterNode(node: NodeSpec, abort?: AbortSignal): Promise<() => void> {
    const key = node.name
    let slot = this.nodeSlots.get(key)
    if (!slot) {
      slot = {count: 0, ready: this.nodeSem.acquire()}
      this.nodeSlots.set(key, slot)
    }
    const s = slot
    s.count++
    let left = false
    const leave = (): void => {
      if (left) return
      left = true
      s.count--
      if (s.count === 0) {
        if (this.nodeSlots.get(key) === s) this.nodeSlots.delete(key)
        void s.ready.then((release) => release())
      }
    }
    try {
      await raceAbort(s.ready, abort)
    } catch (e) {
      leave()
      throw e
    }
    return leave
  }

  private async nodeContext(node: NodeSpec): Promise<NodeContext> {
    const cfgFile = node.ssh.configFile === undefined ? this.o.sshConfigFile : node.ssh.configFile
    let lookup: SshConfigLookup | undefined
    if (cfgFile !== false) {
      let p = this.configs.get(cfgFile)
      if (!p) {
        p = loadSshConfig(cfgFile)
        this.configs.set(cfgFile, p)
      }
      lookup = await p
    }
    const {agent, passphrase} = nodeCredentials(node, this.o.agentSocket)
    return {node, lookup, agent, passphrase, identityFiles: node.ssh.identityFiles ?? []}
  }

  private async connection(node: NodeSpec): Promise<Conn> {
    const ctx = await this.nodeContext(node)
    const rctx = {home: this.home, localUser: this.localUser}
    const target = resolveEndpoint(
      node.host,
      {
        user: node.ssh.user,
        port: node.port ?? node.ssh.port,
        identityFiles: node.ssh.identityFiles,
        proxyJump: node.ssh.proxyJump,
      },
      ctx.lookup,
      rctx,
    )
    let via: Conn | undefined
    for (const hop of target.proxyJump) {
      const ep = resolveEndpoint(hop.host, {user: hop.user, port: hop.port}, ctx.lookup, rctx)
      if (ep.defaultIdentities && ctx.identityFiles.length) {
        ep.identityFiles = [...ctx.identityFiles, ...ep.identityFiles]
      }
      via = await this.endpoint('jump', ep, via, ctx)
    }
    return this.endpoint('node', target, via, ctx)
  }

  /** The shared connection to an endpoint (reached through `via`), opened once. */
  private endpoint(
    kind: Target['kind'],
    ep: ResolvedEndpoint,
    via: Conn | undefined,
    ctx: NodeContext,
  ): Promise<Conn> {
    const key = `${ep.user}@${ep.host}:${ep.port}${via ? ` via ${via.key}` : ''}`
    const existing = this.conns.get(key)
    if (existing) {
      const settled = this.resolved.get(key)
      if (!settled?.dead) return existing
      this.conns.delete(key)
      this.resolved.delete(key)
    }
    const p = this.open(kind, key, ep, via, ctx)
    this.conns.set(key, p)
    p.catch(() => {
      if (this.conns.get(key) === p) this.conns.delete(key)
    })
    return p
  }

  private async open(
    kind: Target['kind'],
    key: string,
    ep: ResolvedEndpoint,
    via: Conn | undefined,
    ctx: NodeContext,
  ): Promise<Conn> {
    const started = performance.now()
    const conn = await openConnection({kind, key, ep, via, ctx}, this.connector)
    this.counters.connectionsOpened++
    if (this.closed) {
      conn.client.end()
      throw new ConnFailure('disconnected', conn.target, 'connection pool closed')
    }
    this.resolved.set(key, conn)
    log().debug(
      {
        node: ctx.node.name,
        host: `${ep.host}:${ep.port}`,
        user: ep.user,
        kind,
        durationMs: Math.round(performance.now() - started),
      },
      'ssh connected',
    )
    return conn
  }

  private markDead(conn: Conn, f: ConnFailure): void {
    if (conn.dead) return
    conn.dead = f
    if (this.resolved.get(conn.key) === conn) {
      this.resolved.delete(conn.key)
      this.conns.delete(conn.key)
    }
    for (const reject of [...conn.inflight]) reject(f)
    conn.inflight.clear()
  }

  private toTransportError(node: NodeSpec, e: unknown): unknown {
    if (!(e instanceof ConnFailure)) return e
    const message = `node ${node.name} ${describeTarget(e.target)}: ${e.detail}`
    log().warn({node: node.name, host: `${e.target.host}:${e.target.port}`, code: e.code}, message)
    return new TransportError(
      e.code,
      message,
      {node: node.name, host: e.target.host, port: e.target.port},
      {actions: e.actions, cause: e.cause},
    )
  }
}

/**
 * Creates the SSH command runner for one run: connections open lazily, one
 * per node, and are reused until close(). See {@link SshPoolOptions} for the
 * options (all optional): concurrency 32, maxChannelsPerConnection 8,
 * connectTimeoutMs 10 s, commandTimeoutMs 5 min, killAfterMs 2 s, keepalive
 * 2 s × 3, maxOutputBytes 16 MiB, acceptNewHostKeys false, knownHostsFiles,
 * ownKnownHostsFile, sshConfigFile, agentSocket.
 */
export function createSshPool(opts: SshPoolOptions = {}): SshPool {
  return new SshPool(opts)
}
