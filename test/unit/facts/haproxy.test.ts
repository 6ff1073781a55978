import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {haproxy, haproxyWords, parseHaproxyConfig} from '../../../src/facts/haproxy.js'
import {existsSync, fixtureDir, fixtureFiles, framed, readFixture, valuesIn} from './fixtures.js'

const dir = fixtureDir('haproxy')
const cfg = (name: string) => parseHaproxyConfig(readFixture(dir, name), '/etc/haproxy/haproxy.cfg')

describe.skipIf(!existsSync(dir))('haproxy parser on published haproxy.cfg files', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir, '.cfg')).toHaveLength(5)
    for (const f of fixtureFiles(dir, '.cfg')) expect(() => cfg(f), f).not.toThrow()
  })

  it('reads the 2019 SSL example: a certificate file and an SNI directory on :443, and a re-encrypting server', () => {
    const c = cfg('haproxy-examples-ssl-2019.cfg')
    const servers = valuesIn(dir, 'haproxy-examples-ssl-2019.cfg', /^\s*server\s+\S+\s+(\S+)/m)
    expect(servers).toHaveLength(2)
    expect(c.binds.map((b) => [b.section, b.ports, b.ssl, b.crts])).toEqual([
      ['myfrontend', [443], true, ['/etc/cert/server.pem', '/etc/cert/certdir/']],
      ['myfrontend', [80], false, []],
    ])
    expect(c.certificates.map((x) => x.resolved)).toEqual(['/etc/cert/server.pem', '/etc/cert/certdir/'])
    expect(c.frontends).toEqual([
      {name: 'myfrontend', kind: 'frontend', mode: undefined, defaultBackend: 'mybackend', useBackends: []},
    ])
    expect(c.servers.map((s) => [s.name, s.address, s.port, s.ssl])).toEqual([
      ['s3', servers[0], 80, false],
      ['s4', servers[1], 443, true],
    ])
  })

  it('reads a quoted crt that stays unresolved without crt-base or default-path', () => {
    const c = cfg('haproxy-examples-keylog-test.cfg')
    expect(c.certificates).toEqual([
      {
        path: 'common.pem',
        resolved: undefined,
        kind: 'crt',
        section: 'https-in',
        file: '/etc/haproxy/haproxy.cfg',
        line: 55,
      },
    ])
    expect(c.sections.map((s) => s.kind)).toEqual([
      'global',
      'ring',
      'ring',
      'defaults',
      'log-profile',
      'log-profile',
      'frontend',
      'backend',
    ])
  })

  it('resolves pub1.pem against the config directory with default-path config and marks the QUIC bind conditional', () => {
    const c = cfg('haproxy-examples-basic-config-edge.cfg')
    expect(c.global.defaultPathConfig).toBe(true)
    expect(c.global.sslDefaultBindOptions).toContain('no-tlsv11')
    expect(c.binds.filter((b) => b.ssl).map((b) => [b.addresses, b.crts, b.name, b.conditional])).toEqual([
      [[':443'], ['pub1.pem'], 'secure', false],
      [['quic4@:443'], ['pub1.pem'], 'quic', true],
    ])
    expect(c.certificates.map((x) => x.resolved)).toEqual(['/etc/haproxy/pub1.pem', '/etc/haproxy/pub1.pem'])
    expect(c.servers).toHaveLength(4)
    expect(c.frontends.find((f) => f.name === 'pub1')?.defaultBackend).toBe('app1')
  })

  it('reads legacy listen sections with their address on the section line and no TLS', () => {
    const c = cfg('haproxy-examples-1.x-legacy-listen.cfg')
    expect(c.binds.map((b) => b.addresses[0])).toEqual([
      '0.0.0.0:10001',
      '0.0.0.0:10002',
      '0.0.0.0:10003',
      '0.0.0.0:10004',
      '0.0.0.0:8443',
      '0.0.0.0:10005',
    ])
    expect(c.binds.some((b) => b.ssl)).toBe(false)
    expect(c.certificates).toEqual([])
    expect(c.servers.filter((s) => s.backup).map((s) => [s.section, s.name])).toEqual([
      ['appli4-backup', 'inst2'],
      ['ssl-relay', 'back1'],
      ['appli5-backup', 'inst3'],
    ])
  })

  it('reads the Ubuntu default: TLS defaults and crt-base but no frontend at all', () => {
    const c = cfg('hotsos-ubuntu2004-default-haproxy.cfg')
    expect(c.global).toMatchObject({crtBase: '/etc/ssl/private', caBase: '/etc/ssl/certs'})
    expect(c.global.sslDefaultBindOptions).toEqual(['ssl-min-ver', 'TLSv1.2', 'no-tls-tickets'])
    expect(c.frontends).toEqual([])
    expect(c.binds).toEqual([])
  })

  it('merges conf.d files after haproxy.cfg, resolving against crt-base of the global section', () => {
    const c = haproxy.parse({
      stdout: framed([
        {name: '/etc/haproxy/haproxy.cfg', body: readFixture(dir, 'hotsos-ubuntu2004-default-haproxy.cfg')},
        {name: '/etc/haproxy/conf.d/site.cfg', body: 'frontend www\n    bind :443 ssl crt site.pem\n'},
      ]),
      stderr: '',
      exitCode: 0,
    })
    expect(c.files).toEqual(['/etc/haproxy/haproxy.cfg', '/etc/haproxy/conf.d/site.cfg'])
    expect(c.certificates.map((x) => [x.resolved, x.file])).toEqual([
      ['/etc/ssl/private/site.pem', '/etc/haproxy/conf.d/site.cfg'],
    ])
  })
})

describe('haproxy tokenizer', () => {
  it('handles quotes, escapes and comments the way HAProxy does', () => {
    expect(haproxyWords(`  http-response add-header alt-svc 'h3=":443"; ma=90000'`)).toEqual([
      'http-response',
      'add-header',
      'alt-svc',
      'h3=":443"; ma=90000',
    ])
    expect(haproxyWords('\trspidel ^Set-cookie:\\ IP=\t# do not let this cookie')).toEqual([
      'rspidel',
      '^Set-cookie: IP=',
    ])
    expect(haproxyWords('bind :443 ssl crt "my cert.pem"')).toEqual([
      'bind',
      ':443',
      'ssl',
      'crt',
      'my cert.pem',
    ])
    expect(() => haproxyWords('bind :443 ssl crt "x.pem', 3)).toThrow(ParseError)
  })

  it('rejects a directive before any section', () => {
    expect(() => parseHaproxyConfig('bind :80\n')).toThrow(/outside of any section/)
  })
})
