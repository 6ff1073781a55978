import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {parseNginxConfig, parseNginxText, splitNginxDump} from '../../../src/facts/nginx.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('nginx')
const conf = (name: string) => parseNginxConfig(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('nginx parser on published nginx configuration files', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir, '.conf')).toHaveLength(5)
    for (const f of fixtureFiles(dir, '.conf')) expect(() => conf(f), f).not.toThrow()
  })

  it('reads two TLS server blocks listening on 443 over IPv4 and IPv6 with their names', () => {
    const c = conf('h5bp-example.com-https.conf')
    expect(
      c.servers.map((s) => [s.serverNames, s.tls, s.listens.map((l) => [l.address, l.port, l.ssl, l.http2])]),
    ).toEqual([
      [
        ['www.example.com'],
        true,
        [
          ['[::]', 443, true, true],
          [undefined, 443, true, true],
        ],
      ],
      [
        ['example.com'],
        true,
        [
          ['[::]', 443, true, true],
          [undefined, 443, true, true],
        ],
      ],
    ])
    // Certificates come from an include that a single file cannot resolve.
    expect(c.servers[0]?.sslCertificates).toEqual([])
    expect(c.unresolvedIncludes.map((i) => i.pattern)).toContain('h5bp/tls/certificate_files.conf')
  })

  it('finds the certificate through the include when given as nginx -T would print the two files', () => {
    // Framing only: the two published files under the "# configuration file" lines nginx -T prints.
    const dump = [
      '# configuration file /etc/nginx/conf.d/example.com.conf:',
      readFixture(dir, 'h5bp-example.com-https.conf'),
      '# configuration file /etc/nginx/h5bp/tls/certificate_files.conf:',
      readFixture(dir, 'h5bp-tls-certificate_files.conf'),
    ].join('\n')
    const c = parseNginxConfig(dump)
    expect(c.files).toEqual([
      '/etc/nginx/conf.d/example.com.conf',
      '/etc/nginx/h5bp/tls/certificate_files.conf',
    ])
    expect(c.servers.map((s) => [s.serverNames[0], s.sslCertificates, s.sslCertificateKeys])).toEqual([
      ['www.example.com', ['/etc/nginx/certs/default.crt'], ['/etc/nginx/certs/default.key']],
      ['example.com', ['/etc/nginx/certs/default.crt'], ['/etc/nginx/certs/default.key']],
    ])
    expect(c.unresolvedIncludes.map((i) => i.pattern)).not.toContain('h5bp/tls/certificate_files.conf')
  })

  it('reads the certificate include file on its own as top-level ssl_certificate directives', () => {
    const tree = parseNginxText(readFixture(dir, 'h5bp-tls-certificate_files.conf'))
    expect(tree.map((d) => [d.name, d.args])).toEqual([
      ['ssl_certificate', ['/etc/nginx/certs/default.crt']],
      ['ssl_certificate_key', ['/etc/nginx/certs/default.key']],
    ])
  })

  it('sees only the plain HTTP server when the HTTPS block is commented out', () => {
    for (const f of [
      'nginx-upstream-default-https-commented.conf',
      'nginx-upstream-2013-ssl-on-sslv3.conf',
    ]) {
      const c = conf(f)
      expect(c.servers, f).toHaveLength(1)
      expect(c.servers[0], f).toMatchObject({serverNames: ['localhost'], tls: false, sslOn: false})
      expect(c.servers[0]?.listens[0]?.port, f).toBe(80)
    }
  })

  it('reads the secure test vhost with HSTS include as two TLS servers', () => {
    const c = conf('h5bp-test-vhost-secure-hsts.conf')
    expect(c.servers.map((s) => s.serverNames[0])).toEqual([
      'www.secure.server.localhost',
      'secure.server.localhost',
    ])
    expect(c.servers.every((s) => s.tls)).toBe(true)
  })
})

describe('nginx parser on edge cases', () => {
  it('reads legacy "ssl on" and an http-level certificate inherited by the server', () => {
    const c = parseNginxConfig(
      'http { ssl_certificate /etc/ssl/a.pem; ssl_protocols TLSv1.2 TLSv1.3; server { listen 8443; server_name a.example; ssl on; } }',
    )
    expect(c.servers[0]).toMatchObject({
      sslOn: true,
      tls: true,
      sslCertificates: ['/etc/ssl/a.pem'],
      sslProtocols: ['TLSv1.2', 'TLSv1.3'],
    })
  })

  it('splits nginx -T output into files and expands glob includes in order', () => {
    const dump =
      '# configuration file /etc/nginx/nginx.conf:\nhttp { include /etc/nginx/conf.d/*.conf; }\n\n# configuration file /etc/nginx/conf.d/b.conf:\nserver { listen 443 ssl; server_name b; }\n\n# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 443 ssl; server_name a; }\n'
    expect(splitNginxDump(dump).map((f) => f.file)).toHaveLength(3)
    expect(parseNginxConfig(dump).servers.map((s) => s.serverNames[0])).toEqual(['a', 'b'])
  })

  it('rejects a missing semicolon and an unbalanced brace with the line', () => {
    expect(() => parseNginxText('server {\n listen 80\n}\n')).toThrow(/line 2/)
    expect(() => parseNginxText('}\n')).toThrow(ParseError)
    expect(() => parseNginxText('http {\n')).toThrow(/not closed/)
  })
})
