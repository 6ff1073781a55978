/**
 * sudo wrapping for a non-root login. Uses an existing unprivileged account with
 * a login shell (nothing is added to /etc/passwd) and a stand-in `sudo` first in
 * the session's PATH (sshd SetEnv), so no real sudoers is touched: the stand-in
 * insists on -n and either runs the command or answers like sudo does when it
 * wants a password.
 */
import {existsSync, readFileSync} from 'node:fs'
import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createSshPool, type SshPool, TransportError} from '../../../src/transport/index.js'
import {canRunSshd, nodeFor, type Sshd, startSshd} from '../../support/sshd.js'

/** An existing non-root account with a usable shell, if this machine has one. */
function unprivilegedUser(): string | undefined {
  let passwd = ''
  try {
    passwd = readFileSync('/etc/passwd', 'utf8')
  } catch {
    return undefined
  }
  for (const line of passwd.split('\n')) {
    const [name, , uid, , , , shell] = line.split(':')
    if (!name || !shell || Number(uid) < 1000 || Number(uid) >= 65534) continue
    if (/\/(ba)?sh$/.test(shell) && existsSync(shell)) return name
  }
  return undefined
}

const user = unprivilegedUser()

const FAKE_SUDO = `#!/bin/sh
# stand-in for sudo in tests
[ "$1" = "-n" ] || { echo "fake sudo: expected -n first, got: $*" >&2; exit 99; }
shift
[ "$1" = "--" ] && shift
if [ -e "$(dirname "$0")/deny" ]; then
  echo "sudo: a password is required" >&2
  exit 1
fi
exec env FAKE_SUDO=yes "$@"
`

describe.skipIf(!canRunSshd() || !user)('sudo -n for a non-root user', () => {
  let dir: string
  let sshd: Sshd
  let pool: SshPool
  const login = user as string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hacheck-sudo-'))
    await chmod(dir, 0o755)
    await writeFile(join(dir, 'sudo'), FAKE_SUDO, {mode: 0o755})
    // PAM lets a key-only account with a locked password log in (UsePAM no refuses it).
    sshd = await startSshd({usePam: true, setEnv: {PATH: `${dir}:/usr/bin:/bin:/usr/sbin:/sbin`}})
    const kh = join(dir, 'known_hosts')
    await writeFile(kh, sshd.knownHostsLine + '\n')
    pool = createSshPool({
      knownHostsFiles: [kh],
      ownKnownHostsFile: join(dir, 'own'),
      sshConfigFile: false,
      agentSocket: false,
    })
  })
  afterAll(async () => {
    await pool?.close()
    await sshd?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  const probe = ['sh', '-c', 'echo "${FAKE_SUDO:-no}:$(id -un):$LC_ALL"']

  it('wraps a command in sudo -n when it asks for sudo and the user is not root', async () => {
    const r = await pool.run(nodeFor(sshd, 'n1', {user: login}), {argv: probe, sudo: true})
    expect(r).toMatchObject({stdout: `yes:${login}:C\n`, exitCode: 0})
  })

  it('does not wrap commands that do not ask for sudo, or when the node disables sudo', async () => {
    const plain = await pool.run(nodeFor(sshd, 'n1', {user: login}), {argv: probe})
    expect(plain.stdout).toBe(`no:${login}:C\n`)
    const off = await pool.run(nodeFor(sshd, 'n1', {user: login, sudo: false}), {argv: probe, sudo: true})
    expect(off.stdout).toBe(`no:${login}:C\n`)
  })

  it('wraps scripts too, still sending them on stdin', async () => {
    const r = await pool.run(nodeFor(sshd, 'n1', {user: login}), {script: 'echo "$FAKE_SUDO"', sudo: true})
    expect(r.stdout).toBe('yes\n')
  })

  it('fails with a clear sudo-password-required error when sudo wants a password', async () => {
    await writeFile(join(dir, 'deny'), '')
    try {
      const err = await pool
        .run(nodeFor(sshd, 'n1', {user: login}), {argv: ['id'], sudo: true})
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TransportError)
      expect((err as TransportError).code).toBe('sudo-password-required')
      expect((err as TransportError).message).toBe(
        `node n1 (${login}@127.0.0.1:${sshd.port}): sudo asks ${login} for a password; hacheck runs "sudo -n" and needs passwordless sudo`,
      )
    } finally {
      await rm(join(dir, 'deny'))
    }
  })
})
