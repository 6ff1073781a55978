import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {specOf, type LabStatus} from '../../../src/lab/lab.js'
import {labHome} from '../../../src/lab/state.js'
import {statusLines} from '../../../src/lab/status-text.js'
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

describe('where the lab of a state file lives', () => {
  const noLab = (): boolean => false
  const onlyAt =
    (dir: string) =>
    (d: string): boolean =>
      d === dir

  it('is the directory the state file was read from when the file records that directory', () => {
    expect(labHome('/var/lib/hacheck-lab', {labDir: '/var/lib/hacheck-lab/'}, noLab)).toEqual({
      labDir: '/var/lib/hacheck-lab',
    })
  })

  it('is the recorded directory when the state file was copied elsewhere and that lab still exists', () => {
    const home = labHome('/tmp/copy', {labDir: '/var/lib/hacheck-lab'}, onlyAt('/var/lib/hacheck-lab'))
    expect(home.labDir).toBe('/var/lib/hacheck-lab')
    expect(home.note).toContain(
      '/tmp/copy/state.json is a copy of the state of the lab in /var/lib/hacheck-lab',
    )
  })

  it('is where the state file was read when the recorded directory holds no lab (moved or deleted)', () => {
    const home = labHome('/srv/lab', {labDir: '/var/lib/hacheck-lab'}, onlyAt('/srv/lab'))
    expect(home.labDir).toBe('/srv/lab')
    expect(home.note).toContain(
      '/srv/lab/state.json was written for a lab in /var/lib/hacheck-lab, which holds no lab any more',
    )
    expect(home.note).toContain('hacheck lab up')
  })
})

describe('the lab status printed for people', () => {
  const base: LabStatus = {
    up: true,
    profile: 'pacemaker3',
    variants: [],
    labDir: '/var/lib/hacheck-lab',
    inventory: '/var/lib/hacheck-lab/inventory.yaml',
    env: {},
    nodes: [{name: 'n1', host: '198.18.2.11', roles: ['cluster'], state: 'running'}],
    phase: 'up',
  }

  it('names the lab directory and the inventory in it', () => {
    const lines = statusLines(base)
    expect(lines[0]).toBe('Lab up: profile pacemaker3, variants none (healthy)')
    expect(lines).toContain('Lab directory: /var/lib/hacheck-lab')
    expect(lines).toContain('Inventory: /var/lib/hacheck-lab/inventory.yaml')
  })

  it('says why the lab directory is not where the state file was read', () => {
    const lines = statusLines({...base, labDir: '/srv/lab', note: 'state moved'})
    expect(lines).toContain('Note: state moved')
    expect(lines).toContain('Lab directory: /srv/lab')
  })

  it('calls a state file that says up while the lab is gone stale instead of "NOT up (phase up)"', () => {
    const lines = statusLines({...base, up: false, nodes: [{...base.nodes[0]!, state: 'off'}]})
    expect(lines[0]).toContain('Lab NOT up')
    expect(lines[0]).toContain('stale state')
    expect(lines[0]).not.toContain('(phase up)')
  })

  it('gives the phase of a lab being built or torn down', () => {
    expect(statusLines({...base, up: false, phase: 'building'})[0]).toBe(
      'Lab NOT up (phase building): profile pacemaker3, variants none (healthy)',
    )
  })

  it('with no state file, says where it looked', () => {
    expect(statusLines({...base, profile: null, up: false})).toEqual([
      'No lab (/var/lib/hacheck-lab). Start one with: sudo hacheck lab up',
    ])
  })
})
