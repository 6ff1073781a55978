/**
 * compareRefs orders plain refs by code unit instead of localeCompare (whose first call costs every run
 * ~10 ms): the order must be localeCompare's, for any refs of the plain alphabet, and localeCompare's
 * still for any other ref.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {compareRefs} from '../../../src/reporters/common.js'

const sign = (n: number): number => Math.sign(n)
const plain = fc.stringMatching(/^[a-z0-9.-]{0,12}$/)

describe('compareRefs', () => {
  it('orders plain refs exactly as localeCompare does', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        fc.pre(!Number.isFinite(Number(a)) && !Number.isFinite(Number(b)))
        expect(sign(compareRefs(a, b))).toBe(sign(a.localeCompare(b)))
      }),
      {numRuns: 5000},
    )
  })

  it('orders the refs of the bundled checklists numbers first, then x.* alphabetically', () => {
    const refs = ['x.vrrp', '10', 'x.corosync', '2', 'x.etcd', '1', 'x.lb']
    expect([...refs].sort(compareRefs)).toEqual(['1', '2', '10', 'x.corosync', 'x.etcd', 'x.lb', 'x.vrrp'])
  })

  it('leaves refs with capitals or other characters to localeCompare', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 8}), fc.string({maxLength: 8}), (a, b) => {
        fc.pre(!Number.isFinite(Number(a)) && !Number.isFinite(Number(b)))
        expect(sign(compareRefs(a, b))).toBe(sign(a.localeCompare(b)))
      }),
    )
  })
})
