import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {renderDryRun} from '../../../src/chaos/report/dry-run.js'
import evacuate from '../../../src/chaos/faults/evacuate.js'
import killProcess from '../../../src/chaos/faults/kill-process.js'
import linkPull from '../../../src/chaos/faults/link-pull.js'
import netem from '../../../src/chaos/faults/netem.js'
import partition from '../../../src/chaos/faults/partition.js'
import powerCycle from '../../../src/chaos/faults/power-cycle.js'
import powerOff from '../../../src/chaos/faults/power-off.js'
import reset from '../../../src/chaos/faults/reset.js'
import type {AnyFault} from '../../../src/chaos/faults/parts/define.js'
import type {PlanResult} from '../../../src/chaos/plan/types.js'
import {expectGolden} from '../../support/golden.js'
import {fixturesDir} from '../../support/paths.js'
import {ctxOf, labFacts, planInput, planOf, RUN_ID} from './fixtures.js'

const golden = (name: string): string => join(fixturesDir, 'chaos', 'dry-run', `${name}.txt`)

function ok(r: PlanResult): Extract<PlanResult, {ok: true}>['plan'] {
  if (!r.ok) throw new Error(`refused: ${r.reason}`)
  return r.plan
}

const cases: [string, () => PlanResult][] = [
  ['link-pull-iptables', () => planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'})],
  ['link-pull-link-down', () => planOf(linkPull, 'n2', {interface: 'eth1', method: 'link-down'})],
  ['partition-isolate', () => planOf(partition, undefined, {isolate: 'n1'})],
  [
    'netem-delay',
    () =>
      planOf(netem, 'n1', {network: 'heartbeat', method: 'netem', delay: '200ms', jitter: '50ms', loss: 1}),
  ],
  [
    'netem-iptables-loss',
    () => planOf(netem, 'n1', {network: 'heartbeat', method: 'iptables-loss', loss: 30}),
  ],
  ['power-off', () => planOf(powerOff, 'n1')],
  ['power-off-leave-off', () => planOf(powerOff, 'n1', {leaveOff: true})],
  ['power-cycle', () => planOf(powerCycle, 'n2')],
  ['reset', () => planOf(reset, 'n3')],
  ['kill-process-kill', () => planOf(killProcess, 'n2', {process: 'pacemaker-controld', signal: 'KILL'})],
  ['kill-process-stop', () => planOf(killProcess, 'n1', {process: 'corosync', signal: 'STOP'})],
  [
    'evacuate',
    () => planOf(evacuate, 'n1', {}, planInput(), {snapshot: {vipHolders: [], via: 'n2'}, looked: {}}),
  ],
]

describe('--dry-run prints the exact commands of every fault', () => {
  for (const [name, make] of cases) {
    it(`${name} matches its golden file`, () => {
      expectGolden(renderDryRun(RUN_ID, ok(make())), golden(name))
    })
  }

  it('never puts a BMC password in a plan', () => {
    process.env.LAB_BMC_PASSWORD = 'not-in-any-plan-1234'
    const text = JSON.stringify(ok(planOf(powerOff, 'n1'))) + renderDryRun(RUN_ID, ok(planOf(powerOff, 'n1')))
    expect(text).not.toContain('not-in-any-plan-1234')
    expect(text).toContain('IPMI_PASSWORD="$LAB_BMC_PASSWORD"')
    expect(text).toContain("'-E'".replace(/'/g, ''))
  })
})

describe('fault guards', () => {
  it('link-pull resolves the heartbeat network to eth1 and expects the node to be fenced', () => {
    const p = ok(planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'}))
    expect(p.summary).toContain('heartbeat (198.18.1.0/24) → eth1')
    expect(p.expectFenced).toEqual(['n1'])
    expect(p.leavesMembership).toEqual(['n1'])
    expect(p.inject[0]?.kind === 'node' && p.inject[0].script).toContain(
      '-A HACHECK -p tcp -s 198.18.2.1 --dport 22 -j RETURN',
    )
  })

  it('link-pull of the public interface keeps the node a member when its ring is elsewhere', () => {
    const p = ok(planOf(linkPull, 'n1', {network: 'public', method: 'iptables'}))
    expect(p.expectFenced).toEqual([])
    expect(p.notes.join(' ')).toMatch(/carries hacheck's SSH connection/)
  })

  it('link-down refuses the interface that carries hacheck’s own SSH connection', () => {
    const r = planOf(linkPull, 'n1', {network: 'public', method: 'link-down'})
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(/carries hacheck's own SSH connection/)
  })

  it('an unknown network is refused with the names the inventory has', () => {
    const r = planOf(linkPull, 'n1', {network: 'storage', method: 'iptables'})
    expect(!r.ok && r.reason).toBe(
      'the inventory has no network named storage (it has: public, heartbeat, management)',
    )
  })

  it('an existing HACHECK chain is refused with the way out', () => {
    const input = planInput({facts: new Map([['n1', labFacts(1, {chainPresent: true})]])})
    const r = planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'}, input)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.actions?.join(' ')).toMatch(/hacheck chaos revert/)
  })

  it('without SSH_CONNECTION the iptables faults refuse rather than risk cutting hacheck off', () => {
    const input = planInput({facts: new Map([['n1', labFacts(1, {ssh: undefined})]])})
    const r = planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'}, input)
    expect(!r.ok && r.reason).toMatch(/SSH_CONNECTION is empty/)
  })

  it('netem never replaces a root qdisc the operator installed', () => {
    const input = planInput({
      facts: new Map([['n1', labFacts(1, {qdiscs: [{dev: 'eth1', kind: 'tbf', handle: '1:', root: true}]})]]),
    })
    const r = planOf(netem, 'n1', {network: 'heartbeat', method: 'netem', delay: '100ms'}, input)
    expect(!r.ok && r.reason).toMatch(/has its own root qdisc \(tbf 1:\)/)
  })

  it('iptables-loss refuses delay', () => {
    const r = planOf(netem, 'n1', {network: 'heartbeat', method: 'iptables-loss', delay: '100ms', loss: 10})
    expect(!r.ok && r.reason).toMatch(/only drop packets/)
  })

  it('partition isolates one node from the rest with rules on every node', () => {
    const p = ok(planOf(partition, undefined, {isolate: 'n3'}))
    expect(p.targets).toEqual(['n3'])
    expect(p.inject.map((s) => (s.kind === 'node' ? s.node : '')).sort()).toEqual(['n1', 'n2', 'n3'])
    const n3 = p.inject.find((s) => s.kind === 'node' && s.node === 'n3')
    expect(n3?.kind === 'node' && n3.script).toContain('-A HACHECK -s 198.18.1.11 -j DROP')
    expect(n3?.kind === 'node' && n3.script).not.toContain('198.18.2.100')
    expect(p.expectFenced).toEqual(['n3'])
  })

  it('power faults need a BMC', () => {
    const input = planInput()
    const inv = input.inventory
    delete inv.nodes[0]?.bmc
    expect(planOf(powerOff, 'n1', {}, input)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/has no bmc/),
    })
  })

  it('kill-process refuses anything but an exact process name', () => {
    expect(() => planOf(killProcess, 'n1', {process: 'coro.*|sh'})).toThrow(
      'process: expected an exact process name such as corosync, found "coro.*|sh"',
    )
    // The planner refuses it too, whatever reaches it.
    const input = planInput()
    expect(
      (killProcess as AnyFault).plan(input, ctxOf(input, 'n1', {process: 'coro.*|sh', signal: 'KILL'})).ok,
    ).toBe(false)
  })
})
