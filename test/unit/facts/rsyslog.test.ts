import {describe, expect, it} from 'vitest'

import {parseRsyslogText, rsyslog} from '../../../src/facts/rsyslog.js'
import {existsSync, fixtureDir, fixtureFiles, framed, readFixture, valuesIn} from './fixtures.js'

const dir = fixtureDir('rsyslog')
const rs = (name: string) => parseRsyslogText(readFixture(dir, name), name)

describe.skipIf(!existsSync(dir))('rsyslog parser on published rsyslog configurations', () => {
  it('parses every file of the corpus', () => {
    expect(fixtureFiles(dir, '.conf')).toHaveLength(5)
    for (const f of fixtureFiles(dir, '.conf')) expect(() => rs(f), f).not.toThrow()
  })

  it('reads legacy UDP and TCP forwarding with trailing comments', () => {
    const c = rs('rsyslog-doc-example-legacy-udp-tcp.conf')
    const udp = valuesIn(dir, 'rsyslog-doc-example-legacy-udp-tcp.conf', /^\*\.\*\s+@([^@\s]+)/m)
    const tcp = valuesIn(dir, 'rsyslog-doc-example-legacy-udp-tcp.conf', /^\*\.\*\s+@@(\S+)/m)
    expect(udp).toHaveLength(1)
    expect(tcp).toHaveLength(1)
    expect(c.forwards.map((f) => [f.syntax, f.protocol, f.target, f.port, f.selector])).toEqual([
      ['legacy', 'udp', udp[0], 514, '*.*'],
      ['legacy', 'tcp', tcp[0], 514, '*.*'],
    ])
  })

  it('reads an omfwd TCP action on port 10514 with its placeholder target', () => {
    for (const f of ['rsyslog-omfwd-tcp-minimal.conf', 'rsyslog-omfwd-tcp-with-disk-queue.conf']) {
      const c = rs(f)
      expect(c.forwards, f).toHaveLength(1)
      expect(c.forwards[0], f).toMatchObject({
        syntax: 'rainerscript',
        protocol: 'tcp',
        target: 'CHANGE_ME',
        port: 10514,
        tls: false,
        selector: '*.*',
      })
      expect(c.forwards[0]?.params['queue.type'], f).toBe('LinkedList')
    }
  })

  it('finds no forwarding when the remote-host line and its queue are commented out', () => {
    const c = rs('rsyslog-rhel-default-forwarding-commented.conf')
    expect(c.forwards).toEqual([])
    expect(c.modules).toEqual(['imuxsock', 'imjournal'])
    expect(c.inputs).toEqual([])
  })

  it('finds no forwarding in a local-only haproxy drop-in', () => {
    expect(rs('hotsos-ubuntu2004-rsyslog.d-49-haproxy.conf').forwards).toEqual([])
  })

  it('merges the files of the gatherer output and keeps each forward with its file', () => {
    const c = rsyslog.parse({
      stdout: framed([
        {name: '/etc/rsyslog.conf', body: readFixture(dir, 'rsyslog-rhel-default-forwarding-commented.conf')},
        {name: '/etc/rsyslog.d/99-forward.conf', body: readFixture(dir, 'rsyslog-omfwd-tcp-minimal.conf')},
      ]),
      stderr: '',
      exitCode: 0,
    })
    expect(c.files).toHaveLength(2)
    expect(c.forwards.map((f) => f.file)).toEqual(['/etc/rsyslog.d/99-forward.conf'])
  })
})

describe('rsyslog parser on edge cases', () => {
  it('reads a TLS omfwd, an omrelp action, bracketed IPv6 legacy targets and inputs', () => {
    const c = parseRsyslogText(
      [
        'module(load="imtcp")',
        'input(type="imtcp" port="6514")',
        '$ModLoad imudp',
        '$UDPServerRun 514',
        'authpriv.* action(type="omfwd" target="logs.example" port="6514" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1")',
        'action(type="omrelp" target="relp.example" port="2514")',
        '*.* @@(o)[2001:db8::1]:1514;RSYSLOG_SyslogProtocol23Format',
        '/* *.* @@disabled.example:514 */',
      ].join('\n'),
    )
    expect(c.forwards.map((f) => [f.protocol, f.target, f.port, f.tls, f.selector])).toEqual([
      ['tcp', 'logs.example', 6514, true, 'authpriv.*'],
      ['relp', 'relp.example', 2514, false, undefined],
      ['tcp', '2001:db8::1', 1514, false, '*.*'],
    ])
    expect(c.inputs.map((i) => [i.protocol, i.port])).toEqual([
      ['tcp', 6514],
      ['udp', 514],
    ])
  })
})
