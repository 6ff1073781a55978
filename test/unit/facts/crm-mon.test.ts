import {describe, expect, it} from 'vitest'

import {crmMon, parseCrmMon, splitAgent} from '../../../src/facts/crm-mon.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('crm_mon-xml')
const mon = (name: string) => parseCrmMon(readFixture(dir, name))

describe.skipIf(!existsSync(dir))('crm-mon parser on published crm_mon XML', () => {
  it('parses all 11 files, old and new format, with one entry per <resource> element', () => {
    const files = fixtureFiles(dir, '.xml')
    expect(files).toHaveLength(11)
    for (const f of files) {
      const m = mon(f)
      const count = (readFixture(dir, f).match(/<resource /g) ?? []).length
      expect(m.resources, f).toHaveLength(count)
    }
  })

  it('reads a 2.0.0 cluster with stonith disabled, a failed start on both nodes and an empty fence history', () => {
    const m = mon('exporter-pcmk2.0.0-hawk3-stonith-disabled-failed-start.xml')
    expect(m.format).toBe('crm_mon')
    expect(m.version).toBe('2.0.0')
    expect(m.summary.options.stonithEnabled).toBe(false)
    expect(m.summary.quorate).toBe(true)
    expect(m.summary.dc).toMatchObject({present: true, name: 'Hawk3-1', id: '168430211'})
    expect(m.resources.map((r) => [r.id, r.agent, r.nodes])).toEqual([
      ['d1', 'ocf:heartbeat:Dummy', ['Hawk3-1']],
      ['vip1', 'ocf:heartbeat:IPaddr2', ['Hawk3-2']],
    ])
    expect(m.failures.map((f) => [f.opKey, f.node, f.exitStatus, f.exitCode])).toEqual([
      ['ddd_start_0', 'Hawk3-2', 'not installed', 5],
      ['ddd_start_0', 'Hawk3-1', 'not installed', 5],
    ])
    expect(m.failures[0]?.exitReason).toBe("Setup problem: couldn't find command: /usr/bin/safe_mysqld")
    expect(
      m.history.filter((h) => h.failCount !== undefined).map((h) => [h.node, h.resource, h.failCount]),
    ).toEqual([
      ['Hawk3-2', 'ddd', 1000000],
      ['Hawk3-1', 'ddd', 1000000],
    ])
    expect(m.fenceHistory).toEqual([])
    expect(m.bans).toEqual([])
  })

  it('reads a 1.1.18 three-node charm cluster with a VIP group and an lsb clone', () => {
    const m = mon('hotsos-charm-hacluster-pcmk1.1.18-ubuntu-3node.xml')
    expect(m.version).toBe('1.1.18')
    expect(m.summary.expectedVotes).toBe('unknown')
    expect(m.summary.options.stonithEnabled).toBe(false)
    expect(m.nodes.map((n) => [n.name, n.online, n.isDc])).toEqual([
      ['juju-2eebcf-0', true, true],
      ['juju-2eebcf-2', true, false],
      ['juju-2eebcf-3', true, false],
    ])
    const haproxy = m.resources.filter((r) => r.id === 'res_ks_haproxy')
    expect(haproxy.map((r) => r.nodes[0])).toEqual(['juju-2eebcf-2', 'juju-2eebcf-0', 'juju-2eebcf-3'])
    expect(haproxy[0]).toMatchObject({
      agent: 'lsb:haproxy',
      class: 'lsb',
      type: 'haproxy',
      clone: 'cl_ks_haproxy',
    })
    expect(m.resources.find((r) => r.id === 'res_ks_0dd3a53_vip')?.group).toBe('grp_ks_vips')
    expect(m.fenceHistory).toBeUndefined()
  })

  it('reads resources nested under nodes when there is no resources section', () => {
    const m = mon('exporter-pcmk1.1.18-hana-nodes-with-nested-resources.xml')
    expect(m.resources.map((r) => [r.id, r.role, r.nodes])).toEqual([
      ['rsc_SAPHana_PRD_HDB00', 'Master', ['hana01']],
      ['rsc_ip_PRD_HDB00', 'Started', ['hana01']],
      ['stonith-sbd', 'Started', ['hana01']],
      ['rsc_SAPHanaTopology_PRD_HDB00', 'Started', ['hana01']],
      ['rsc_SAPHana_PRD_HDB00', 'Slave', ['hana02']],
      ['rsc_SAPHanaTopology_PRD_HDB00', 'Started', ['hana02']],
    ])
    expect(m.resources.find((r) => r.id === 'stonith-sbd')).toMatchObject({
      isStonith: true,
      type: 'external/sbd',
    })
    expect(m.nodeAttributes['hana01']?.['hana_prd_sync_state']).toBe('PRIM')
    expect(
      m.history.find((h) => h.node === 'hana02' && h.resource === 'rsc_SAPHana_PRD_HDB00')?.failCount,
    ).toBe(300)
  })

  it('reads the SAP HANA promotable clone with one disabled resource and a stonith:external/sbd device', () => {
    const m = mon('trento-pcmk1.1.18-sles-saphana-2node.xml')
    expect(m.summary).toMatchObject({nodesConfigured: 2, resourcesConfigured: 8, resourcesDisabled: 1})
    expect(m.summary.options.stonithEnabled).toBe(true)
    expect(m.containers.find((c) => c.id === 'msl_SAPHana_PRD_HDB00')).toMatchObject({
      kind: 'clone',
      promotable: true,
    })
    expect(m.resources.find((r) => r.id === 'test-stop')).toMatchObject({
      role: 'Stopped',
      targetRole: 'Stopped',
      active: false,
    })
    expect(m.resources.filter((r) => r.isStonith).map((r) => r.id)).toEqual(['stonith-sbd'])
    expect(m.resources.find((r) => r.role === 'Slave')?.pending).toBe('Monitoring')
  })

  it('reads the 2.0.5 output whose DC has no name and whose bundle guest nodes are offline', () => {
    const m = mon('pacemaker-2.0.5-xml-output.xml')
    expect(m.format).toBe('pacemaker-result')
    expect(m.summary.dc).toEqual({present: true, name: undefined, id: undefined, version: undefined})
    expect(m.summary.quorate).toBe(true)
    expect(m.nodes.filter((n) => n.type === 'remote').map((n) => [n.name, n.online, n.idAsResource])).toEqual(
      [
        ['httpd-bundle-0', false, 'httpd-bundle-docker-0'],
        ['httpd-bundle-1', false, 'httpd-bundle-docker-1'],
        ['httpd-bundle-2', false, 'httpd-bundle-docker-2'],
      ],
    )
    expect(m.bans).toEqual([
      {id: 'not-on-cluster1', resource: 'dummy', node: 'cluster01', weight: -1000000, promotedOnly: false},
    ])
  })

  it('reads 3.x output with both fencing-enabled and stonith-enabled, a bundle, a promotable clone and a ban', () => {
    const m = mon('pacemaker-3.x-dev-basic-output.xml')
    expect(m.summary.options).toMatchObject({
      stonithEnabled: true,
      stonithTimeoutMs: 60000,
      maintenanceMode: false,
    })
    expect(m.summary.dc).toMatchObject({name: 'cluster02', id: '2'})
    const httpd = m.resources.filter((r) => r.id === 'httpd')
    expect(httpd.map((r) => [r.bundle, r.nodes, r.active])).toEqual([
      ['httpd-bundle', ['httpd-bundle-0'], true],
      ['httpd-bundle', ['httpd-bundle-1'], true],
      ['httpd-bundle', [], false],
    ])
    const proxy = m.resources.filter((r) => r.id === 'mysql-proxy')
    expect(proxy[0]?.parents).toEqual(['mysql-clone-group', 'mysql-group:0'])
    expect(proxy[0]).toMatchObject({clone: 'mysql-clone-group', group: 'mysql-group:0'})
    expect(m.resources.filter((r) => r.id === 'promotable-rsc').map((r) => r.role)).toEqual([
      'Promoted',
      'Unpromoted',
      'Stopped',
      'Stopped',
      'Stopped',
    ])
    expect(m.bans[0]).toMatchObject({id: 'not-on-cluster1', promotedOnly: false})
    expect(m.status).toEqual({code: 0, message: 'OK'})
    expect(m.nodes.find((n) => n.name === 'httpd-bundle-2')?.online).toBe(false)
  })

  it('reads cluster-wide maintenance mode with every resource unmanaged', () => {
    const m = mon('pacemaker-3.x-dev-maintenance-mode.xml')
    expect(m.summary.options.maintenanceMode).toBe(true)
    expect(m.resources.every((r) => r.managed === false)).toBe(true)
    expect(mon('pacemaker-3.x-dev-basic-output.xml').resources.some((r) => r.managed === false)).toBe(false)
  })

  it('reads an unmanaged resource still reported active on the offline DC', () => {
    for (const f of [
      'pacemaker-2.1.5-unmanaged-on-offline-node.xml',
      'pacemaker-3.x-dev-unmanaged-on-offline-node.xml',
    ]) {
      const m = mon(f)
      expect(m.summary.options.maintenanceMode, f).toBe(true)
      expect(
        m.nodes.find((n) => n.name === 'cluster02'),
        f,
      ).toMatchObject({online: false, isDc: true})
      expect(
        m.resources.find((r) => r.id === 'rsc2'),
        f,
      ).toMatchObject({nodes: ['cluster02'], managed: false, active: true})
    }
  })

  it('reads a cluster with no DC and no nodes, where quorum is unknown', () => {
    const m = mon('pcs-minimal-no-dc.xml')
    expect(m.summary.dc).toEqual({present: false, name: undefined, id: undefined, version: undefined})
    expect(m.summary.quorate).toBeUndefined()
    expect(m.nodes).toEqual([])
    expect(m.resources).toEqual([])
  })

  it('reads sixteen inactive resources of an unknown stack, with tickets', () => {
    const m = mon('pcs-all-resources-inactive-no-nodes.xml')
    expect(m.summary.stack).toBe('unknown')
    expect(m.resources.every((r) => r.active === false)).toBe(true)
    expect(m.resources.filter((r) => r.isStonith).map((r) => [r.id, r.group])).toEqual([
      ['S2', undefined],
      ['S1', 'G2'],
    ])
    expect(m.containers.find((c) => c.id === 'B1')).toMatchObject({
      kind: 'bundle',
      unique: true,
      managed: false,
    })
    expect(m.tickets).toEqual([
      {id: 'custom-ticket1', status: 'revoked', standby: false},
      {id: 'ticket2', status: 'revoked', standby: false},
    ])
  })
})

describe('crm-mon parser on edge cases', () => {
  it('normalises agent strings of both formats', () => {
    expect(splitAgent('ocf::heartbeat:IPaddr2')).toEqual({
      agent: 'ocf:heartbeat:IPaddr2',
      class: 'ocf',
      provider: 'heartbeat',
      type: 'IPaddr2',
    })
    expect(splitAgent('stonith:external/sbd')).toEqual({
      agent: 'stonith:external/sbd',
      class: 'stonith',
      type: 'external/sbd',
    })
  })

  it('reads failed fence events in the newer status form and the older state form', () => {
    const xml =
      '<pacemaker-result api-version="2.3"><summary/><fence_history><fence_event action="reboot" target="n2" client="pacemaker-controld.1" origin="n1" status="failed" exit-reason="timed out" completed="2024-01-01 10:00:00Z"/><fence_event target="n3" action="off" state="success" origin="n1" client="c"/></fence_history></pacemaker-result>'
    expect(parseCrmMon(xml).fenceHistory?.map((e) => [e.target, e.action, e.status, e.exitReason])).toEqual([
      ['n2', 'reboot', 'failed', 'timed out'],
      ['n3', 'off', 'success', undefined],
    ])
  })

  it('gives a parse error with the status message when the cluster is not running', () => {
    const xml =
      '<pacemaker-result api-version="2.3"><status code="102" message="Not connected"/></pacemaker-result>'
    expect(() => parseCrmMon(xml)).toThrow(/Not connected/)
    expect(() => parseCrmMon('crm_mon: Error: cluster is not available on this node')).toThrow(ParseError)
  })

  it('falls back to --as-xml only where --output-as is unknown', () => {
    expect(crmMon.script).toContain('--output-as=xml')
    expect(crmMon.script).toContain('--as-xml')
  })
})
