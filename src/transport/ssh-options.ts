/** The SSH pool's options (all optional) and their defaults. */
import {homedir} from 'node:os'
import {join} from 'node:path'

import {stateDir} from '../cli/paths.js'
import type {Semaphore} from './semaphore.js'

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

const MiB = 1024 * 1024

/** The options with their defaults filled in. */
export type Settings = Required<Omit<SshPoolOptions, 'agentSocket' | 'sshConfigFile' | 'nodeSemaphore'>> & {
  agentSocket: string | false
  sshConfigFile: string | false
}

export function settingsOf(opts: SshPoolOptions): Settings {
  const home = homedir()
  return {
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
}
