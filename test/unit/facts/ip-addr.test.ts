import {describe, expect, it} from 'vitest'

import {ipAddr, parseIpAddr} from '../../../src/facts/ip-addr.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture, valuesIn} from './fixtures.js'
import {hasCommand, runLocally} from './local.js'

const dir = fixtureDir('ip-json')

describe.skipIf(!existsSync(dir))('ip-addr parser on published ip -j addr outputs', () => {
  it('parses both files of the corpus', () => {
    expect(fixtureFiles(dir, '.json')).toHaveLength(2)
    for (const f of fixtureFiles(dir, '.json'))
      expect(() => parseIpAddr(readFixture(dir, f)), f).not.toThrow()
  })

  it('reads loopback and an up ethernet interface with one global IPv4 and two IPv6 addresses', () => {
    const ifs = parseIpAddr(readFixture(dir, 'cloud-init-ip-j-p-addr-show.json'))
    const inet = valuesIn(dir, 'cloud-init-ip-j-p-addr-show.json', /"family": "inet",\s*"local": "([^"]+)"/)
    const broadcast = valuesIn(dir, 'cloud-init-ip-j-p-addr-show.json', /"broadcast": "([0-9.]+)"/)
    expect(inet).toHaveLength(2)
    expect(inet[0]).toBe('127.0.0.1')
    expect(broadcast).toHaveLength(1)
    expect(ifs.map((i) => [i.ifname, i.up, i.lowerUp, i.operstate])).toEqual([
      ['lo', true, true, 'UNKNOWN'],
      ['enp0s25', true, true, 'UP'],
    ])
    expect(ifs[1]?.addresses.map((a) => [a.family, a.local, a.prefixlen, a.scope])).toEqual([
      ['inet', inet[1], 24, 'global'],
      ['inet6', 'fe80::7777:2222:1111:eeee', 64, 'global'],
      ['inet6', 'fe80::8107:2b92:867e:f8a6', 64, 'link'],
    ])
    expect(ifs[1]).toMatchObject({mac: '50:7b:9d:2c:af:91', mtu: 1500, linkType: 'ether'})
    expect(ifs[1]?.addresses[0]).toMatchObject({dynamic: true, secondary: false, broadcast: broadcast[0]})
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

describe.skipIf(!hasCommand('ip'))('ip-addr gatherer on this machine', () => {
  it('reads the real interfaces of the test host, loopback included', () => {
    const addrs = ipAddr.parse(runLocally(ipAddr))
    expect(addrs.find((i) => i.ifname === 'lo')?.addresses.some((a) => a.local === '127.0.0.1')).toBe(true)
  })
})
