import {describe, expect, it} from 'vitest'

import {checkCidr, isHost, isIpAddress} from '../../../src/core/address.js'

describe('isIpAddress', () => {
  it('accepts IPv4 and IPv6 addresses and refuses the rest', () => {
    expect(isIpAddress('198.18.2.100')).toBe(true)
    expect(isIpAddress('2001:db8::1')).toBe(true)
    expect(isIpAddress('198.18.2.300')).toBe(false)
    expect(isIpAddress('n1.example.org')).toBe(false)
  })
})

describe('isHost', () => {
  it('accepts addresses, DNS names and ssh config aliases', () => {
    for (const h of [
      '198.18.2.11',
      '127.0.0.1',
      '2001:db8::11',
      'n1',
      'n1.shop.example',
      'db_1',
      'lab-n1.',
    ]) {
      expect(isHost(h), h).toBe(true)
    }
  })

  it('refuses dotted numbers that are not an IPv4 address, and names with spaces or slashes', () => {
    for (const h of ['198.18.2.300', '198.18.2', '198.18.2.1.2', 'a b', 'n1/24', '-n1', '', 'n1..example']) {
      expect(isHost(h), h).toBe(false)
    }
  })
})

describe('checkCidr', () => {
  it('accepts network addresses with their prefix', () => {
    expect(checkCidr('198.18.2.0/24')).toEqual({ok: true})
    expect(checkCidr('198.18.0.0/15')).toEqual({ok: true})
    expect(checkCidr('127.0.0.1/32')).toEqual({ok: true})
    expect(checkCidr('0.0.0.0/0')).toEqual({ok: true})
    expect(checkCidr('2001:db8::/32')).toEqual({ok: true})
  })

  it('says why a CIDR is wrong and suggests the network when host bits are set', () => {
    expect(checkCidr('198.18.2.11/24')).toEqual({
      ok: false,
      reason: 'host bits are set',
      suggestion: '198.18.2.0/24',
    })
    expect(checkCidr('2001:db8::1/64')).toEqual({
      ok: false,
      reason: 'host bits are set',
      suggestion: '2001:db8::/64',
    })
    expect(checkCidr('198.18.1.0/33')).toEqual({ok: false, reason: 'the prefix must be at most /32'})
    expect(checkCidr('198.18.1.0')).toEqual({ok: false, reason: 'missing /prefix'})
    expect(checkCidr('198.18.1.256/24')).toEqual({ok: false, reason: '198.18.1.256 is not an IP address'})
  })
})
