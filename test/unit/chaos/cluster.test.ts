import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {fenceTimingFor} from '../../../src/chaos/measure/fence-timing.js'
import {diffPacemaker, holdsVip} from '../../../src/chaos/observe/observer.js'
import {forecastQuorum, preflight} from '../../../src/chaos/safety/preflight.js'
import {observedView, vipHolders, vipMoved} from '../../../src/chaos/observe/view-diff.js'
import {parseCib} from '../../../src/facts/cibadmin.js'
import {parseCmap, totemTimings} from '../../../src/facts/corosync-cmapctl.js'
import {parseQuorumtool} from '../../../src/facts/corosync-quorumtool.js'
import {parseCrmMon} from '../../../src/facts/crm-mon.js'
import {healthProblems, pacemakerStateOf} from '../../../src/view/pacemaker.js'
import {membershipOf} from '../../../src/view/readings.js'
import type {PacemakerState} from '../../../src/view/types.js'
import {repoRoot} from '../../support/paths.js'
import {haveShared, sharedFixturesDir} from '../../support/paths.js'

/** Verbatim lab captures: examples/ (hacheck facts --save) and test/fixtures/outputs/crm-mon-watch. */
const example = (cap: string, node: string, file: string): string =>
  readFileSync(join(repoRoot, 'examples', cap, node, file), 'utf8')
const state = (cap: string, node = 'n1'): PacemakerState =>
  pacemakerStateOf(parseCrmMon(example(cap, node, 'crm-mon.out')))
const watchDir = join(import.meta.dirname, '../../fixtures/outputs/crm-mon-watch/power-off-vip-holder')
/** Who was powered off (the VIP holder) and who watched, as the capture recorded them. */
const meta = Object.fromEntries(
  readFileSync(join(watchDir, 'meta.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string]),
) as {victim: string; observer: string}
const watched = (): {file: string; s: PacemakerState; atS: number}[] => {
  const times = new Map(
    readFileSync(join(watchDir, 'times.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  )
  return readdirSync(watchDir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => ({
      file,
      s: pacemakerStateOf(parseCrmMon(readFileSync(join(watchDir, file), 'utf8'))),
      atS: Number(times.get(file.replace('.xml', ''))),
    }))
}

describe('Pacemaker state through the one crm_mon parser', () => {
  it('reads nodes, DC, quorum, fencing and resource locations of the healthy lab', () => {
    const s = state('lab-healthy')
    expect(s.dc).toBe('n2')
    expect(s.quorate).toBe(true)
    expect(s.stonithEnabled).toBe(true)
    expect(s.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3'])
    // Captured after a game day that fenced n1: the service moved to n3.
    expect(s.resources.find((r) => r.id === 'p-vip')?.nodes).toEqual(['n3'])
    expect(healthProblems(s)).toEqual([])
  })

  it.skipIf(!haveShared)('reads a published Pacemaker 2.1.5 output and says why it is not healthy', () => {
    const xml = readFileSync(
      join(sharedFixturesDir, 'crm_mon-xml', 'pacemaker-2.1.5-unmanaged-on-offline-node.xml'),
      'utf8',
    )
    const s = pacemakerStateOf(parseCrmMon(xml))
    expect(s.dc).toBe('cluster02')
    expect(healthProblems(s)).toEqual(['the cluster is in maintenance mode', 'node cluster02 is offline'])
  })

  it('refuses an unhealthy lab with every reason: fencing off, maintenance, a minority', () => {
    expect(healthProblems(state('lab-stonith-disabled'))).toEqual([
      'fencing is disabled (stonith-enabled=false)',
    ])
    expect(healthProblems(state('lab-maintenance'))).toEqual(['the cluster is in maintenance mode'])
    expect(healthProblems(state('lab-minority', 'n2'))).toEqual(
      expect.arrayContaining(['node n1 is offline', 'node n1 is unclean']),
    )
  })
})

describe('quorum forecast', () => {
  const s = state('lab-healthy')
  const votes = membershipOf(parseQuorumtool(example('lab-healthy', 'n1', 'corosync-quorumtool.out')))
  it('one node of three leaving keeps quorum', () => {
    expect(votes).toMatchObject({expectedVotes: 3, totalVotes: 3, quorum: 2, qdevice: false})
    expect(forecastQuorum(s, votes, ['n1'])).toMatchObject({quorate: true, remainingVotes: 2})
  })
  it('two of three leaving loses it, and the preflight refuses unless allowed', () => {
    expect(preflight(s, votes, ['n1', 'n2']).problems.join()).toMatch(
      /no quorate partition.*--allow-quorum-loss/,
    )
    expect(preflight(s, votes, ['n1', 'n2'], {allowQuorumLoss: true}).ok).toBe(true)
  })
  it('a two-node cluster with a qdevice keeps quorum when one node leaves', () => {
    const stream = readFileSync(
      join(
        import.meta.dirname,
        '../../fixtures/outputs/corosync-quorumtool-m/pacemaker2-qdevice-healthy.txt',
      ),
      'utf8',
    )
    const qvotes = membershipOf(parseQuorumtool(stream.split('\n').slice(1).join('\n')))
    expect(qvotes).toMatchObject({members: ['n1', 'n2'], qdevice: true, quorum: 2})
    const two: PacemakerState = {...s, nodes: s.nodes.filter((n) => n.name !== 'n3')}
    expect(forecastQuorum(two, qvotes, ['n1']).quorate).toBe(true)
    expect(forecastQuorum(two, {...qvotes, qdevice: false}, ['n1']).quorate).toBe(false)
  })
  it('without vote information each node counts one vote', () => {
    expect(forecastQuorum(s, undefined, ['n3'])).toMatchObject({quorate: true, quorum: 2})
  })
})

describe('corosync and CIB readings chaos uses', () => {
  it('token timings from corosync-cmapctl', () => {
    expect(totemTimings(parseCmap(example('lab-healthy', 'n1', 'corosync-cmapctl.out')))).toEqual({
      tokenMs: 3650,
      consensusMs: 4380,
    })
  })
  it('fence timings of the device covering a node, from the lab CIB', () => {
    const cib = parseCib(example('lab-healthy', 'n1', 'cibadmin.out'))
    expect(fenceTimingFor(cib, 'n1')).toEqual({device: 'fence-n1', agent: 'fence_ipmilan', actionMs: 2000})
    expect(fenceTimingFor(cib, 'n9')).toEqual({})
  })
})

describe('observer: events between successive views of a node lost (captured from the lab)', () => {
  it('a power-off of the VIP holder seen from a survivor, in order: lost, unclean, fence requested then confirmed, service moved, rejoined', () => {
    const seen = new Set<string>()
    const samples = watched()
    const {victim: v, observer} = meta
    const events = samples.flatMap((x, i) =>
      diffPacemaker(samples[i - 1]?.s, x.s, i, `crm_mon@${observer}`, seen),
    )
    const phases = events.map(
      (e) => `${e.phase}${e.node ? ` ${e.node}` : ''}${e.resource ? ` ${e.resource}` : ''}`,
    )
    // The sample (index) an event was first seen in: events of one sample are simultaneous.
    const at = (p: string): number => events[phases.indexOf(p)]?.t ?? -1
    const started = phases.find((p) => /^resource-started n\d p-vip$/.test(p)) ?? 'resource-started ? p-vip'
    expect(started).not.toBe(`resource-started ${v} p-vip`)
    for (const p of [
      `node-lost ${v}`,
      `node-unclean ${v}`,
      `fence-requested ${v}`,
      `fence-confirmed ${v}`,
      started,
      `node-rejoined ${v}`,
    ])
      expect(at(p), `${p} in ${phases.join(', ')}`).toBeGreaterThan(0)
    expect(at(`node-lost ${v}`)).toBeLessThan(at(`fence-confirmed ${v}`))
    expect(at(`fence-requested ${v}`)).toBeLessThan(at(`fence-confirmed ${v}`))
    expect(at(`fence-confirmed ${v}`)).toBeLessThanOrEqual(at(started))
    expect(at(started)).toBeLessThan(at(`node-rejoined ${v}`))
    // Fence devices moving are not the service failing over.
    expect(events.some((e) => e.resource?.startsWith('fence-'))).toBe(false)
  })

  it('a start still in flight (role Starting, or pending="Starting") is not a started resource yet', () => {
    const samples = watched()
    const starting = samples.find((x) =>
      x.s.resources.some((r) => r.id === 'p-vip' && r.active && r.role !== 'Started'),
    )
    if (!starting) return
    const seen = new Set<string>()
    const i = samples.indexOf(starting)
    const ev = diffPacemaker(samples[i - 1]?.s, starting.s, 0, 's', seen)
    expect(ev.some((e) => e.phase === 'resource-started' && e.resource === 'p-vip')).toBe(false)
  })

  it("VIP holders come from every node's addresses, and a move is judged against the last holder", () => {
    const nodes = ['n1', 'n2', 'n3'].map((n) => ({name: n, aliases: [], roles: ['cluster'], hasBmc: false}))
    const vip = '198.18.2.100'
    const answers = (when: 'before' | 'after'): Map<string, boolean> =>
      new Map(
        ['n1', 'n2', 'n3'].flatMap((n) => {
          const text = readFileSync(join(watchDir, `ip-addr-${when}-${n}.json`), 'utf8')
          return text.trim() ? [[n, holdsVip(text, vip)] as const] : []
        }),
      )
    const before = vipHolders(observedView(nodes, vip, {vip: answers('before')}))
    const after = vipHolders(observedView(nodes, vip, {vip: answers('after')}))
    expect(before).toEqual([meta.victim])
    expect(after).toHaveLength(1)
    expect(after).not.toEqual(before)
    expect(vipMoved(before, [])).toBeUndefined()
    expect(vipMoved(before, after)).toBe(after[0])
    expect(holdsVip('not json', vip)).toBe(false)
  })
})

describe('--node roles against the live cluster', () => {
  it('@service is the VIP holder, @replica another cluster node, @dc the DC; names are checked', async () => {
    const {resolveTarget} = await import('../../../src/chaos/observe/cluster.js')
    const {labInventory} = await import('./fixtures.js')
    const inv = labInventory()
    const s = state('lab-healthy')
    const snap = {state: s, vipHolders: ['n1'], via: 'n1'}
    expect(resolveTarget('@service', inv, snap)).toBe('n1')
    expect(resolveTarget('@replica', inv, snap)).toBe('n2')
    expect(resolveTarget('@dc', inv, snap)).toBe('n2')
    expect(resolveTarget('n3', inv, snap)).toBe('n3')
    expect(() => resolveTarget('n7', inv, snap)).toThrow(
      '--node n7: no such node in the inventory (it has: n1, n2, n3)',
    )
    expect(() => resolveTarget('@leader', inv, snap)).toThrow(
      /expected a node name, @service, @dc or @replica/,
    )
    // Without a VIP answer, the node running the most service resources.
    expect(resolveTarget('@service', inv, {state: s, vipHolders: []})).toBe('n3')
  })
})

describe('observer samples timed on the node', () => {
  it('split the node-side clock readings from what ran between them', async () => {
    const {parseTimedPoll, parseMembers, diffMembers} = await import('../../../src/chaos/observe/observer.js')
    const xml = example('lab-healthy', 'n1', 'crm-mon.out')
    const p = parseTimedPoll(`1764151872.100000000\n${xml}\n1764151872.300000000\n`)
    expect(p?.nodeMidT).toBeCloseTo(1_764_151_872_200, 0)
    expect(pacemakerStateOf(parseCrmMon(p?.body ?? '')).dc).toBe('n2')
    expect(parseTimedPoll('garbage')).toBeUndefined()
    expect(parseMembers('Cannot initialize QUORUM service')).toBeUndefined()
    expect(diffMembers(['n1', 'n2', 'n3'], ['n2', 'n3'], 5, 'corosync@n2')).toEqual([
      {
        kind: 'cluster',
        t: 5,
        phase: 'node-lost',
        node: 'n1',
        source: 'corosync@n2',
        detail: 'left the Corosync membership',
      },
    ])
    expect(diffMembers(['n2', 'n3'], ['n1', 'n2', 'n3'], 6, 'c').map((e) => `${e.phase} ${e.node}`)).toEqual([
      'node-rejoined n1',
    ])
    expect(diffMembers(undefined, ['n1'], 6, 'c')).toEqual([])
  })

  it('polls crm_mon between two clock readings and streams the membership with a clock reading per block', async () => {
    const {CRM_POLL_SCRIPT, MEMBERS_STREAM_SCRIPT} = await import('../../../src/chaos/observe/observer.js')
    expect(CRM_POLL_SCRIPT).toBe(
      'date +%s.%N; crm_mon -1 --output-as=xml --fence-history=3; rc=$?; date +%s.%N; exit $rc',
    )
    expect(MEMBERS_STREAM_SCRIPT).toBe(
      `stdbuf -oL corosync-quorumtool -m </dev/null | while IFS= read -r l; do case $l in 'Quorum information') date +%s.%N ;; esac; printf '%s\\n' "$l"; done`,
    )
  })
})

const streamDir = join(import.meta.dirname, '../../fixtures/outputs/corosync-quorumtool-m')

describe('the membership stream (corosync-quorumtool -m captured from the lab)', () => {
  it('splits a stream fed in small chunks into timed blocks: n3 leaves, then rejoins', async () => {
    const {MembersStream} = await import('../../../src/chaos/observe/observer.js')
    const text = readFileSync(join(streamDir, 'pacemaker3-n3-lost-rejoined.txt'), 'utf8')
    const stream = new MembersStream()
    const blocks = []
    for (let i = 0; i < text.length; i += 7) blocks.push(...stream.push(text.slice(i, i + 7)))
    expect(blocks.map((b) => ({ms: Math.round(b.nodeT), members: b.members}))).toEqual([
      {ms: 1795681225547, members: ['n1', 'n2', 'n3']},
      {ms: 1795681241662, members: ['n1', 'n2']},
      {ms: 1795681258342, members: ['n1', 'n2', 'n3']},
    ])
  })

  it('emits a block as soon as its membership rows end, without waiting for the next one', async () => {
    const {MembersStream} = await import('../../../src/chaos/observe/observer.js')
    const text = readFileSync(join(streamDir, 'pacemaker3-n3-lost-rejoined.txt'), 'utf8')
    const firstEnd = text.indexOf('\n\n', text.indexOf('Membership information')) + 2
    const stream = new MembersStream()
    expect(stream.push(text.slice(0, firstEnd - 1))).toEqual([])
    expect(stream.push(text.slice(firstEnd - 1, firstEnd)).map((b) => b.members)).toEqual([
      ['n1', 'n2', 'n3'],
    ])
  })

  it('reads the names after the Qdevice flags column and leaves out the qdevice row', async () => {
    const {MembersStream} = await import('../../../src/chaos/observe/observer.js')
    const text = readFileSync(join(streamDir, 'pacemaker2-qdevice-healthy.txt'), 'utf8')
    const blocks = new MembersStream().push(text)
    expect(blocks.map((b) => ({ms: Math.round(b.nodeT), members: b.members}))).toEqual([
      {ms: 1795681292038, members: ['n1', 'n2']},
    ])
  })
})

describe.skipIf(!haveShared)('member names from published corosync-quorumtool outputs', () => {
  it('reads the membership of -s and -l outputs, "(local)" dropped', async () => {
    const {parseMembers} = await import('../../../src/chaos/observe/observer.js')
    const dir = join(sharedFixturesDir, 'corosync-quorumtool')
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
    const juju = [
      'juju-04f1e3-0-lxd-5.mylab.home',
      'juju-04f1e3-2-lxd-6.mylab.home',
      'juju-04f1e3-1-lxd-6.mylab.home',
    ]
    expect(parseMembers(read('hotsos-ubuntu2004-corosync303-3node-l.txt'))).toEqual(juju)
    expect(parseMembers(read('hotsos-ubuntu2004-corosync303-3node-quorate.txt'))).toEqual(juju)
    expect(parseMembers(read('exporter-sles-2node-2Node-quorate.txt'))).toEqual([
      'stefanotorresi-hana01',
      'stefanotorresi-hana02',
    ])
  })
})
