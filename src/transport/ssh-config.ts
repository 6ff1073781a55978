/**
 * Where and as whom to connect: inventory settings first, then ~/.ssh/config
 * (parsed by the `ssh-config` package), then OpenSSH's defaults. Pure except
 * loadSshConfig.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

/** One hop of an OpenSSH ProxyJump value. */
export interface HopSpec {
  user?: string
  host: string
  port?: number
}

/** Settings that came from the inventory (they win over ~/.ssh/config). */
export interface ExplicitSettings {
  user?: string
  port?: number
  identityFiles?: readonly string[]
  proxyJump?: string
}

export interface ResolvedEndpoint {
  /** The name as given (inventory host or hop), before HostName. */
  alias: string
  /** What to connect to (HostName from ~/.ssh/config, or the alias). */
  host: string
  port: number
  user: string
  /** Absolute paths, in order. `defaultIdentities` tells whether these are OpenSSH's defaults. */
  identityFiles: string[]
  defaultIdentities: boolean
  /** The name host keys are recorded under (HostKeyAlias, else host). */
  hostKeyName: string
  /** Extra known_hosts files named by UserKnownHostsFile / GlobalKnownHostsFile. */
  knownHostsFiles: string[]
  proxyJump: HopSpec[]
}

/** ~/.ssh/config answers for one host (keys lower-case, as `ssh-config` computes them). */
export type SshConfigLookup = (host: string) => Record<string, string | string[]>

export interface ResolveContext {
  home: string
  localUser: string
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/** Parses `[user@]host[:port][,…]` or `ssh://[user@]host[:port]`; `none` means no jump. */
export function parseProxyJump(value: string | undefined): HopSpec[] {
  if (!value) return []
  const v = value.trim()
  if (!v || v.toLowerCase() === 'none') return []
  return v.split(',').map((raw) => {
    let s = raw.trim().replace(/^ssh:\/\//, '')
    let user: string | undefined
    const at = s.lastIndexOf('@')
    if (at >= 0) {
      user = s.slice(0, at)
      s = s.slice(at + 1)
    }
    let host = s
    let port: number | undefined
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
    if (bracket) {
      host = bracket[1] as string
      port = bracket[2] ? Number(bracket[2]) : undefined
    } else {
      const m = /^([^:]+):(\d+)$/.exec(s)
      if (m) {
        host = m[1] as string
        port = Number(m[2])
      }
    }
    if (!host) throw new Error(`invalid ProxyJump hop "${raw}"`)
    return {user: user || undefined, host, port}
  })
}

/** `~` and the OpenSSH tokens %d %u %h %r %p %n %% in paths and HostName. */
export function expandTokens(
  value: string,
  t: {home: string; localUser: string; host?: string; user?: string; port?: number; alias?: string},
): string {
  let s = value
  if (s === '~' || s.startsWith('~/')) s = t.home + s.slice(1)
  return s.replace(/%([%dhuprn])/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%'
      case 'd':
        return t.home
      case 'u':
        return t.localUser
      case 'h':
        return t.host ?? ''
      case 'r':
        return t.user ?? ''
      case 'p':
        return t.port === undefined ? '' : String(t.port)
      case 'n':
        return t.alias ?? ''
      default:
        return ''
    }
  })
}

function first(v: string | string[] | undefined): string | undefined {
  if (Array.isArray(v)) return v[0]
  return v
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return []
  const list = Array.isArray(v) ? v : [v]
  // UserKnownHostsFile takes several space-separated files on one line.
  return list.flatMap((x) => x.split(/\s+/)).filter(Boolean)
}

/** Merges explicit settings, ~/.ssh/config and defaults for one host or hop. */
export function resolveEndpoint(
  alias: string,
  explicit: ExplicitSettings,
  lookup: SshConfigLookup | undefined,
  ctx: ResolveContext,
): ResolvedEndpoint {
  const cfg = lookup ? lookup(alias) : {}
  const hostNameRaw = first(cfg.hostname)
  const host = hostNameRaw ? expandTokens(hostNameRaw, {...ctx, host: alias, alias}) : alias
  const cfgPort = first(cfg.port)
  const port = explicit.port ?? (cfgPort && /^\d+$/.test(cfgPort) ? Number(cfgPort) : 22)
  const user = explicit.user ?? first(cfg.user) ?? ctx.localUser
  const tokens = {...ctx, host, user, port, alias}
  let identityFiles: string[]
  let defaultIdentities = false
  if (explicit.identityFiles?.length) {
    identityFiles = explicit.identityFiles.map((f) => expandTokens(f, tokens))
  } else if (all(cfg.identityfile).length) {
    identityFiles = all(cfg.identityfile)
      .filter((f) => f.toLowerCase() !== 'none')
      .map((f) => expandTokens(f, tokens))
  } else {
    identityFiles = DEFAULT_IDENTITIES.map((f) => join(ctx.home, '.ssh', f))
    defaultIdentities = true
  }
  const knownHostsFiles = [...all(cfg.userknownhostsfile), ...all(cfg.globalknownhostsfile)]
    .filter((f) => f !== '/dev/null' && f.toLowerCase() !== 'none')
    .map((f) => expandTokens(f, tokens))
  const alias2 = first(cfg.hostkeyalias)
  return {
    alias,
    host,
    port,
    user,
    identityFiles,
    defaultIdentities,
    hostKeyName: alias2 ?? host,
    knownHostsFiles,
    proxyJump: parseProxyJump(explicit.proxyJump ?? first(cfg.proxyjump)),
  }
}

/**
 * Reads an ssh config file. A missing file is no config (undefined). `Match
 * exec` is never evaluated: hacheck does not run commands from config files.
 */
export async function loadSshConfig(file: string): Promise<SshConfigLookup | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  const {default: SSHConfig} = await import('ssh-config')
  const parsed = SSHConfig.parse(text)
  return (host) => parsed.compute(host, {ignoreCase: true, matchExec: false})
}
