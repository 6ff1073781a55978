import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ABSENT_RC} from '../../../src/facts/gatherer.js'
import {parsePemCertificates, parseTlsCerts, tlsCerts} from '../../../src/facts/tls-certs.js'
import {framed} from './fixtures.js'
import {hasCommand} from './local.js'

/** A real certificate made by openssl for this test (CN, SANs and 30-day validity chosen here). */
function makeCert(dir: string, name: string, cn: string, sans: string): {cert: string; key: string} {
  const cert = path.join(dir, `${name}.crt`)
  const key = path.join(dir, `${name}.key`)
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${sans}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {encoding: 'utf8'},
  )
  if (r.status !== 0) throw new Error(r.stderr)
  return {cert, key}
}

describe.skipIf(!hasCommand('openssl'))('tls-certs on certificates made by openssl', () => {
  it('reads CN, SANs, expiry and the SHA-256 fingerprint openssl reports', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hacheck-tls-'))
    const {cert} = makeCert(
      dir,
      'vip',
      'www.example.test',
      'DNS:www.example.test,DNS:example.test,IP:192.0.2.10',
    )
    const [c] = parsePemCertificates(readFileSync(cert, 'utf8'))
    expect(c?.subjectCN).toBe('www.example.test')
    expect(c?.sans).toEqual(['www.example.test', 'example.test', '192.0.2.10'])
    expect(c?.selfSigned).toBe(true)
    const days = (Date.parse(c?.notAfter ?? '') - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29)
    expect(days).toBeLessThan(31)
    const fp = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], {
      encoding: 'utf8',
    }).stdout
    expect(fp.trim().split('=')[1]).toBe(c?.fingerprint256)
  })

  it('finds the certificates of haproxy crt, crt-list and crt-base, and never sends the private key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hacheck-tls-'))
    const a = makeCert(dir, 'a', 'a.example.test', 'DNS:a.example.test')
    const b = makeCert(dir, 'b', 'b.example.test', 'DNS:b.example.test')
    // HAProxy bundle: certificate and key in one .pem, as HAProxy loads them.
    writeFileSync(path.join(dir, 'bundle.pem'), readFileSync(a.cert, 'utf8') + readFileSync(a.key, 'utf8'))
    writeFileSync(path.join(dir, 'list.txt'), `${b.cert} [alpn h2]\n`)
    const etc = path.join(dir, 'etc-haproxy')
    spawnSync('mkdir', ['-p', path.join(etc, 'conf.d')])
    writeFileSync(
      path.join(etc, 'haproxy.cfg'),
      `global\n  crt-base ${dir}\nfrontend f\n  bind :443 ssl crt bundle.pem crt-list ${dir}/list.txt\n  # bind :8443 ssl crt commented.pem\n`,
    )
    const script = tlsCerts.script.replaceAll('/etc/haproxy', etc)
    const r = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: {...process.env, LC_ALL: 'C', PATH: '/usr/bin:/bin'},
    })
    expect(r.status).toBe(0)
    expect(r.stdout).not.toContain('PRIVATE KEY')
    const t = tlsCerts.parse({stdout: r.stdout, stderr: r.stderr, exitCode: 0})
    expect(
      t.files.map((f) => [path.basename(f.path), f.certificates.map((c) => c.subjectCN), f.error]),
    ).toEqual([
      ['b.crt', ['b.example.test'], undefined],
      ['bundle.pem', ['a.example.test'], undefined],
    ])
  })

  it('exits with the absent code when no certificate is referenced', () => {
    const script = tlsCerts.script.replaceAll('/etc/haproxy', '/nonexistent-haproxy')
    expect(spawnSync('bash', ['-c', script], {env: {PATH: '/usr/bin:/bin'}}).status).toBe(ABSENT_RC)
  })
})

describe('tls-certs parser on edge cases', () => {
  it('reports an unreadable file and a file without certificate instead of failing', () => {
    const t = parseTlsCerts(
      framed([
        {name: '/etc/ssl/private/x.pem', body: '', exitCode: 1},
        {name: '/etc/ssl/y.pem', body: ''},
      ]),
    )
    expect(t.files).toEqual([
      {path: '/etc/ssl/private/x.pem', certificates: [], error: 'not readable (exit 1)'},
      {path: '/etc/ssl/y.pem', certificates: [], error: 'no certificate in file'},
    ])
  })
})
