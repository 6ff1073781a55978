/**
 * The connection model shared by the SSH pool's parts (ssh-pool.ts, ssh-connect.ts,
 * ssh-host-keys.ts, ssh-auth.ts, ssh-exec.ts): one endpoint, one open connection,
 * the failure tied to an endpoint, and the lazy load of ssh2.
 */
import type {Client} from 'ssh2'

import type {NodeSpec} from '../core/types.js'
import type {TransportErrorCode} from './errors.js'
import type {Semaphore} from './semaphore.js'
import type {SshConfigLookup} from './ssh-config.js'

export type Ssh2 = typeof import('ssh2')
let ssh2Loading: Promise<Ssh2> | undefined
/** ssh2, imported on first use so that commands which never connect (`--help`) do not pay for it. */
export function loadSsh2(): Promise<Ssh2> {
  // ssh2 is CommonJS: Node detects only some of its named exports (not `utils`),
  // so use module.exports, which ESM exposes as `default`.
  ssh2Loading ??= import('ssh2').then((m) => (m as Ssh2 & {default?: Ssh2}).default ?? m)
  return ssh2Loading
}

export interface Target {
  kind: 'node' | 'jump'
  /** Alias of the endpoint as written in the inventory or ProxyJump. */
  name: string
  user: string
  host: string
  port: number
}

/** A failure tied to one endpoint; the pool turns it into a TransportError naming the node. */
export class ConnFailure extends Error {
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

export interface Conn {
  key: string
  target: Target
  client: Client
  channels: Semaphore
  inflight: Set<(f: ConnFailure) => void>
  /** Names of the nodes that ran commands on it and have not released it. */
  users: Set<string>
  dead?: ConnFailure
}

/** What connecting for one node needs besides the endpoint. */
export interface NodeContext {
  node: NodeSpec
  lookup: SshConfigLookup | undefined
  agent: string | undefined
  passphrase: string | undefined
  /** The inventory's identity files (also tried on jump hosts that have none configured). */
  identityFiles: string[]
}

export function describeTarget(t: Target): string {
  const where = `${t.user}@${t.host}:${t.port}`
  return t.kind === 'jump' ? `via jump host ${t.name} (${where})` : `(${where})`
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

/**
 * An error of an expected event (hacheck closing a connection it is done with),
 * built without capturing a stack trace: that costs more than the rest of
 * closing the connection, once per node.
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

export function raceAbort<T>(p: Promise<T>, abort?: AbortSignal): Promise<T> {
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
