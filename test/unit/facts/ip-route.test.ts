import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {ipAddr} from '../../../src/facts/ip-addr.js'
import {defaultDevsOf, ipRoute, parseIpRouteJson} from '../../../src/facts/ip-route.js'
import {hasCommand, runLocally} from './local.js'

describe('ip-route parser', () => {
  it('reads the default route and its interface, also through ECMP next hops', () => {
    const routes = parseIpRouteJson(
      '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","protocol":"dhcp","metric":100,"flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]}]',
      'inet',
    )
    expect(routes[0]).toMatchObject({dst: 'default', gateway: '192.0.2.1', dev: 'eth0', metric: 100})
    expect(defaultDevsOf(routes)).toEqual(['eth0'])
    const ecmp = parseIpRouteJson(
      '[{"dst":"default","flags":[],"nexthops":[{"gateway":"198.18.0.1","dev":"eth1","weight":1,"flags":[]},{"gateway":"198.18.1.1","dev":"eth2","weight":1,"flags":[]}]}]',
      'inet',
    )
    expect(defaultDevsOf(ecmp)).toEqual(['eth1', 'eth2'])
  })

  it('rejects text that is not JSON', () => {
    expect(() => parseIpRouteJson('Option "-j" is unknown, try "ip -help".', 'inet')).toThrow(ParseError)
  })
})

describe.skipIf(!hasCommand('ip'))('ip-route gatherer on this machine', () => {
  it('reads the real routes of the test host, whose default route goes through a real interface', () => {
    const addrs = ipAddr.parse(runLocally(ipAddr))
    expect(addrs.find((i) => i.ifname === 'lo')?.addresses.some((a) => a.local === '127.0.0.1')).toBe(true)
    const out = runLocally(ipRoute)
    expect(out.exitCode).toBe(0)
    const routes = ipRoute.parse(out)
    expect(routes.routes.every((r) => r.family === 'inet' || r.family === 'inet6')).toBe(true)
    for (const dev of routes.defaultDevs) expect(addrs.map((i) => i.ifname)).toContain(dev)
  })
})
