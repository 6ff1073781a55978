import {describe, expect, it} from 'vitest'

import {parseSyslogNgText} from '../../../src/facts/syslog-ng.js'

// No syslog-ng.conf in the shared corpus: short inline configurations.
describe('syslog-ng parser', () => {
  it('reads syslog-ng network destinations and whether a log path uses them', () => {
    const r = parseSyslogNgText(
      'destination d_remote { network("logs.example" port(6514) transport("tls") tls(ca-dir("/etc/ssl"))); };\ndestination d_old { udp("198.18.0.9" port(514)); };\n# destination d_x { tcp("commented" port(1)); };\nlog { source(s_src); destination(d_remote); };\n',
    )
    expect(r.destinations.map((d) => [d.name, d.driver, d.host, d.port, d.transport, d.tls])).toEqual([
      ['d_remote', 'network', 'logs.example', 6514, 'tls', true],
      ['d_old', 'udp', '198.18.0.9', 514, 'udp', false],
    ])
    expect([...r.used]).toEqual(['d_remote'])
  })
})
