import {IncompleteError} from '../core/errors.js'

/** Why a node could not be worked on. Stable: callers map these to findings and report text. */
export type TransportErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'sudo-password-required'
  | 'disconnected'

/**
 * A connection-level failure (never a command's own non-zero exit). The message
 * is one line for the operator and always names the node and host:port;
 * `actions` holds follow-up hints. Exit code 3 (could not complete).
 */
export class TransportError extends IncompleteError {
  declare readonly code: TransportErrorCode
  readonly node: string
  readonly host: string
  readonly port: number

  constructor(
    code: TransportErrorCode,
    message: string,
    where: {node: string; host: string; port: number},
    opts: {actions?: string[]; cause?: unknown} = {},
  ) {
    super(message, {code, actions: opts.actions, cause: opts.cause})
    this.name = 'TransportError'
    this.node = where.node
    this.host = where.host
    this.port = where.port
  }
}
