/**
 * Shared domain types. No I/O here: transport, facts, checks, chaos and
 * reporters all depend on these and on nothing of each other's internals.
 */

/** Objectives declared by the operator, in milliseconds. */
export interface Objectives {
  rtoMs?: number
  rpoMs?: number
}

export interface BmcRef {
  host: string
  port?: number
  user: string
  /** Name of the environment variable holding the BMC password (the password itself is never stored). */
  passwordEnv?: string
  /** ipmitool interface; lanplus (IPMI 2.0) by default. */
  interface?: 'lanplus' | 'lan'
  /** RMCP+ cipher suite id for lanplus (-C); 3 by default (17 is not supported by every BMC). */
  cipher?: number
}

/** SSH settings after merging inventory defaults, per-node values and ~/.ssh/config. */
export interface SshSettings {
  user?: string
  port?: number
  /** Absolute paths of private keys to try, in order. */
  identityFiles?: string[]
  /** Environment variable that holds the passphrase of encrypted identity files. */
  passphraseEnv?: string
  /** Extra known_hosts files (absolute), checked in addition to ~/.ssh/known_hosts. */
  knownHosts?: string[]
  /** Jump hosts, OpenSSH ProxyJump syntax: [user@]host[:port][,…] */
  proxyJump?: string
  /** Run commands through `sudo -n` (for non-root users). Defaults to true when user is not root. */
  sudo?: boolean
  /** Use ssh-agent via SSH_AUTH_SOCK when set. Default true. */
  agent?: boolean
  /** Read ~/.ssh/config (or this file). Default ~/.ssh/config. */
  configFile?: string | false
}

export interface NodeSpec {
  name: string
  /** Address or name to connect to (may be an alias resolved through ~/.ssh/config). */
  host: string
  port?: number
  roles: string[]
  ssh: SshSettings
  bmc?: BmcRef
  /** Free-form labels for checklists (`when`). */
  labels?: Record<string, string>
}

export interface ClusterSpec {
  name: string
  stack: 'pacemaker' | 'generic'
  objectives: Objectives
  vip?: string
  /** Free-form extra keys kept for checks (e.g. peak load, service port). */
  [key: string]: unknown
}

export interface Inventory {
  /** Absolute path of the file it was loaded from, when loaded from a file. */
  file?: string
  cluster: ClusterSpec
  /** Named CIDRs: public, heartbeat, management, storage, … */
  networks: Record<string, string>
  nodes: NodeSpec[]
}

/** One command to run on a node. argv is quoted by one escape function; never build shell strings by hand. */
export interface CommandSpec {
  /** The program and its arguments. Mutually exclusive with `script`. */
  argv?: readonly string[]
  /** A bash script, sent on stdin to `bash -s` (so it never shows in argv or process lists). */
  script?: string
  /** Run through `sudo -n` when the node's user is not root. */
  sudo?: boolean
  stdin?: string
  /** Kill the remote command (its whole process group) after this long. */
  timeoutMs?: number
  /** Cap each of stdout and stderr; the rest is dropped and a truncation marker appended. */
  maxOutputBytes?: number
  /** Extra environment for the remote command (always LC_ALL=C on top). */
  env?: Record<string, string>
  /**
   * Called with stdout as it arrives (UTF-8, in chunks of any size), for a long-running command read
   * live (e.g. a monitor that prints on every change). stdout is still collected, capped, in the result.
   */
  onStdout?: (text: string) => void
}

export interface CommandResult {
  stdout: string
  stderr: string
  /** null when the command was killed by a signal or the channel closed without an exit status. */
  exitCode: number | null
  signal?: string
  durationMs: number
  /** true when stdout or stderr was cut at maxOutputBytes. */
  truncated?: boolean
  /** true when hacheck killed the command at timeoutMs. */
  timedOut?: boolean
}

export interface CommandRunner {
  run(node: NodeSpec, cmd: CommandSpec, abort?: AbortSignal): Promise<CommandResult>
  /** No more commands on this node for now: the runner may close its connection (a later run reconnects). */
  release?(node: NodeSpec): void
  close(): Promise<void>
}
