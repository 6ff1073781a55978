/**
 * known_hosts parsing and matching, as OpenSSH does it (sshd(8) "SSH_KNOWN_HOSTS
 * FILE FORMAT"): comma-separated patterns with `*`/`?` wildcards and `!`
 * negation, `[host]:port` for ports other than 22, hashed entries
 * (`|1|base64 salt|base64 HMAC-SHA1(salt, name)`) and the `@revoked` /
 * `@cert-authority` markers. Pure, except the small file helpers at the end.
 */
import {createHash, createHmac} from 'node:crypto'
import {appendFile, readFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {makeDirs} from '../cli/files.js'

export type KnownHostMarker = 'revoked' | 'cert-authority'

export interface KnownHostEntry {
  /** The file it came from and its 1-based line, for messages. */
  file: string
  line: number
  marker?: KnownHostMarker
  /** Comma-separated patterns, or one hashed name. */
  hosts: string
  keyType: string
  /** The public key blob (SSH wire format). */
  key: Buffer
}

/** Parses known_hosts text; malformed lines are skipped, like OpenSSH does. */
export function parseKnownHosts(text: string, file = '<known_hosts>'): KnownHostEntry[] {
  const out: KnownHostEntry[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim()
    if (!raw || raw.startsWith('#')) continue
    const fields = raw.split(/\s+/)
    let marker: KnownHostMarker | undefined
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()
      if (m === '@revoked') marker = 'revoked'
      else if (m === '@cert-authority') marker = 'cert-authority'
      else continue
    }
    const [hosts, keyType, b64] = fields
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) continue
    const key = Buffer.from(b64, 'base64')
    if (key.length < 8) continue
    out.push({file, line: i + 1, marker, hosts, keyType, key})
  }
  return out
}

/** The name OpenSSH looks up: `host` for port 22, else `[host]:port`; lower-cased. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase()
  return port === 22 ? h : `[${h}]:${port}`
}

const patternCache = new Map<string, RegExp>()

/** OpenSSH's wildcard match: `*` any run, `?` one character; case-insensitive. */
export function wildcardMatch(name: string, pattern: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return name.toLowerCase() === pattern.toLowerCase()
  let re = patternCache.get(pattern)
  if (!re) {
    const src = pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')
    re = new RegExp(`^${src}$`)
    patternCache.set(pattern, re)
  }
  return re.test(name.toLowerCase())
}

function hashedMatch(name: string, hashed: string): boolean {
  // |1|salt|hash
  const parts = hashed.split('|')
  if (parts.length !== 4 || parts[1] !== '1') return false
  const salt = Buffer.from(parts[2] ?? '', 'base64')
  const want = Buffer.from(parts[3] ?? '', 'base64')
  if (salt.length === 0 || want.length !== 20) return false
  const got = createHmac('sha1', salt).update(name).digest()
  return got.equals(want)
}

/**
 * Whether the `hosts` field of a line matches the lookup name (see
 * knownHostsName). A matching negated pattern wins over any positive one.
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(name, hosts)
  let matched = false
  for (const pat of hosts.split(',')) {
    if (!pat) continue
    if (pat.startsWith('!')) {
      if (wildcardMatch(name, pat.slice(1))) return false
    } else if (wildcardMatch(name, pat)) {
      matched = true
    }
  }
  return matched
}

/** The key type written inside a public key blob (its first SSH string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const len = blob.readUInt32BE(0)
  if (len <= 0 || len > 64 || blob.length < 4 + len) return 'unknown'
  return blob.subarray(4, 4 + len).toString('latin1')
}

/** `SHA256:…` (unpadded base64), as printed by OpenSSH. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

export type HostKeyCheck =
  | {status: 'known'; entry: KnownHostEntry}
  | {status: 'unknown'}
  /** The host is known, but none of its known keys is the presented one. */
  | {status: 'changed'; expected: KnownHostEntry[]}
  /** The presented key is listed as @revoked (for any host: a revoked key is never trusted). */
  | {status: 'revoked'; entry: KnownHostEntry}

/**
 * Checks a presented host key against known_hosts entries. `names` are the
 * lookup names (knownHostsName) the host may be recorded under.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  names: readonly string[],
  presented: Buffer,
): HostKeyCheck {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(presented))
  if (revoked) return {status: 'revoked', entry: revoked}
  const forHost = entries.filter(
    (e) => e.marker === undefined && names.some((n) => hostFieldMatches(e.hosts, n)),
  )
  const match = forHost.find((e) => e.key.equals(presented))
  if (match) return {status: 'known', entry: match}
  if (forHost.length) return {status: 'changed', expected: forHost}
  return {status: 'unknown'}
}

/**
 * The entries of known_hosts files indexed for lookups by name, so that
 * connecting to N nodes listed in one known_hosts file costs O(N), not O(N²)
 * pattern matches. Entries whose host field lists only plain names are found
 * by name; hashed, wildcard and negated ones are matched one by one, like
 * OpenSSH does.
 */
export class KnownHostsIndex {
  private readonly all: KnownHostEntry[] = []
  private readonly byName = new Map<string, number[]>()
  /** Positions of entries that need pattern matching, and of @revoked ones. */
  private readonly scan: number[] = []

  constructor(entries: readonly KnownHostEntry[] = []) {
    this.add(entries)
  }

  add(entries: readonly KnownHostEntry[]): void {
    for (const e of entries) {
      // checkHostKey and knownKeyTypes never use @cert-authority lines (ssh2 has no certificates).
      if (e.marker === 'cert-authority') continue
      const at = this.all.push(e) - 1
      const pats = e.hosts.split(',').filter(Boolean)
      const plain = e.marker !== 'revoked' && !e.hosts.startsWith('|') && pats.every((p) => !/[*?!]/.test(p))
      if (!plain) {
        this.scan.push(at)
        continue
      }
      for (const name of new Set(pats.map((p) => p.toLowerCase()))) {
        const list = this.byName.get(name)
        if (list) list.push(at)
        else this.byName.set(name, [at])
      }
    }
  }

  /**
   * The entries that can matter when checking `names`: those whose host field
   * matches one of them, plus every @revoked one, in file order (no
   * @cert-authority ones). checkHostKey
   * and knownKeyTypes give the same answers on this list as on all entries.
   */
  relevant(names: readonly string[]): KnownHostEntry[] {
    const at = new Set<number>()
    for (const n of names) for (const i of this.byName.get(n.toLowerCase()) ?? []) at.add(i)
    for (const i of this.scan) {
      const e = this.all[i] as KnownHostEntry
      if (e.marker === 'revoked' || names.some((n) => hostFieldMatches(e.hosts, n))) at.add(i)
    }
    return [...at].sort((a, b) => a - b).map((i) => this.all[i] as KnownHostEntry)
  }
}

/** Key types already known for a host, in file order (to ask the server for one of those first). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], names: readonly string[]): string[] {
  const types: string[] = []
  for (const e of entries) {
    if (e.marker !== undefined || !names.some((n) => hostFieldMatches(e.hosts, n))) continue
    if (!types.includes(e.keyType)) types.push(e.keyType)
  }
  return types
}

/** All host-key algorithms hacheck offers, in preference order (ssh2's defaults). */
export const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const

/**
 * Host-key algorithms with those matching already-known key types first, as
 * OpenSSH orders them, so a server with several host keys presents the one we
 * know instead of looking "changed".
 */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const first: string[] = []
  for (const t of knownTypes) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]
    for (const a of algos) {
      if ((HOST_KEY_ALGORITHMS as readonly string[]).includes(a) && !first.includes(a)) first.push(a)
    }
  }
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))]
}

/** One known_hosts line for a host, unhashed (hacheck's own file is meant to be read by people). */
export function formatKnownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`
}

/** Reads and parses a file; a missing or unreadable file is an empty list. */
export async function readKnownHostsFile(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'), file)
  } catch {
    return []
  }
}

/** Appends one line, creating the directory (0700) and file when missing. */
export async function appendKnownHost(file: string, line: string): Promise<void> {
  makeDirs(dirname(file), 0o700)
  let prefix = ''
  try {
    const current = await readFile(file, 'utf8')
    if (current.length && !current.endsWith('\n')) prefix = '\n'
  } catch {
    // new file
  }
  await appendFile(file, `${prefix}${line}\n`, {mode: 0o644})
}
