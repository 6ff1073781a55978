import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {specOf} from '../../../src/lab/lab.js'
import type {ProfileName} from '../../../src/lab/topology.js'

describe('a lab state file', () => {
  const st = {
    variants: [],
    bmcPassword: 'x',
    labDir: '/tmp/some-lab',
    clusterName: 'lab',
  }

  it('naming a profile this hacheck does not know is a clear input error that says how to tear it down', () => {
    let err: unknown
    try {
      specOf({...st, profile: 'cluster' as ProfileName})
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InputError)
    const e = err as InputError
    expect(e.message).toContain('/tmp/some-lab/state.json')
    expect(e.message).toContain('"cluster"')
    expect(e.actions.join(' ')).toContain('pacemaker3')
    expect(e.actions.join(' ')).toContain('hacheck lab down')
  })

  it('naming a known profile gives that profile its nodes', () => {
    expect(specOf({...st, profile: 'pacemaker3'}).nodes.map((n) => n.name)).toContain('n1')
  })
})
