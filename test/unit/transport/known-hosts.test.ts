import {describe, expect, it} from 'vitest'

import {
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  hostFieldMatches,
  keyTypeOfBlob,
  knownHostsName,
  KnownHostsIndex,
  knownKeyTypes,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../../src/transport/known-hosts.js'

// Keys and hashed lines made with ssh-keygen (OpenSSH 9.2): `ssh-keygen -t …`,
// `ssh-keygen -lf` for the fingerprints and `ssh-keygen -H` for the hashed lines.
const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIPlkPjQTtan6PT9Uydo1xc39XGb+X/u3B/ar6Wsk2VEL'
const A_FP = 'SHA256:ni1XB6Hg/gTES5xk52z4zRBzb64F7CN3oeHOapZxDdQ'
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIBOY3PLwC2QkVMWP2Yk5JBcSjmtePJ+mq1P/Ippxc6UV'
const B_FP = 'SHA256:zQVeTf0amfd25CzE2x5x6tYzh4SFpEw+nggQrfN/2u8'
const C =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKmveZXM7zuBvu/+X1yJJzWKf7/wKHbhuIjU0KvVskKZpOw0rX9mr5RjtG9HvasoevuhuunPDBarHX7dviDZ4tk='
const C_FP = 'SHA256:jJA7YmVG1sTbZGP1ZpHxAL4CfZKB0wg0srz8ZP+MmBc'
/** `[127.0.0.1]:2222 ssh-ed25519 A` and `db1.example.com ecdsa-sha2-nistp256 C`, hashed by ssh-keygen -H. */
const HASHED = `|1|7tWRgC2634dTJVwvZObkIZNcrXA=|4C1ci3uH+nnmmJi2Xxm4lRLA77w= ssh-ed25519 ${A}
|1|490EqNBR818x6dwSn/exN1m0B88=|YuW/qgltFSklOKuXAKkLhpPBXYk= ecdsa-sha2-nistp256 ${C}
`

const blob = (b64: string): Buffer => Buffer.from(b64, 'base64')

describe('known_hosts parsing', () => {
  it('reads plain, marked and commented lines and skips malformed ones', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `db1,198.18.0.1 ssh-ed25519 ${A} root@db1`,
        `@revoked * ssh-ed25519 ${B}`,
        `@cert-authority *.example.com ssh-ed25519 ${A}`,
        `@bogus db2 ssh-ed25519 ${A}`,
        'db3 ssh-ed25519',
        'db4 ssh-ed25519 not*base64',
      ].join('\n'),
      '/tmp/kh',
    )
    expect(entries.map((e) => [e.line, e.marker, e.hosts, e.keyType])).toEqual([
      [3, undefined, 'db1,198.18.0.1', 'ssh-ed25519'],
      [4, 'revoked', '*', 'ssh-ed25519'],
      [5, 'cert-authority', '*.example.com', 'ssh-ed25519'],
    ])
    expect(entries[0]?.file).toBe('/tmp/kh')
    expect(entries[0]?.key.equals(blob(A))).toBe(true)
  })

  it('computes SHA256 fingerprints exactly as ssh-keygen -l prints them', () => {
    expect(fingerprint(blob(A))).toBe(A_FP)
    expect(fingerprint(blob(B))).toBe(B_FP)
    expect(fingerprint(blob(C))).toBe(C_FP)
  })

  it('reads the key type from inside the key blob', () => {
    expect(keyTypeOfBlob(blob(A))).toBe('ssh-ed25519')
    expect(keyTypeOfBlob(blob(C))).toBe('ecdsa-sha2-nistp256')
    expect(keyTypeOfBlob(Buffer.from([0, 0]))).toBe('unknown')
  })
})

describe('known_hosts host matching', () => {
  it('uses [host]:port for ports other than 22 and the bare host for 22, lower-cased', () => {
    expect(knownHostsName('DB1.example.com', 22)).toBe('db1.example.com')
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
  })

  it('matches comma-separated patterns with wildcards, and a negated pattern wins', () => {
    expect(hostFieldMatches('db1,db2', 'db2')).toBe(true)
    expect(hostFieldMatches('db?.example.com', 'db7.example.com')).toBe(true)
    expect(hostFieldMatches('*.example.com,!db9.example.com', 'db9.example.com')).toBe(false)
    expect(hostFieldMatches('*.example.com', 'example.org')).toBe(false)
    expect(hostFieldMatches('[198.18.0.*]:2222', '[198.18.0.5]:2222')).toBe(true)
    expect(hostFieldMatches('198.18.0.5', '[198.18.0.5]:2222')).toBe(false)
  })

  it('matches hashed entries written by ssh-keygen -H, including [host]:port names', () => {
    const entries = parseKnownHosts(HASHED)
    expect(checkHostKey(entries, ['[127.0.0.1]:2222'], blob(A)).status).toBe('known')
    expect(checkHostKey(entries, ['db1.example.com'], blob(C)).status).toBe('known')
    expect(checkHostKey(entries, ['[127.0.0.1]:2223'], blob(A)).status).toBe('unknown')
    expect(checkHostKey(entries, ['127.0.0.1'], blob(A)).status).toBe('unknown')
  })
})

describe('host key checking', () => {
  const entries = parseKnownHosts(
    [`[127.0.0.1]:2222 ssh-ed25519 ${A}`, `db1.example.com ecdsa-sha2-nistp256 ${C}`].join('\n'),
    '/etc/kh',
  )

  it('accepts the key recorded for the host', () => {
    const res = checkHostKey(entries, ['[127.0.0.1]:2222'], blob(A))
    expect(res.status).toBe('known')
  })

  it('reports an unknown host when no line names it', () => {
    expect(checkHostKey(entries, ['[127.0.0.1]:2200'], blob(A))).toEqual({status: 'unknown'})
  })

  it('reports a changed key when the host is known with a different key of the same type', () => {
    const res = checkHostKey(entries, ['[127.0.0.1]:2222'], blob(B))
    expect(res.status).toBe('changed')
    if (res.status !== 'changed') return
    expect(res.expected.map((e) => [e.file, e.line, fingerprint(e.key)])).toEqual([['/etc/kh', 1, A_FP]])
  })

  it('reports a changed key when the host is known only with keys of another type', () => {
    expect(checkHostKey(entries, ['db1.example.com'], blob(B)).status).toBe('changed')
  })

  it('refuses a revoked key even when another line accepts it for the host', () => {
    const withRevoked = [...entries, ...parseKnownHosts(`@revoked other.example.com ssh-ed25519 ${A}`)]
    expect(checkHostKey(withRevoked, ['[127.0.0.1]:2222'], blob(A)).status).toBe('revoked')
  })

  it('ignores @cert-authority lines, which ssh2 cannot use', () => {
    const ca = parseKnownHosts(`@cert-authority * ssh-ed25519 ${A}`)
    expect(checkHostKey(ca, ['db1'], blob(A)).status).toBe('unknown')
  })

  it('asks the server for the already-known key types first', () => {
    expect(knownKeyTypes(entries, ['db1.example.com'])).toEqual(['ecdsa-sha2-nistp256'])
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp256']).slice(0, 2)).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
    ])
    expect(preferredHostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ])
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519')
  })

  it('writes lines that read back as known', () => {
    const line = formatKnownHostsLine('127.0.0.1', 2222, blob(B))
    expect(line).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${B}`)
    expect(checkHostKey(parseKnownHosts(line), ['[127.0.0.1]:2222'], blob(B)).status).toBe('known')
  })
})

describe('known_hosts index', () => {
  const entries = parseKnownHosts(
    [
      `DB1.example.com,198.18.0.1 ssh-ed25519 ${A}`,
      `[127.0.0.1]:2222 ssh-ed25519 ${B}`,
      `db1.example.com ecdsa-sha2-nistp256 ${C}`,
      `*.example.com,!db9.example.com ssh-ed25519 ${B}`,
      `@revoked other.example.com ssh-ed25519 ${C}`,
      `@cert-authority *.example.com ssh-ed25519 ${A}`,
      HASHED,
    ].join('\n'),
    '/etc/kh',
  )
  const index = new KnownHostsIndex(entries)
  const names = [
    'db1.example.com',
    '198.18.0.1',
    '[127.0.0.1]:2222',
    'db7.example.com',
    'db9.example.com',
    'example.org',
    '127.0.0.1',
  ]

  it('gives every host-key answer it would give from all the entries', () => {
    for (const n of names) {
      for (const key of [A, B, C]) {
        expect(checkHostKey(index.relevant([n]), [n], blob(key))).toEqual(
          checkHostKey(entries, [n], blob(key)),
        )
      }
      expect(knownKeyTypes(index.relevant([n]), [n])).toEqual(knownKeyTypes(entries, [n]))
    }
  })

  it('keeps file order, finds plain names case-insensitively and leaves the other hosts out', () => {
    const rel = index.relevant(['db1.example.com'])
    expect(rel.map((e) => e.line)).toEqual([1, 3, 4, 5, 8])
    expect(index.relevant(['[127.0.0.1]:2222']).map((e) => e.line)).toEqual([2, 5, 7])
  })

  it('finds entries added after it was built', () => {
    index.add(parseKnownHosts(`new.example.org ssh-ed25519 ${A}`, '/own'))
    expect(checkHostKey(index.relevant(['new.example.org']), ['new.example.org'], blob(A)).status).toBe(
      'known',
    )
  })
})
