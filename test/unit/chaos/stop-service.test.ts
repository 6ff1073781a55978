/** The stop-service plan (pure): stop, verify stopped, start again on revert and by the dead-man. */
import {describe, expect, it} from 'vitest'

import {planStopService} from '../../../src/chaos/faults/stop-service.js'
import {planInput} from './fixtures.js'

describe('planStopService', () => {
  it('stops the unit on the one node, verifies it inactive, and starts it again on revert and from the dead-man', () => {
    const r = planStopService(planInput(), {node: 'n2', unit: 'etcd'})
    if (!r.ok) throw new Error(r.reason)
    const p = r.plan
    expect(p.fault).toBe('stop-service')
    expect(p.targets).toEqual(['n2'])
    expect(p.summary).toBe('stop etcd on n2 for 30s, then start it again')
    expect(p.inject.map((s) => (s.kind === 'node' ? [s.node, s.script] : []))).toEqual([
      [
        'n2',
        'systemctl is-active --quiet etcd || { echo "etcd is not running on this node" >&2; exit 3; }\nsystemctl stop etcd',
      ],
    ])
    expect(p.verify.map((s) => s.kind === 'node' && s.script)).toEqual(['! systemctl is-active --quiet etcd'])
    expect(p.revert.map((s) => s.kind === 'node' && s.script)).toEqual(['systemctl start etcd'])
    expect(p.verifyReverted.map((s) => s.kind === 'node' && s.script)).toEqual([
      'systemctl is-active --quiet etcd',
    ])
    expect(p.deadmen).toEqual([
      expect.objectContaining({kind: 'node', node: 'n2', undo: 'systemctl start etcd'}),
    ])
    // Nobody leaves a Corosync membership, nobody is fenced: the stopped member's own system judges quorum.
    expect(p.leavesMembership).toEqual([])
    expect(p.expectFenced).toEqual([])
    expect(p.reverts).toBe(true)
  })

  it('refuses an unknown node and a unit name that is not one (no shell through the unit)', () => {
    const a = planStopService(planInput(), {node: 'n9', unit: 'etcd'})
    expect(!a.ok && a.reason).toBe('unknown node n9')
    const b = planStopService(planInput(), {node: 'n1', unit: 'etcd; reboot'})
    expect(!b.ok && b.reason).toBe(
      'the unit must be a systemd unit name (letters, digits, . _ - : @), found "etcd; reboot"',
    )
  })
})
