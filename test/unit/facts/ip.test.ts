import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {ipAddr, parseIpAddr} from '../../../src/facts/ip-addr.js'
import {defaultDevsOf, ipRoute, parseIpRouteJson} from '../../../src/facts/ip-route.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'
import {hasCommand, runLocally} from './local.js'

const dir = fixtureDir('ip-json')

describe.skipIf(!existsSync(dir))('ip-addr parser on published ip -j addr outputs', () => {
  it('parses both files of the corpus', () => {
    expect(fixtureFiles(dir, '.json')).toHaveLength(2)
  })

  it('reads loopback and an up ethernet interface with one global IPv4 and two IPv6 addresses', () => {
    const ifs = parseIpAddr(readFixture(dir, 'cloud-init-ip-j-p-addr-show.json'))
    expect(ifs.map((i) => [i.ifname, i.up, i.lowerUp, i.operstate])).toEqual([
      ['lo', true, true, 'UNKNOWN'],
      ['enp0s25', true, true, 'UP'],
    ])
    expect(ifs[1]?.addresses.map((a) => [a.family, a.local, a.prefixlen, a.scope])).toEqual([
      ['inet', '192.168.2.18', 24, 'global'],
      ['inet6', 'fe80::7777:2222:1111:eeee', 64, 'global'],
      ['inet6', 'fe80::8107:2b92:867e:f8a6', 64, 'link'],
    ])
    expect(ifs[1]).toMatchObject({mac: '50:7b:9d:2c:af:91', mtu: 1500, linkType: 'ether'})
    expect(ifs[1]?.addresses[0]).toMatchObject({dynamic: true, secondary: false, broadcast: '192.168.2.255'})
  })

  it('reads an administratively down interface without addresses', () => {
    const ifs = parseIpAddr(readFixture(dir, 'cloud-init-ip-j-p-addr-show-down.json'))
    expect(ifs[1]).toMatchObject({
      ifname: 'eth0',
      up: false,
      lowerUp: false,
      operstate: 'DOWN',
      addresses: [],
    })
  })
})

describe('ip-route parser', () => {
  it('reads the default route and its interface, also through ECMP next hops', () => {
    const routes = parseIpRouteJson(
      '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","protocol":"dhcp","metric":100,"flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]}]',
      'inet',
    )
    expect(routes[0]).toMatchObject({dst: 'default', gateway: '192.0.2.1', dev: 'eth0', metric: 100})
    expect(defaultDevsOf(routes)).toEqual(['eth0'])
    const ecmp = parseIpRouteJson(
      '[{"dst":"default","flags":[],"nexthops":[{"gateway":"10.0.0.1","dev":"eth1","weight":1,"flags":[]},{"gateway":"10.0.1.1","dev":"eth2","weight":1,"flags":[]}]}]',
      'inet',
    )
    expect(defaultDevsOf(ecmp)).toEqual(['eth1', 'eth2'])
  })

  it('rejects text that is not JSON', () => {
    expect(() => parseIpRouteJson('Option "-j" is unknown, try "ip -help".', 'inet')).toThrow(ParseError)
  })
})

describe.skipIf(!hasCommand('ip'))('ip gatherers on this machine', () => {
  it('reads the real interfaces and routes of the test host', () => {
    const addrs = ipAddr.parse(runLocally(ipAddr))
    expect(addrs.find((i) => i.ifname === 'lo')?.addresses.some((a) => a.local === '127.0.0.1')).toBe(true)
    const out = runLocally(ipRoute)
    expect(out.exitCode).toBe(0)
    const routes = ipRoute.parse(out)
    expect(routes.routes.every((r) => r.family === 'inet' || r.family === 'inet6')).toBe(true)
    for (const dev of routes.defaultDevs) expect(addrs.map((i) => i.ifname)).toContain(dev)
  })
})
