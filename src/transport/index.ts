/**
 * Transport: running commands on nodes (SSH) and on the controller (local).
 * Importing this module does not load ssh2 or execa; they load on first use.
 */
export {TransportError, type TransportErrorCode} from './errors.js'
export {createSshPool, SshPool, type SshPoolOptions, type SshPoolStats} from './ssh-pool.js'
export {runLocal, type LocalRunOptions} from './local.js'
export {Semaphore} from './semaphore.js'
export {
  checkHostKey,
  fingerprint,
  knownHostsName,
  parseKnownHosts,
  type HostKeyCheck,
  type KnownHostEntry,
} from './known-hosts.js'
