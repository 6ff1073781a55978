/**
 * A real OpenSSH sshd for integration tests: 127.0.0.1 only, a free high port,
 * its own host key and authorized key in a temp dir, run in the foreground
 * (`-D -e -f cfg`) as root. It is stopped by the PID this module started; the
 * per-connection sshd processes it forked are found through /proc (parent
 * PIDs), never by name.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'

import type {NodeSpec, SshSettings} from '../../src/core/types.js'

export const SSHD_BIN = '/usr/sbin/sshd'
export const LOOPBACK = '127.0.0.1'

/** True when a real sshd can be started here (root, Linux, OpenSSH server installed). */
export function canRunSshd(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync(SSHD_BIN)
}

export interface KeyPair {
  /** Path of the private key (OpenSSH format, no passphrase unless asked). */
  privateKeyPath: string
  /** The public key line: `type base64 comment`. */
  publicKey: string
  /** `SHA256:…` as printed by `ssh-keygen -l`. */
  fingerprint: string
}

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa'

/** Generates a key pair with ssh-keygen in `dir`. */
export async function generateKeyPair(
  dir: string,
  name: string,
  type: KeyType = 'ed25519',
  passphrase = '',
): Promise<KeyPair> {
  const privateKeyPath = join(dir, name)
  const bits = type === 'rsa' ? ['-b', '2048'] : []
  // Few KDF rounds for encrypted test keys: the default 16 costs ~1 s to unlock in ssh2's pure-JS bcrypt.
  const rounds = passphrase ? ['-a', '2'] : []
  await execa('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...bits,
    ...rounds,
    '-N',
    passphrase,
    '-C',
    name,
    '-f',
    privateKeyPath,
  ])
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim()
  return {privateKeyPath, publicKey, fingerprint: fingerprintOf(publicKey)}
}

/** SHA256 fingerprint of a public key line, in OpenSSH's format. */
export function fingerprintOf(publicKeyLine: string): string {
  const b64 = publicKeyLine.split(/\s+/)[1] ?? ''
  const digest = createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export interface SshdOptions {
  /** Host key type (default ed25519). */
  hostKeyType?: KeyType
  /** The client key to authorize and hand out as `clientKey` (default: one generated for this sshd). */
  clientKey?: KeyPair
  /** Public key lines allowed to log in (default: the client key's). */
  authorizedKeys?: string[]
  /** sshd LogLevel (default INFO; DEBUG1 shows channel requests). */
  logLevel?: string
  /** `UsePAM yes` (default no). */
  usePam?: boolean
  /** Variables for every session (one `SetEnv` line), on top of SHLVL=1. */
  setEnv?: Record<string, string>
  /** Extra sshd_config lines, e.g. `SetEnv PATH=…`, `PermitOpen …`. */
  extraConfig?: string[]
}

export interface Sshd {
  host: typeof LOOPBACK
  port: number
  /** Temp dir holding config, keys, pid file; removed by stop(). */
  dir: string
  /** PID of the sshd listener this module started. */
  pid: number
  hostKey: KeyPair
  /** The client key generated for this sshd (authorized unless `authorizedKeys` was given). */
  clientKey: KeyPair
  /** `[127.0.0.1]:port type base64`, ready for a known_hosts file. */
  knownHostsLine: string
  /** Everything sshd logged so far (stderr, -e). */
  log(): string
  /** PIDs of the listener and every process below it (per-connection sshds, shells, commands). */
  processTree(): number[]
  /** SIGSTOP the listener and all its descendants (a frozen, dead-looking peer). */
  freeze(): void
  /** SIGCONT what freeze() stopped. */
  thaw(): void
  stop(): Promise<void>
}

function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid …; comm may hold spaces or parens, so parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(rest[1]) === pid) out.push(Number(entry))
    } catch {
      // the process exited meanwhile
    }
  }
  return out
}

function descendantsOf(pid: number): number[] {
  const all: number[] = []
  const queue = [pid]
  while (queue.length) {
    const p = queue.shift() as number
    for (const c of childrenOf(p)) {
      all.push(c)
      queue.push(c)
    }
  }
  return all
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** Starts sshd and resolves once it listens. */
export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  // Debian's sshd refuses to start without its privilege-separation directory
  // (normally created by systemd's RuntimeDirectory).
  mkdirSync('/run/sshd', {recursive: true, mode: 0o755})
  const dir = await mkdtemp(join(tmpdir(), 'hacheck-sshd-'))
  // Non-root test users must be able to read authorized_keys through this dir.
  await chmod(dir, 0o755)
  const hostKey = await generateKeyPair(dir, 'host_key', opts.hostKeyType ?? 'ed25519')
  const clientKey = opts.clientKey ?? (await generateKeyPair(dir, 'client_key'))
  const authorized = opts.authorizedKeys ?? [clientKey.publicKey]
  await writeFile(join(dir, 'authorized_keys'), authorized.join('\n') + '\n', {mode: 0o644})

  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const cfg = join(dir, 'sshd_config')
    await writeFile(
      cfg,
      [
        `Port ${port}`,
        `ListenAddress ${LOOPBACK}`,
        `HostKey ${hostKey.privateKeyPath}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        // PAM stays off unless a test needs it: only PAM lets a locked-password
        // (but key-only) account such as a system user log in.
        `UsePAM ${opts.usePam ? 'yes' : 'no'}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding yes',
        `LogLevel ${opts.logLevel ?? 'INFO'}`,
        // Debian's bash sources ~/.bashrc for commands run by sshd unless SHLVL
        // says it is nested; root's ~/.bashrc on a dev box can take seconds (pyenv…).
        `SetEnv ${Object.entries({SHLVL: '1', ...opts.setEnv})
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
        ...(opts.extraConfig ?? []),
        '',
      ].join('\n'),
    )
    const child: ChildProcess = spawn(SSHD_BIN, ['-D', '-e', '-f', cfg], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let logText = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (d: string) => (logText += d))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const listening = await Promise.race([
      (async () => {
        for (let i = 0; i < 200; i++) {
          if (logText.includes(`Server listening on ${LOOPBACK} port ${port}`)) return true
          await new Promise((r) => setTimeout(r, 25))
        }
        return false
      })(),
      exited.then(() => false),
    ])
    if (!listening) {
      if (child.pid) signal(child.pid, 'SIGKILL')
      if (attempt < 2 && /Address already in use/.test(logText)) continue
      await rm(dir, {recursive: true, force: true})
      throw new Error(`sshd did not start on ${LOOPBACK}:${port}: ${logText.trim()}`)
    }
    const pid = child.pid as number
    let frozen: number[] = []
    const sshd: Sshd = {
      host: LOOPBACK,
      port,
      dir,
      pid,
      hostKey,
      clientKey,
      knownHostsLine: `[${LOOPBACK}]:${port} ${hostKey.publicKey.split(/\s+/).slice(0, 2).join(' ')}`,
      log: () => logText,
      processTree: () => [pid, ...descendantsOf(pid)],
      freeze() {
        frozen = sshd.processTree()
        for (const p of frozen) signal(p, 'SIGSTOP')
      },
      thaw() {
        for (const p of frozen.reverse()) signal(p, 'SIGCONT')
        frozen = []
      },
      async stop() {
        sshd.thaw()
        const rest = descendantsOf(pid)
        signal(pid, 'SIGTERM')
        for (const p of rest) signal(p, 'SIGTERM')
        const timer = setTimeout(() => signal(pid, 'SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
        await rm(dir, {recursive: true, force: true})
      },
    }
    return sshd
  }
}

/** A NodeSpec for this sshd, logging in as root with its client key unless `ssh` says otherwise. */
export function nodeFor(sshd: Sshd, name = 'n1', ssh: SshSettings = {}): NodeSpec {
  return {
    name,
    host: sshd.host,
    port: sshd.port,
    roles: [],
    ssh: {user: 'root', identityFiles: [sshd.clientKey.privateKeyPath], ...ssh},
  }
}

/** `PID args` of the processes on this machine (the sshd under test is local) whose command line (args only) matches. */
export async function processesMatching(re: RegExp): Promise<string[]> {
  const out: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()
      if (args && re.test(args)) out.push(`${entry} ${args}`)
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** Polls until `fn` returns true or `ms` passed; returns the last answer. */
export async function waitFor(
  fn: () => boolean | Promise<boolean>,
  ms: number,
  every = 50,
): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return true
    if (Date.now() >= end) return false
    await new Promise((r) => setTimeout(r, every))
  }
}
