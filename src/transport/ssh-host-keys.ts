/**
 * Host-key verification of the SSH pool (policy in docs/transport.md): the
 * known_hosts files of a node, each read and indexed once per run; the
 * verdict on a presented key; and, with acceptNewHostKeys, recording an
 * unknown key in hacheck's own known_hosts.
 */
import {log} from '../cli/logger.js'
import type {NodeSpec} from '../core/types.js'
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  type HostKeyCheck,
  type KnownHostEntry,
  KnownHostsIndex,
  keyTypeOfBlob,
  knownHostsName,
  parseKnownHosts,
  readKnownHostsFile,
} from './known-hosts.js'
import {ConnFailure, type Target} from './ssh-conn.js'
import type {ResolvedEndpoint} from './ssh-config.js'

export interface HostKeyOptions {
  /** Read for every node (see SshPoolOptions.knownHostsFiles). */
  knownHostsFiles: string[]
  /** hacheck's own known_hosts: read, and appended to when acceptNewHostKeys. */
  ownKnownHostsFile: string
  acceptNewHostKeys: boolean
}

/** What hostVerifier needs to judge one endpoint's key. */
export interface HostKeyRequest {
  target: Target
  ep: ResolvedEndpoint
  node: NodeSpec
  /** Lookup names (knownHostsName) of the endpoint. */
  names: string[]
  /** The relevant known_hosts entries (entriesFor); an accepted key is added to it. */
  entries: KnownHostEntry[]
}

/** The refusal for a key that is not known: revoked, changed, or unknown without acceptNewHostKeys. */
function refusal(
  res: Exclude<HostKeyCheck, {status: 'known'}>,
  blob: Buffer,
  req: HostKeyRequest,
  o: HostKeyOptions,
): ConnFailure | undefined {
  const type = keyTypeOfBlob(blob)
  const fp = fingerprint(blob)
  const {target, ep, names} = req
  if (res.status === 'revoked') {
    return new ConnFailure(
      'host-key-changed',
      target,
      `the ${type} host key ${fp} is marked @revoked in ${res.entry.file}:${res.entry.line}; refusing to connect`,
    )
  }
  if (res.status === 'changed') {
    const expected = res.expected
      .map((e) => `${e.keyType} ${fingerprint(e.key)} (${e.file}:${e.line})`)
      .join(', ')
    return new ConnFailure(
      'host-key-changed',
      target,
      `HOST KEY CHANGED, possible man-in-the-middle attack: the host presented ${type} ${fp} but known_hosts expects ${expected}; refusing to connect`,
      [
        'If the host was reinstalled and you verified the new key out of band, remove the old entry, e.g. ' +
          `ssh-keygen -R '${names[0]}' -f ${res.expected[0]?.file ?? '~/.ssh/known_hosts'}`,
      ],
    )
  }
  if (o.acceptNewHostKeys) return undefined
  return new ConnFailure(
    'host-key-unknown',
    target,
    `unknown host key ${type} ${fp} (not in any known_hosts file); verify it and add it, or pass --accept-new-host-keys`,
    [
      `Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add it: ssh-keyscan -p ${ep.port} ${ep.host} >> ~/.ssh/known_hosts`,
      `Or pass --accept-new-host-keys to record unknown keys in ${o.ownKnownHostsFile} (changed keys are still refused).`,
    ],
  )
}

/** The known_hosts files of a run, read once, and hacheck's own file, written in order. */
export class HostKeys {
  private readonly indexes = new Map<string, Promise<KnownHostsIndex>>()
  private ownWrites: Promise<unknown> = Promise.resolve()

  constructor(private readonly o: HostKeyOptions) {}

  private files(ep: ResolvedEndpoint, node: NodeSpec): string[] {
    const files = [
      ...this.o.knownHostsFiles,
      ...(node.ssh.knownHosts ?? []),
      ...ep.knownHostsFiles,
      this.o.ownKnownHostsFile,
    ]
    return [...new Set(files)]
  }

  private read(file: string): Promise<KnownHostsIndex> {
    let p = this.indexes.get(file)
    if (!p) {
      p = readKnownHostsFile(file).then((entries) => new KnownHostsIndex(entries))
      this.indexes.set(file, p)
    }
    return p
  }

  /** The known_hosts entries that matter for `names` (see KnownHostsIndex.relevant), in file order. */
  async entriesFor(
    ep: ResolvedEndpoint,
    node: NodeSpec,
    names: readonly string[],
  ): Promise<KnownHostEntry[]> {
    // Own writes first, so a key accepted for another node moments ago is seen.
    await this.ownWrites
    const lists = await Promise.all(this.files(ep, node).map((f) => this.read(f)))
    return lists.flatMap((index) => index.relevant(names))
  }

  /**
   * ssh2's hostVerifier for one endpoint. A refused key is reported through
   * `refused` before verify(false), so the handshake's failure can name it.
   */
  verifier(
    req: HostKeyRequest,
    refused: (f: ConnFailure) => void,
  ): (blob: Buffer, verify: (ok: boolean) => void) => void {
    return (blob, verify) => {
      const res = checkHostKey(req.entries, req.names, blob)
      if (res.status === 'known') return verify(true)
      const failure = refusal(res, blob, req, this.o)
      if (failure) {
        refused(failure)
        return verify(false)
      }
      this.accept(req, blob).then(verify, (f: ConnFailure) => {
        refused(f)
        verify(false)
      })
    }
  }

  /** acceptNewHostKeys: records the unknown key; true once written, else a ConnFailure saying why not. */
  private async accept(req: HostKeyRequest, blob: Buffer): Promise<boolean> {
    const {ep, target} = req
    const key = `${keyTypeOfBlob(blob)} ${fingerprint(blob)}`
    try {
      await this.record(ep, blob, req.entries)
    } catch (e) {
      throw new ConnFailure(
        'host-key-unknown',
        target,
        `unknown host key ${key} could not be recorded in ${this.o.ownKnownHostsFile}: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    log().warn(
      {node: req.node.name, host: `${ep.host}:${ep.port}`, key, file: this.o.ownKnownHostsFile},
      'accepted new host key',
    )
    return true
  }

  /** Appends an accepted key to hacheck's own known_hosts, once per host and key. */
  private record(ep: ResolvedEndpoint, blob: Buffer, entries: KnownHostEntry[]): Promise<void> {
    const file = this.o.ownKnownHostsFile
    const line = formatKnownHostsLine(ep.hostKeyName, ep.port, blob)
    const write = this.ownWrites.then(async () => {
      const own = await this.read(file)
      const name = knownHostsName(ep.hostKeyName, ep.port)
      if (checkHostKey(own.relevant([name]), [name], blob).status !== 'known') {
        await appendKnownHost(file, line)
        own.add(parseKnownHosts(line, file))
      }
      // Later handshakes on this connection (re-keying) must find it too.
      entries.push(...parseKnownHosts(line, file))
    })
    this.ownWrites = write.catch(() => undefined)
    return write
  }
}
