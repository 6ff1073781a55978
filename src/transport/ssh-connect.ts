/**
 * Opening one SSH connection (to a node or a jump host, directly or through
 * the previous hop): host-key check and authentication set up, the handshake,
 * and every way it can fail, in words.
 */
import type {Readable} from 'node:stream'

import type {AnyAuthMethod, ConnectConfig, ServerHostKeyAlgorithm} from 'ssh2'

import type {TransportErrorCode} from './errors.js'
import {knownHostsName, knownKeyTypes, preferredHostKeyAlgorithms} from './known-hosts.js'
import {Semaphore} from './semaphore.js'
import {authFailure, type AuthPlan, type Identities} from './ssh-auth.js'
import type {ResolvedEndpoint} from './ssh-config.js'
import {ConnFailure, type Conn, loadSsh2, type NodeContext, seconds, type Target} from './ssh-conn.js'
import type {HostKeys} from './ssh-host-keys.js'

export interface ConnectSettings {
  connectTimeoutMs: number
  keepaliveIntervalMs: number
  keepaliveCountMax: number
  maxChannelsPerConnection: number
}

/** One connection to open: which endpoint, through which hop, for which node. */
export interface OpenRequest {
  kind: Target['kind']
  key: string
  ep: ResolvedEndpoint
  via: Conn | undefined
  ctx: NodeContext
}

/** What opening needs from the pool: settings, the run's caches, and where a lost connection is reported. */
export interface Connector {
  settings: ConnectSettings
  hostKeys: HostKeys
  identities: Identities
  /** A connection that was up is gone (or ended): fail what runs on it. */
  lost: (conn: Conn, f: ConnFailure) => void
}

type SshError = Error & {level?: string; code?: string}

/** Opens a connection; resolves once it is authenticated, rejects with a ConnFailure. */
export async function openConnection(req: OpenRequest, c: Connector): Promise<Conn> {
  const {kind, key, ep, via, ctx} = req
  const target: Target = {kind, name: ep.alias, user: ep.user, host: ep.host, port: ep.port}
  const names = [knownHostsName(ep.hostKeyName, ep.port)]
  const [ssh2, entries] = await Promise.all([loadSsh2(), c.hostKeys.entriesFor(ep, ctx.node, names)])
  const auth = await c.identities.plan(ssh2, ep, ctx)
  const sock = via ? await forward(via, target, c.settings.connectTimeoutMs) : undefined
  const client = new ssh2.Client()
  const conn: Conn = {
    key,
    target,
    client,
    channels: new Semaphore(c.settings.maxChannelsPerConnection),
    inflight: new Set(),
    users: new Set(),
  }
  let hostKeyFailure: ConnFailure | undefined
  const hostVerifier = c.hostKeys.verifier({target, ep, node: ctx.node, names, entries}, (f) => {
    hostKeyFailure = f
  })
  const methods = auth.methods
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    sock,
    readyTimeout: c.settings.connectTimeoutMs,
    keepaliveInterval: c.settings.keepaliveIntervalMs,
    keepaliveCountMax: c.settings.keepaliveCountMax,
    hostVerifier,
    algorithms: {
      serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(entries, names)) as ServerHostKeyAlgorithm[],
    },
    // `false` ends authentication (ssh2 supports it; @types/ssh2 omits it).
    authHandler: (_left, _partial, next) => next((methods.shift() ?? false) as AnyAuthMethod),
  }
  await handshake(
    conn,
    config,
    c,
    (err) =>
      hostKeyFailure ??
      (err
        ? connectFailure(err, target, auth, c.settings)
        : new ConnFailure('disconnected', target, 'connection closed during the SSH handshake')),
  )
  return conn
}

/**
 * Connects `conn.client` and waits for 'ready'. `failure(lastError)` says why
 * a handshake failed (lastError is undefined when the server just closed);
 * after 'ready', a close is reported to `c.lost`.
 */
function handshake(
  conn: Conn,
  config: ConnectConfig,
  c: Connector,
  failure: (err: SshError | undefined) => ConnFailure,
): Promise<void> {
  const {client, target} = conn
  return new Promise<void>((resolve, reject) => {
    let ready = false
    let lastError: SshError | undefined
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
    client.on('error', (err: SshError) => {
      lastError = err
      if (!ready) fail(failure(err))
    })
    client.on('close', () => {
      if (!ready) return fail(failure(lastError))
      c.lost(conn, new ConnFailure('disconnected', target, lostReason(lastError, c.settings), [], lastError))
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
}

function lostReason(lastError: SshError | undefined, s: ConnectSettings): string {
  return lastError?.message === 'Keepalive timeout'
    ? `connection lost: no answer to ${s.keepaliveCountMax} SSH keepalives in ${seconds(s.keepaliveIntervalMs * (s.keepaliveCountMax + 1))} (node down, frozen or network cut)`
    : `connection lost${lastError ? `: ${lastError.message}` : ''}`
}

const SOCKET_REASONS: Record<string, [TransportErrorCode, string]> = {
  ECONNREFUSED: ['unreachable', 'connection refused (is sshd running on that port?)'],
  EHOSTUNREACH: ['unreachable', 'no route to host'],
  ENETUNREACH: ['unreachable', 'network unreachable'],
  ENOTFOUND: ['unreachable', 'host name does not resolve'],
  EAI_AGAIN: ['unreachable', 'host name lookup failed (DNS)'],
  ETIMEDOUT: ['timeout', 'TCP connect timed out'],
  ECONNRESET: ['disconnected', 'connection reset by peer'],
}

/** Why a handshake failed, from ssh2's error level and the socket's errno. */
export function connectFailure(
  err: SshError,
  target: Target,
  auth: Omit<AuthPlan, 'methods'>,
  s: Pick<ConnectSettings, 'connectTimeoutMs'>,
): ConnFailure {
  if (err.level === 'client-authentication') return authFailure(err, target, auth)
  if (err.level === 'client-timeout') {
    return new ConnFailure(
      'timeout',
      target,
      `no SSH handshake within the connect timeout of ${seconds(s.connectTimeoutMs)}`,
      ['Check that the address and port are right and that a firewall does not drop the traffic.'],
      err,
    )
  }
  if (err.level === 'client-socket' || err.level === 'client-dns') {
    const code = err.code
    const [c, text] = (code && SOCKET_REASONS[code]) || ['unreachable', `cannot connect: ${err.message}`]
    return new ConnFailure(c, target, text, [], err)
  }
  return new ConnFailure('disconnected', target, `SSH handshake failed: ${err.message}`, [], err)
}

/** A direct-tcpip channel from a jump host to the next endpoint, bounded by the connect timeout. */
function forward(via: Conn, target: Target, connectTimeoutMs: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    if (via.dead) return reject(via.dead)
    const timer = setTimeout(
      () =>
        reject(
          new ConnFailure(
            'timeout',
            target,
            `jump host ${via.target.name} did not open a connection within ${seconds(connectTimeoutMs)}`,
          ),
        ),
      connectTimeoutMs,
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
