/**
 * The SSH transport: one ssh2 connection per node for a whole run, commands as
 * exec channels on it. Design notes (host key policy, kill strategy, sudo, jump
 * hosts) are in docs/transport.md. ssh2 is imported lazily so that commands
 * which never connect (`--help`) do not pay for loading it.
 */
import {randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {homedir, userInfo} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import type {Readable} from 'node:stream'
import {StringDecoder} from 'node:string_decoder'

import type {
  AnyAuthMethod,
  Client,
  ClientChannel,
  ConnectConfig,
  ParsedKey,
  ServerHostKeyAlgorithm,
} from 'ssh2'

import {log} from '../cli/logger.js'
import {stateDir} from '../cli/paths.js'
import {registerSecret} from '../core/secrets.js'
import type {CommandResult, CommandRunner, CommandSpec, NodeSpec} from '../core/types.js'
import {TransportError, type TransportErrorCode} from './errors.js'
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  type KnownHostEntry,
  KnownHostsIndex,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  readKnownHostsFile,
} from './known-hosts.js'
import {CappedBuffer} from './output.js'
import {buildRemoteCommand, killCommand, summarizeCommand} from './remote-command.js'
import {Semaphore} from './semaphore.js'
import {loadSshConfig, resolveEndpoint, type ResolvedEndpoint, type SshConfigLookup} from './ssh-config.js'

type Ssh2 = typeof import('ssh2')
let ssh2Loading: Promise<Ssh2> | undefined
function loadSsh2(): Promise<Ssh2> {
  // ssh2 is CommonJS: Node detects only some of its named exports (not `utils`),
  // so use module.exports, which ESM exposes as `default`.
  ssh2Loading ??= import('ssh2').then((m) => (m as Ssh2 & {default?: Ssh2}).default ?? m)
  return ssh2Loading
}

/** Options of {@link createSshPool}. Every field is optional. */
export interface SshPoolOptions {
  /** Nodes worked on at once (connecting or running commands). Default 32. */
  concurrency?: number
  /**
   * Commands (exec channels) open at once on one connection; more are queued.
   * OpenSSH's MaxSessions defaults to 10. Default 8. Lowered automatically when
   * a server refuses a channel.
   */
  maxChannelsPerConnection?: number
  /** TCP connect + SSH handshake + authentication, per hop (ssh2 readyTimeout). Default 10 000 ms. */
  connectTimeoutMs?: number
  /** Timeout of commands that do not set `timeoutMs`. Default 300 000 ms. */
  commandTimeoutMs?: number
  /** On the node, KILL follows TERM this long after a command's timeout. Default 2 000 ms. */
  killAfterMs?: number
  /** SSH keepalive interval; a peer is declared dead after `keepaliveCountMax` unanswered ones. Default 2 000 ms. */
  keepaliveIntervalMs?: number
  /** Default 3 (so a dead peer is noticed within about 6-8 s). */
  keepaliveCountMax?: number
  /** Cap of each of stdout and stderr of commands that do not set `maxOutputBytes`. Default 16 MiB. */
  maxOutputBytes?: number
  /**
   * Record unknown host keys in `ownKnownHostsFile` instead of refusing them
   * (the `--accept-new-host-keys` flag). A changed or revoked key is refused regardless.
   */
  acceptNewHostKeys?: boolean
  /**
   * known_hosts files read for every node, in addition to each node's
   * `ssh.knownHosts`, UserKnownHostsFile/GlobalKnownHostsFile from ssh config and
   * `ownKnownHostsFile`. Default ~/.ssh/known_hosts, ~/.ssh/known_hosts2,
   * /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2.
   */
  knownHostsFiles?: string[]
  /** hacheck's own known_hosts (read, and appended to by acceptNewHostKeys). Default `<stateDir>/known_hosts`. */
  ownKnownHostsFile?: string
  /** ssh config for nodes whose `ssh.configFile` is unset; false for none. Default ~/.ssh/config. */
  sshConfigFile?: string | false
  /** ssh-agent socket; false disables the agent for every node. Default $SSH_AUTH_SOCK. */
  agentSocket?: string | false
  /**
   * The node slots, shared with other pools: a fleet gives every cluster its own pool (closed when
   * the cluster is done) and one semaphore, the global budget. Default: a semaphore of `concurrency`.
   */
  nodeSemaphore?: Semaphore
}

/** Counters for tests and --verbose summaries. */
export interface SshPoolStats {
  /** Connections (including jump hops) opened successfully since the pool was created. */
  connectionsOpened: number
  /** Connections open now. */
  connectionsOpen: number
  /** Commands finished (any exit code). */
  commands: number
}

interface Target {
  kind: 'node' | 'jump'
  /** Alias of the endpoint as written in the inventory or ProxyJump. */
  name: string
  user: string
  host: string
  port: number
}

/** A failure tied to one endpoint; run() turns it into a TransportError naming the node. */
class ConnFailure extends Error {
  constructor(
    readonly code: TransportErrorCode,
    readonly target: Target,
    readonly detail: string,
    readonly actions: string[] = [],
    cause?: unknown,
  ) {
    super(detail, cause === undefined ? undefined : {cause})
  }
}

interface Conn {
  key: string
  target: Target
  client: Client
  channels: Semaphore
  inflight: Set<(f: ConnFailure) => void>
  /** Names of the nodes that ran commands on it and have not released it. */
  users: Set<string>
  dead?: ConnFailure
}

interface NodeContext {
  node: NodeSpec
  lookup: SshConfigLookup | undefined
  agent: string | undefined
  passphrase: string | undefined
  /** The inventory's identity files (also tried on jump hosts that have none configured). */
  identityFiles: string[]
}

const MiB = 1024 * 1024

/**
 * An error of an expected event (hacheck closing a connection it is done with),
 * built without capturing a stack trace: that costs more than the rest of
 * closing the connection, once per node.
 */
function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

function describeTarget(t: Target): string {
  const where = `${t.user}@${t.host}:${t.port}`
  return t.kind === 'jump' ? `via jump host ${t.name} (${where})` : `(${where})`
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

function raceAbort<T>(p: Promise<T>, abort?: AbortSignal): Promise<T> {
  if (!abort) return p
  if (abort.aborted) return Promise.reject(abort.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abort.reason)
    abort.addEventListener('abort', onAbort, {once: true})
    p.then(
      (v) => {
        abort.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        abort.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

export class SshPool implements CommandRunner {
  private readonly o: Required<Omit<SshPoolOptions, 'agentSocket' | 'sshConfigFile' | 'nodeSemaphore'>> & {
    agentSocket: string | false
    sshConfigFile: string | false
  }
  private readonly conns = new Map<string, Promise<Conn>>()
  /** The settled, successful entries of `conns`. */
  private readonly resolved = new Map<string, Conn>()
  private readonly nodeSem: Semaphore
  private readonly nodeSlots = new Map<string, {count: number; ready: Promise<() => void>}>()
  private readonly configs = new Map<string, Promise<SshConfigLookup | undefined>>()
  private readonly knownHosts = new Map<string, Promise<KnownHostsIndex>>()
  private readonly identities = new Map<string, Promise<ParsedKey | Error | {unreadable: string}>>()
  private ownWrites: Promise<unknown> = Promise.resolve()
  /** Node name → the connection its commands run on (jump hosts are never in here). */
  private readonly usedBy = new Map<string, Conn>()
  /** Connections ended by release(), awaited by close(). */
  private readonly ending = new Set<Promise<void>>()
  private closed = false
  private readonly counters = {connectionsOpened: 0, commands: 0}
  private readonly home = homedir()
  private readonly localUser = userInfo().username

  constructor(opts: SshPoolOptions = {}) {
    const home = homedir()
    this.o = {
      concurrency: opts.concurrency ?? 32,
      maxChannelsPerConnection: opts.maxChannelsPerConnection ?? 8,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      commandTimeoutMs: opts.commandTimeoutMs ?? 300_000,
      killAfterMs: opts.killAfterMs ?? 2_000,
      keepaliveIntervalMs: opts.keepaliveIntervalMs ?? 2_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      maxOutputBytes: opts.maxOutputBytes ?? 16 * MiB,
      acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
      knownHostsFiles: opts.knownHostsFiles ?? [
        join(home, '.ssh', 'known_hosts'),
        join(home, '.ssh', 'known_hosts2'),
        '/etc/ssh/ssh_known_hosts',
        '/etc/ssh/ssh_known_hosts2',
      ],
      ownKnownHostsFile: opts.ownKnownHostsFile ?? join(stateDir(), 'known_hosts'),
      sshConfigFile: opts.sshConfigFile ?? join(home, '.ssh', 'config'),
      agentSocket: opts.agentSocket ?? process.env.SSH_AUTH_SOCK ?? false,
    }
    this.nodeSem = opts.nodeSemaphore ?? new Semaphore(this.o.concurrency)
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
      const summary = summarizeCommand(cmd, sudo)
      for (let attempt = 0; ; attempt++) {
        const release = await conn.channels.acquire(abort)
        let result: CommandResult
        try {
          result = await this.exec(conn, inv, cmd, timeoutMs, abort, () => this.killRemote(conn, runId, sudo))
        } catch (e) {
          if (
            e instanceof Error &&
            /Channel open failure/i.test(e.message) &&
            !conn.dead &&
            conn.channels.inUse > 1 &&
            attempt < 8
          ) {
            // The server allows fewer sessions than we assumed (MaxSessions): queue behind the others.
            conn.channels.setLimit(conn.channels.inUse - 1)
            log().debug(
              {node: node.name, limit: conn.channels.currentLimit},
              'ssh channel refused, lowering per-connection limit',
            )
            continue
          }
          if (e instanceof ConnFailure || !(e instanceof Error) || e.name === 'AbortError') {
            throw e instanceof ConnFailure ? this.toTransportError(node, e) : e
          }
          if (abort?.aborted) throw e
          throw this.toTransportError(
            node,
            new ConnFailure('disconnected', conn.target, `cannot run a command: ${e.message}`, [], e),
          )
        } finally {
          release()
        }
        this.counters.commands++
        log().info(
          {
            node: node.name,
            host: `${conn.target.host}:${conn.target.port}`,
            command: summary,
            durationMs: result.durationMs,
            exitCode: result.exitCode,
            signal: result.signal,
            truncated: result.truncated ?? false,
            timedOut: result.timedOut ?? false,
          },
          'remote command',
        )
        if (
          sudo &&
          result.exitCode === 1 &&
          /^sudo: (a password is required|a terminal is required)/m.test(result.stderr)
        ) {
          throw new TransportError(
            'sudo-password-required',
            `node ${node.name} ${describeTarget(conn.target)}: sudo asks ${conn.target.user} for a password; hacheck runs "sudo -n" and needs passwordless sudo`,
            {node: node.name, host: conn.target.host, port: conn.target.port},
            {
              actions: [
                `Allow it in sudoers, e.g. "${conn.target.user} ALL=(root) NOPASSWD: ALL" (or the commands hacheck needs), or connect as root.`,
              ],
            },
          )
        }
        return result
      }
    } finally {
      leave()
    }
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
    let passphrase: string | undefined
    if (node.ssh.passphraseEnv) {
      passphrase = process.env[node.ssh.passphraseEnv]
      registerSecret(passphrase)
    }
    return {
      node,
      lookup,
      agent:
        node.ssh.agent === false || this.o.agentSocket === false
          ? undefined
          : this.o.agentSocket || undefined,
      passphrase,
      identityFiles: node.ssh.identityFiles ?? [],
    }
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

  // ---------------------------------------------------------------- connecting

  private async open(
    kind: Target['kind'],
    key: string,
    ep: ResolvedEndpoint,
    via: Conn | undefined,
    ctx: NodeContext,
  ): Promise<Conn> {
    const target: Target = {kind, name: ep.alias, user: ep.user, host: ep.host, port: ep.port}
    const started = performance.now()
    const names = [knownHostsName(ep.hostKeyName, ep.port)]
    const [ssh2, entries] = await Promise.all([loadSsh2(), this.knownHostsFor(ep, ctx.node, names)])
    const auth = await this.authMethods(ssh2, ep, ctx)
    const methods = auth.methods
    const sock = via ? await this.forward(via, target) : undefined
    const client = new ssh2.Client()
    const conn: Conn = {
      key,
      target,
      client,
      channels: new Semaphore(this.o.maxChannelsPerConnection),
      inflight: new Set(),
      users: new Set(),
    }
    let hostKeyFailure: ConnFailure | undefined
    const hostVerifier = (blob: Buffer, verify: (ok: boolean) => void): void => {
      const res = checkHostKey(entries, names, blob)
      if (res.status === 'known') return verify(true)
      const type = keyTypeOfBlob(blob)
      const fp = fingerprint(blob)
      if (res.status === 'revoked') {
        hostKeyFailure = new ConnFailure(
          'host-key-changed',
          target,
          `the ${type} host key ${fp} is marked @revoked in ${res.entry.file}:${res.entry.line}; refusing to connect`,
        )
        return verify(false)
      }
      if (res.status === 'changed') {
        const expected = res.expected
          .map((e) => `${e.keyType} ${fingerprint(e.key)} (${e.file}:${e.line})`)
          .join(', ')
        hostKeyFailure = new ConnFailure(
          'host-key-changed',
          target,
          `HOST KEY CHANGED, possible man-in-the-middle attack: the host presented ${type} ${fp} but known_hosts expects ${expected}; refusing to connect`,
          [
            'If the host was reinstalled and you verified the new key out of band, remove the old entry, e.g. ' +
              `ssh-keygen -R '${names[0]}' -f ${res.expected[0]?.file ?? '~/.ssh/known_hosts'}`,
          ],
        )
        return verify(false)
      }
      if (!this.o.acceptNewHostKeys) {
        hostKeyFailure = new ConnFailure(
          'host-key-unknown',
          target,
          `unknown host key ${type} ${fp} (not in any known_hosts file); verify it and add it, or pass --accept-new-host-keys`,
          [
            `Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add it: ssh-keyscan -p ${ep.port} ${ep.host} >> ~/.ssh/known_hosts`,
            `Or pass --accept-new-host-keys to record unknown keys in ${this.o.ownKnownHostsFile} (changed keys are still refused).`,
          ],
        )
        return verify(false)
      }
      this.recordHostKey(ep, blob, entries).then(
        () => {
          log().warn(
            {
              node: ctx.node.name,
              host: `${ep.host}:${ep.port}`,
              key: `${type} ${fp}`,
              file: this.o.ownKnownHostsFile,
            },
            'accepted new host key',
          )
          verify(true)
        },
        (e: unknown) => {
          hostKeyFailure = new ConnFailure(
            'host-key-unknown',
            target,
            `unknown host key ${type} ${fp} could not be recorded in ${this.o.ownKnownHostsFile}: ${e instanceof Error ? e.message : String(e)}`,
          )
          verify(false)
        },
      )
    }

    const config: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      sock,
      readyTimeout: this.o.connectTimeoutMs,
      keepaliveInterval: this.o.keepaliveIntervalMs,
      keepaliveCountMax: this.o.keepaliveCountMax,
      hostVerifier,
      algorithms: {
        serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(entries, names)) as ServerHostKeyAlgorithm[],
      },
      // `false` ends authentication (ssh2 supports it; @types/ssh2 omits it).
      authHandler: (_left, _partial, next) => next((methods.shift() ?? false) as AnyAuthMethod),
    }

    await new Promise<void>((resolve, reject) => {
      let ready = false
      let lastError: (Error & {level?: string}) | undefined
      const fail = (f: ConnFailure): void => {
        if (ready) return
        ready = true
        client.destroy()
        reject(f)
      }
      client.on('connect', () => client.setNoDelay(true))
      client.once('ready', () => {
        ready = true
        resolve()
      })
      client.on('error', (err: Error & {level?: string; code?: string}) => {
        lastError = err
        if (!ready) fail(hostKeyFailure ?? this.connectFailure(err, target, auth))
      })
      client.on('close', () => {
        if (!ready) {
          fail(
            hostKeyFailure ??
              (lastError
                ? this.connectFailure(lastError, target, auth)
                : new ConnFailure('disconnected', target, 'connection closed during the SSH handshake')),
          )
          return
        }
        const why =
          lastError?.message === 'Keepalive timeout'
            ? `connection lost: no answer to ${this.o.keepaliveCountMax} SSH keepalives in ${seconds(this.o.keepaliveIntervalMs * (this.o.keepaliveCountMax + 1))} (node down, frozen or network cut)`
            : `connection lost${lastError ? `: ${lastError.message}` : ''}`
        this.markDead(conn, new ConnFailure('disconnected', target, why, [], lastError))
      })
      try {
        client.connect(config)
      } catch (e) {
        fail(
          new ConnFailure(
            'unreachable',
            target,
            `cannot connect: ${e instanceof Error ? e.message : String(e)}`,
          ),
        )
      }
    })
    this.counters.connectionsOpened++
    if (this.closed) {
      client.end()
      throw new ConnFailure('disconnected', target, 'connection pool closed')
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

  private connectFailure(
    err: Error & {level?: string; code?: string},
    target: Target,
    auth: {tried: string[]; notes: string[]},
  ): ConnFailure {
    const code = err.code
    if (err.level === 'client-authentication') {
      const {tried, notes} = auth
      if (!tried.length) {
        return new ConnFailure(
          'auth-failed',
          target,
          `no credentials to log in as ${target.user}: ${notes.join('; ') || 'no ssh-agent and no identity file found'}`,
          [
            'Set ssh.identityFiles in the inventory or IdentityFile in ~/.ssh/config, or start ssh-agent (SSH_AUTH_SOCK).',
          ],
          err,
        )
      }
      return new ConnFailure(
        'auth-failed',
        target,
        `authentication as ${target.user} failed (tried ${tried.join(', ')}${notes.length ? `; skipped ${notes.join('; ')}` : ''})`,
        ['Check the user, and that one of those keys is in ~/.ssh/authorized_keys on the node.'],
        err,
      )
    }
    if (err.level === 'client-timeout') {
      return new ConnFailure(
        'timeout',
        target,
        `no SSH handshake within the connect timeout of ${seconds(this.o.connectTimeoutMs)}`,
        ['Check that the address and port are right and that a firewall does not drop the traffic.'],
        err,
      )
    }
    if (err.level === 'client-socket' || err.level === 'client-dns') {
      const reasons: Record<string, [TransportErrorCode, string]> = {
        ECONNREFUSED: ['unreachable', 'connection refused (is sshd running on that port?)'],
        EHOSTUNREACH: ['unreachable', 'no route to host'],
        ENETUNREACH: ['unreachable', 'network unreachable'],
        ENOTFOUND: ['unreachable', 'host name does not resolve'],
        EAI_AGAIN: ['unreachable', 'host name lookup failed (DNS)'],
        ETIMEDOUT: ['timeout', 'TCP connect timed out'],
        ECONNRESET: ['disconnected', 'connection reset by peer'],
      }
      const [c, text] = (code && reasons[code]) || ['unreachable', `cannot connect: ${err.message}`]
      return new ConnFailure(c, target, text, [], err)
    }
    return new ConnFailure('disconnected', target, `SSH handshake failed: ${err.message}`, [], err)
  }

  /** A direct-tcpip channel from a jump host to the next endpoint, bounded by the connect timeout. */
  private forward(via: Conn, target: Target): Promise<Readable> {
    return new Promise((resolve, reject) => {
      if (via.dead) return reject(via.dead)
      const timer = setTimeout(
        () =>
          reject(
            new ConnFailure(
              'timeout',
              target,
              `jump host ${via.target.name} did not open a connection within ${seconds(this.o.connectTimeoutMs)}`,
            ),
          ),
        this.o.connectTimeoutMs,
      )
      via.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => {
        clearTimeout(timer)
        if (err) {
          reject(
            new ConnFailure(
              'unreachable',
              target,
              `jump host ${via.target.name} cannot reach ${target.host}:${target.port}: ${err.message}`,
              [],
              err,
            ),
          )
        } else resolve(stream)
      })
    })
  }

  private async authMethods(
    ssh2: Ssh2,
    ep: ResolvedEndpoint,
    ctx: NodeContext,
  ): Promise<{methods: AnyAuthMethod[]; tried: string[]; notes: string[]}> {
    const methods: AnyAuthMethod[] = []
    const tried: string[] = []
    const notes: string[] = []
    if (ctx.agent) {
      methods.push({type: 'agent', username: ep.user, agent: ctx.agent})
      tried.push('ssh-agent')
    }
    for (const file of ep.identityFiles) {
      const parsed = await this.identity(ssh2, file, ctx.passphrase)
      if ('unreadable' in parsed) {
        if (!ep.defaultIdentities) notes.push(`cannot read ${file}: ${parsed.unreadable}`)
        continue
      }
      if (parsed instanceof Error) {
        const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message)
        const note = encrypted
          ? `${file} is encrypted and ${ctx.node.ssh.passphraseEnv ? `$${ctx.node.ssh.passphraseEnv} does not unlock it` : 'no passphraseEnv is set'}`
          : `${file}: ${parsed.message}`
        notes.push(note)
        log().warn({node: ctx.node.name, file}, `identity file skipped: ${note}`)
        continue
      }
      methods.push({type: 'publickey', username: ep.user, key: parsed})
      tried.push(file)
    }
    return {methods, tried, notes}
  }

  /** An identity file read and parsed once per run and passphrase (not once per node). */
  private identity(
    ssh2: Ssh2,
    file: string,
    passphrase: string | undefined,
  ): Promise<ParsedKey | Error | {unreadable: string}> {
    const key = `${file}\0${passphrase ?? ''}`
    let p = this.identities.get(key)
    if (!p) {
      p = readFile(file).then(
        (data) => ssh2.utils.parseKey(data, passphrase),
        (e: unknown) => ({unreadable: (e as NodeJS.ErrnoException).code ?? String(e)}),
      )
      this.identities.set(key, p)
    }
    return p
  }

  // ---------------------------------------------------------------- host keys

  private knownHostsFiles(ep: ResolvedEndpoint, node: NodeSpec): string[] {
    const files = [
      ...this.o.knownHostsFiles,
      ...(node.ssh.knownHosts ?? []),
      ...ep.knownHostsFiles,
      this.o.ownKnownHostsFile,
    ]
    return [...new Set(files)]
  }

  private readKnownHosts(file: string): Promise<KnownHostsIndex> {
    let p = this.knownHosts.get(file)
    if (!p) {
      p = readKnownHostsFile(file).then((entries) => new KnownHostsIndex(entries))
      this.knownHosts.set(file, p)
    }
    return p
  }

  /** The known_hosts entries that matter for `names` (see KnownHostsIndex.relevant), in file order. */
  private async knownHostsFor(
    ep: ResolvedEndpoint,
    node: NodeSpec,
    names: readonly string[],
  ): Promise<KnownHostEntry[]> {
    // Own writes first, so a key accepted for another node moments ago is seen.
    await this.ownWrites
    const lists = await Promise.all(this.knownHostsFiles(ep, node).map((f) => this.readKnownHosts(f)))
    return lists.flatMap((index) => index.relevant(names))
  }

  /** Appends an accepted key to hacheck's own known_hosts, once per host and key. */
  private recordHostKey(ep: ResolvedEndpoint, blob: Buffer, entries: KnownHostEntry[]): Promise<void> {
    const file = this.o.ownKnownHostsFile
    const line = formatKnownHostsLine(ep.hostKeyName, ep.port, blob)
    const write = this.ownWrites.then(async () => {
      const own = await this.readKnownHosts(file)
      const name = knownHostsName(ep.hostKeyName, ep.port)
      if (checkHostKey(own.relevant([name]), [name], blob).status !== 'known') {
        await appendKnownHost(file, line)
        own.add(parseKnownHosts(line, file))
      }
      // Later handshakes on this connection (re-keying) must find it too.
      entries.push(...parseKnownHosts(line, file))
    })
    this.ownWrites = write.catch(() => undefined)
    return write
  }

  // ---------------------------------------------------------------- commands

  private exec(
    conn: Conn,
    inv: {command: string; stdin: string},
    cmd: CommandSpec,
    timeoutMs: number,
    abort: AbortSignal | undefined,
    killRemote: () => void,
  ): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      if (conn.dead) return reject(conn.dead)
      const cap = cmd.maxOutputBytes ?? this.o.maxOutputBytes
      const out = new CappedBuffer(cap, 'stdout')
      const err = new CappedBuffer(cap, 'stderr')
      let started = performance.now()
      let exitCode: number | null = null
      let signal: string | undefined
      let channel: ClientChannel | undefined
      let settled = false

      const result = (forcedTimeout: boolean): CommandResult => {
        const durationMs = Math.round(performance.now() - started)
        const killedByTimeout =
          forcedTimeout ||
          (durationMs >= timeoutMs - 50 &&
            (exitCode === 124 || exitCode === 137 || signal === 'SIGKILL' || signal === 'SIGTERM'))
        const r: CommandResult = {stdout: out.text(), stderr: err.text(), exitCode, durationMs}
        if (signal) r.signal = signal
        if (out.truncated || err.truncated) r.truncated = true
        if (killedByTimeout) r.timedOut = true
        return r
      }
      const finish = (f: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(hardDeadline)
        abort?.removeEventListener('abort', onAbort)
        conn.inflight.delete(onDead)
        f()
      }
      const stop = (): void => {
        // Not an SSH "signal" request: OpenSSH refuses those on root sessions.
        if (channel) killRemote()
        try {
          channel?.close()
        } catch {
          // channel already gone
        }
      }
      const onDead = (f: ConnFailure): void => finish(() => reject(f))
      const onAbort = (): void => {
        // TERM reaches `timeout`, which kills the command's process group (KILL after killAfterMs).
        stop()
        finish(() => reject(abort?.reason))
      }
      // The node kills the command itself at timeoutMs (+ killAfterMs); this is
      // only the backstop for a node that stopped answering.
      const hardDeadline = setTimeout(
        () => {
          stop()
          finish(() => resolve(result(true)))
        },
        timeoutMs + this.o.killAfterMs + 5_000,
      )
      conn.inflight.add(onDead)
      abort?.addEventListener('abort', onAbort, {once: true})

      try {
        conn.client.exec(inv.command, (e, ch) => {
          if (e) return finish(() => reject(e))
          if (settled) {
            // aborted while the channel was opening: the command may already run
            killRemote()
            ch.close()
            return
          }
          channel = ch
          started = performance.now()
          const live = cmd.onStdout
          const decoder = live ? new StringDecoder('utf8') : undefined
          ch.on('data', (d: Buffer) => {
            out.push(d)
            if (!live || !decoder) return
            const text = decoder.write(d)
            try {
              if (text) live(text)
            } catch (e) {
              log().warn({node: conn.target.host, err: e}, 'onStdout callback failed')
            }
          })
          ch.stderr.on('data', (d: Buffer) => err.push(d))
          ch.on('exit', (code: number | null, sig?: string) => {
            exitCode = code
            if (sig) signal = sig.startsWith('SIG') ? sig : `SIG${sig}`
          })
          ch.on('close', () => finish(() => resolve(result(false))))
          ch.on('error', () => {
            // errors on a channel are followed by 'close'
          })
          ch.end(inv.stdin)
        })
      } catch (e) {
        // ssh2 throws "Not connected" when the socket is already gone
        finish(() =>
          reject(
            new ConnFailure(
              'disconnected',
              conn.target,
              `connection lost: ${e instanceof Error ? e.message : String(e)}`,
              [],
              e,
            ),
          ),
        )
      }
    })
  }

  /** Best effort: a side channel that TERMs a running command by its run id (see killCommand). */
  private killRemote(conn: Conn, runId: string, sudo: boolean): void {
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
