/**
 * Authentication of the SSH pool: ssh-agent and identity files (each read and
 * parsed once per run and passphrase, whatever the number of nodes), in the
 * order ssh2 tries them, and what to say when none is accepted.
 */
import {readFile} from 'node:fs/promises'

import type {AnyAuthMethod, ParsedKey} from 'ssh2'

import {log} from '../cli/logger.js'
import {registerSecret} from '../core/secrets.js'
import type {NodeSpec} from '../core/types.js'
import {ConnFailure, type NodeContext, type Ssh2, type Target} from './ssh-conn.js'
import type {ResolvedEndpoint} from './ssh-config.js'

/** The methods offered to one endpoint, in order, and what was tried or skipped (for messages). */
export interface AuthPlan {
  methods: AnyAuthMethod[]
  tried: string[]
  notes: string[]
}

type Identity = ParsedKey | Error | {unreadable: string}

/** The ssh-agent socket and key passphrase of a node (the passphrase is registered as a secret). */
export function nodeCredentials(
  node: NodeSpec,
  agentSocket: string | false,
): {agent: string | undefined; passphrase: string | undefined} {
  let passphrase: string | undefined
  if (node.ssh.passphraseEnv) {
    passphrase = process.env[node.ssh.passphraseEnv]
    registerSecret(passphrase)
  }
  const agent = node.ssh.agent === false || agentSocket === false ? undefined : agentSocket || undefined
  return {agent, passphrase}
}

/** Identity files read and parsed once per run and passphrase (not once per node). */
export class Identities {
  private readonly parsed = new Map<string, Promise<Identity>>()

  get(ssh2: Ssh2, file: string, passphrase: string | undefined): Promise<Identity> {
    const key = `${file}\0${passphrase ?? ''}`
    let p = this.parsed.get(key)
    if (!p) {
      p = readFile(file).then(
        (data) => ssh2.utils.parseKey(data, passphrase),
        (e: unknown) => ({unreadable: (e as NodeJS.ErrnoException).code ?? String(e)}),
      )
      this.parsed.set(key, p)
    }
    return p
  }

  /** The agent first, then every identity file that parses; unreadable or locked ones become notes. */
  async plan(ssh2: Ssh2, ep: ResolvedEndpoint, ctx: NodeContext): Promise<AuthPlan> {
    const methods: AnyAuthMethod[] = []
    const tried: string[] = []
    const notes: string[] = []
    if (ctx.agent) {
      methods.push({type: 'agent', username: ep.user, agent: ctx.agent})
      tried.push('ssh-agent')
    }
    for (const file of ep.identityFiles) {
      const parsed = await this.get(ssh2, file, ctx.passphrase)
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
}

/** The server accepted none of the credentials (or there were none). */
export function authFailure(err: Error, target: Target, auth: Omit<AuthPlan, 'methods'>): ConnFailure {
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
