/** Why a node could not be examined, in the view's words (pure). */
import type {ReachReason} from '../view/types.js'

/** Why a node could not be examined, from a transport error's code and words. */
export function reachReason(code: unknown, message: string): ReachReason {
  switch (code) {
    case 'timeout':
      return 'timeout'
    case 'auth-failed':
      return 'auth'
    case 'host-key-unknown':
    case 'host-key-changed':
      return 'host-key'
    case 'sudo-password-required':
      return 'sudo'
    case 'disconnected':
      return 'disconnected'
  }
  if (/refused/i.test(message)) return 'refused'
  if (/no route|network unreachable|EHOSTUNREACH|ENETUNREACH/i.test(message)) return 'no-route'
  if (/resolve|DNS|ENOTFOUND|EAI_AGAIN/i.test(message)) return 'dns'
  return 'unreachable'
}
