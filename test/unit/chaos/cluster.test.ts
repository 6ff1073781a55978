import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {
  fenceTimingFromCib,
  healthProblems,
  parseClusterState,
  parseTotem,
  parseVotes,
  type ClusterState,
} from '../../../src/chaos/cluster-state.js'
import {diffStates, holdsVip} from '../../../src/chaos/observer.js'
import {forecastQuorum, preflight} from '../../../src/chaos/preflight.js'
import {haveShared, sharedFixturesDir} from '../../support/paths.js'

interface N {
  name: string
  online?: boolean
  unclean?: boolean
  standby?: boolean
  dc?: boolean
}
interface F {
  target: string
  status: 'pending' | 'success' | 'failed'
  completed?: string
}

/** crm_mon XML of a 3-node lab cluster in Pacemaker 2.1 format. */
export function crmMon(o: {
  nodes?: N[]
  quorate?: boolean
  vipOn?: string
  webOn?: string
  fences?: F[]
  stonith?: boolean
}): string {
  const nodes = o.nodes ?? [{name: 'n1', dc: true}, {name: 'n2'}, {name: 'n3'}]
  const dc = nodes.find((n) => n.dc)
  const res = (id: string, agent: string, on: string | undefined): string =>
    `<resource id="${id}" resource_agent="${agent}" role="${on ? 'Started' : 'Stopped'}" active="${on ? 'true' : 'false'}" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="${on ? 1 : 0}">${on ? `<node name="${on}" id="1" cached="true"/>` : ''}</resource>`
  return `<pacemaker-result api-version="2.30" request="crm_mon -1 --output-as=xml --fence-history=3">
  <summary>
    <stack type="corosync"/>
    <current_dc present="${dc ? 'true' : 'false'}" version="2.1.5" ${dc ? `name="${dc.name}" id="1"` : ''} with_quorum="${o.quorate ?? true}" mixed_version="false"/>
    <nodes_configured number="3"/>
    <cluster_options stonith-enabled="${o.stonith ?? true}" symmetric-cluster="true" no-quorum-policy="stop" maintenance-mode="false" stop-all-resources="false" stonith-timeout-ms="60000" priority-fencing-delay-ms="0"/>
  </summary>
  <nodes>
${nodes
  .map(
    (n) =>
      `    <node name="${n.name}" id="1" online="${n.online ?? true}" standby="${n.standby ?? false}" standby_onfail="false" maintenance="false" pending="false" unclean="${n.unclean ?? false}" health="green" shutdown="false" expected_up="true" is_dc="${n.dc ?? false}" resources_running="1" type="member"/>`,
  )
  .join('\n')}
  </nodes>
  <resources>
    ${res('fence-n1', 'stonith:fence_ipmilan', 'n2')}
    ${res('p-vip', 'ocf:heartbeat:IPaddr2', o.vipOn === undefined ? 'n1' : o.vipOn || undefined)}
    ${res('p-web', 'ocf:heartbeat:anything', o.webOn === undefined ? 'n1' : o.webOn || undefined)}
  </resources>
  <fence_history>
${(o.fences ?? [])
  .map(
    (f) =>
      `    <fence_event action="reboot" target="${f.target}" client="pacemaker-controld.1234" origin="n2" status="${f.status}"${f.status === 'pending' ? '' : ` delegate="n3" completed="${f.completed ?? '2026-11-26 10:11:25 +00:00'}"`}/>`,
  )
  .join('\n')}
  </fence_history>
  <status code="0" message="OK"/>
</pacemaker-result>`
}

describe('crm_mon XML', () => {
  it('reads nodes, DC, quorum, fencing, resource locations and fence history', () => {
    const s = parseClusterState(crmMon({fences: [{target: 'n3', status: 'success'}]}))
    expect(s.dc).toBe('n1')
    expect(s.quorate).toBe(true)
    expect(s.stonithEnabled).toBe(true)
    expect(s.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3'])
    expect(s.resources.find((r) => r.id === 'p-vip')?.nodes).toEqual(['n1'])
    expect(s.fences).toEqual([
      expect.objectContaining({target: 'n3', action: 'reboot', status: 'success', delegate: 'n3'}),
    ])
    expect(healthProblems(s)).toEqual([])
  })

  it.skipIf(!haveShared)('reads a published Pacemaker 2.1.5 output and says why it is not healthy', () => {
    const xml = readFileSync(
      join(sharedFixturesDir, 'crm_mon-xml', 'pacemaker-2.1.5-unmanaged-on-offline-node.xml'),
      'utf8',
    )
    const s = parseClusterState(xml)
    expect(s.dc).toBe('cluster02')
    expect(healthProblems(s)).toEqual(['the cluster is in maintenance mode', 'node cluster02 is offline'])
  })

  it('an unhealthy cluster is refused with every reason', () => {
    const s = parseClusterState(
      crmMon({
        stonith: false,
        nodes: [
          {name: 'n1', dc: true},
          {name: 'n2', online: false},
          {name: 'n3', standby: true},
        ],
      }),
    )
    expect(healthProblems(s)).toEqual([
      'fencing is disabled (stonith-enabled=false)',
      'node n2 is offline',
      'node n3 is in standby',
    ])
  })
})

describe('quorum forecast', () => {
  const s = parseClusterState(crmMon({}))
  it('one node of three leaving keeps quorum', () => {
    expect(forecastQuorum(s, {expected: 3, total: 3, quorum: 2, qdevice: false}, ['n1'])).toMatchObject({
      quorate: true,
      remainingVotes: 2,
    })
  })
  it('two of three leaving loses it, and the preflight refuses unless allowed', () => {
    const votes = {expected: 3, total: 3, quorum: 2, qdevice: false}
    expect(preflight(s, votes, ['n1', 'n2']).problems.join()).toMatch(
      /no quorate partition.*--allow-quorum-loss/,
    )
    expect(preflight(s, votes, ['n1', 'n2'], {allowQuorumLoss: true}).ok).toBe(true)
  })
  it('a two-node cluster with a qdevice keeps quorum when one node leaves', () => {
    const two = parseClusterState(crmMon({nodes: [{name: 'n1', dc: true}, {name: 'n2'}]}))
    expect(forecastQuorum(two, {expected: 3, total: 3, quorum: 2, qdevice: true}, ['n1']).quorate).toBe(true)
    expect(forecastQuorum(two, {expected: 2, total: 2, quorum: 2, qdevice: false}, ['n1']).quorate).toBe(
      false,
    )
  })
  it('without vote information each node counts one vote', () => {
    expect(forecastQuorum(s, undefined, ['n3'])).toMatchObject({quorate: true, quorum: 2})
  })
})

describe('corosync outputs', () => {
  it('corosync-quorumtool -s', () => {
    const text = `Quorum information
------------------
Date:             Thu Nov 26 10:00:00 2026
Quorum provider:  corosync_votequorum
Nodes:            3
Node ID:          1
Ring ID:          1.2f
Quorate:          Yes

Votequorum information
----------------------
Expected votes:   3
Highest expected: 3
Total votes:      3
Quorum:           2
Flags:            Quorate
`
    expect(parseVotes(text)).toEqual({expected: 3, total: 3, quorum: 2, qdevice: false})
  })
  it('corosync-cmapctl totem timings', () => {
    expect(
      parseTotem(
        'runtime.config.totem.token (u32) = 3650\nruntime.config.totem.consensus (u32) = 4380\ntotem.token_coefficient (u32) = 650\n',
      ),
    ).toEqual({tokenMs: 3650, consensusMs: 4380, tokenCoefficientMs: 650})
  })
  it('fence timings of the device covering a node', () => {
    const cib = `<resources><primitive id="fence-n1" class="stonith" type="fence_ipmilan"><instance_attributes id="a"><nvpair id="a1" name="ip" value="198.18.3.101"/><nvpair id="a2" name="pcmk_host_list" value="n1"/></instance_attributes></primitive>
<primitive id="fence-n2" class="stonith" type="fence_ipmilan"><instance_attributes id="b"><nvpair id="b1" name="pcmk_host_list" value="n2"/><nvpair id="b2" name="pcmk_delay_base" value="5s"/><nvpair id="b3" name="power_wait" value="4"/></instance_attributes></primitive></resources>`
    expect(fenceTimingFromCib(cib, 'n1')).toEqual({
      device: 'fence-n1',
      agent: 'fence_ipmilan',
      delayBaseMs: undefined,
      actionMs: 2000,
    })
    expect(fenceTimingFromCib(cib, 'n2')).toEqual({
      device: 'fence-n2',
      agent: 'fence_ipmilan',
      delayBaseMs: 5000,
      actionMs: 4000,
    })
    expect(fenceTimingFromCib(cib, 'n9')).toEqual({})
  })
})

describe('observer: events between two crm_mon states', () => {
  const at = (o: Parameters<typeof crmMon>[0]): ClusterState => parseClusterState(crmMon(o))
  it('a heartbeat pull of n1, seen from n2, in order', () => {
    const seen = new Set<string>()
    const states = [
      at({fences: [{target: 'n3', status: 'success', completed: 'old'}]}),
      at({
        nodes: [{name: 'n1', online: false, unclean: true}, {name: 'n2', dc: true}, {name: 'n3'}],
        vipOn: 'n1',
        fences: [{target: 'n3', status: 'success', completed: 'old'}],
      }),
      at({
        nodes: [{name: 'n1', online: false, unclean: true}, {name: 'n2', dc: true}, {name: 'n3'}],
        fences: [
          {target: 'n3', status: 'success', completed: 'old'},
          {target: 'n1', status: 'pending'},
        ],
      }),
      at({
        nodes: [{name: 'n1', online: false}, {name: 'n2', dc: true}, {name: 'n3'}],
        vipOn: '',
        webOn: '',
        fences: [
          {target: 'n3', status: 'success', completed: 'old'},
          {target: 'n1', status: 'success'},
        ],
      }),
      at({
        nodes: [{name: 'n1', online: false}, {name: 'n2', dc: true}, {name: 'n3'}],
        vipOn: 'n2',
        webOn: 'n2',
        fences: [
          {target: 'n3', status: 'success', completed: 'old'},
          {target: 'n1', status: 'success'},
        ],
      }),
      at({
        nodes: [{name: 'n1'}, {name: 'n2', dc: true}, {name: 'n3'}],
        vipOn: 'n2',
        webOn: 'n2',
        fences: [
          {target: 'n3', status: 'success', completed: 'old'},
          {target: 'n1', status: 'success'},
        ],
      }),
    ]
    const events = states.flatMap((s, i) => diffStates(states[i - 1], s, i * 1000, 'crm_mon@n2', seen))
    expect(
      events.map(
        (e) => `${e.t} ${e.phase}${e.node ? ` ${e.node}` : ''}${e.resource ? ` ${e.resource}` : ''}`,
      ),
    ).toEqual([
      '1000 node-lost n1',
      '1000 node-unclean n1',
      '2000 fence-requested n1',
      '3000 fence-confirmed n1',
      '3000 resource-stopped n1 p-vip',
      '3000 resource-stopped n1 p-web',
      '4000 resource-started n2 p-vip',
      '4000 resource-started n2 p-web',
      '5000 node-rejoined n1',
    ])
  })

  it('a start still pending (crm_mon pending="Starting") is not a started resource yet', () => {
    const seen = new Set<string>()
    const before = at({vipOn: '', webOn: ''})
    const pendingXml = crmMon({vipOn: 'n2', webOn: ''}).replace(
      'id="p-vip" resource_agent="ocf:heartbeat:IPaddr2" role="Started"',
      'id="p-vip" resource_agent="ocf:heartbeat:IPaddr2" role="Started" pending="Starting"',
    )
    const pending = parseClusterState(pendingXml)
    expect(pending.resources.find((r) => r.id === 'p-vip')?.pending).toBe('Starting')
    expect(diffStates(before, pending, 1, 's', seen)).toEqual([])
    const monitoring = parseClusterState(pendingXml.replace('pending="Starting"', 'pending="Monitoring"'))
    expect(diffStates(pending, monitoring, 2, 's', seen).map((e) => e.phase)).toEqual(['resource-started'])
  })

  it('the VIP is seen in ip -j addr output', () => {
    const out = JSON.stringify([
      {
        ifname: 'eth0',
        addr_info: [
          {family: 'inet', local: '198.18.2.11', prefixlen: 24},
          {family: 'inet', local: '198.18.2.100', prefixlen: 24},
        ],
      },
    ])
    expect(holdsVip(out, '198.18.2.100')).toBe(true)
    expect(holdsVip(out, '198.18.2.101')).toBe(false)
    expect(holdsVip('not json', '198.18.2.100')).toBe(false)
  })
})

describe('--node roles against the live cluster', () => {
  it('@service is the VIP holder, @replica another cluster node, @dc the DC; names are checked', async () => {
    const {resolveTarget} = await import('../../../src/chaos/service.js')
    const {labInventory} = await import('./fixtures.js')
    const inv = labInventory()
    const state = parseClusterState(
      crmMon({vipOn: 'n2', webOn: 'n2', nodes: [{name: 'n1'}, {name: 'n2'}, {name: 'n3', dc: true}]}),
    )
    const snap = {state, vipHolders: ['n2'], via: 'n1'}
    expect(resolveTarget('@service', inv, snap)).toBe('n2')
    expect(resolveTarget('@replica', inv, snap)).toBe('n1')
    expect(resolveTarget('@dc', inv, snap)).toBe('n3')
    expect(resolveTarget('n3', inv, snap)).toBe('n3')
    expect(() => resolveTarget('n7', inv, snap)).toThrow(
      '--node n7: no such node in the inventory (it has: n1, n2, n3)',
    )
    expect(() => resolveTarget('@leader', inv, snap)).toThrow(
      /expected a node name, @service, @dc or @replica/,
    )
    // Without a VIP answer, the node running the most service resources.
    expect(resolveTarget('@service', inv, {state, vipHolders: []})).toBe('n2')
  })
})

describe('observer samples timed on the node', () => {
  it('split the node-side clock readings from what ran between them', async () => {
    const {parseTimedPoll, parseMembers, diffMembers} = await import('../../../src/chaos/observer.js')
    const p = parseTimedPoll(`1764151872.100000000\n${crmMon({})}\n1764151872.300000000\n`)
    expect(p?.nodeMidT).toBeCloseTo(1_764_151_872_200, 0)
    expect(parseClusterState(p?.body ?? '').dc).toBe('n1')
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
    const {CRM_POLL_SCRIPT, MEMBERS_STREAM_SCRIPT} = await import('../../../src/chaos/observer.js')
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
    const {MembersStream} = await import('../../../src/chaos/observer.js')
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
    const {MembersStream} = await import('../../../src/chaos/observer.js')
    const text = readFileSync(join(streamDir, 'pacemaker3-n3-lost-rejoined.txt'), 'utf8')
    const firstEnd = text.indexOf('\n\n', text.indexOf('Membership information')) + 2
    const stream = new MembersStream()
    expect(stream.push(text.slice(0, firstEnd - 1))).toEqual([])
    expect(stream.push(text.slice(firstEnd - 1, firstEnd)).map((b) => b.members)).toEqual([
      ['n1', 'n2', 'n3'],
    ])
  })

  it('reads the names after the Qdevice flags column and leaves out the qdevice row', async () => {
    const {MembersStream} = await import('../../../src/chaos/observer.js')
    const text = readFileSync(join(streamDir, 'pacemaker2-qdevice-healthy.txt'), 'utf8')
    const blocks = new MembersStream().push(text)
    expect(blocks.map((b) => ({ms: Math.round(b.nodeT), members: b.members}))).toEqual([
      {ms: 1795681292038, members: ['n1', 'n2']},
    ])
  })
})

describe.skipIf(!haveShared)('member names from published corosync-quorumtool outputs', () => {
  it('reads the membership of -s and -l outputs, "(local)" dropped', async () => {
    const {parseMembers} = await import('../../../src/chaos/observer.js')
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
