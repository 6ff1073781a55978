import {spawnSync} from 'node:child_process'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {cibadmin, parseCib, parseHostMap, SCRUBBED, scrubCib} from '../../../src/facts/cibadmin.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture, valuesIn} from './fixtures.js'

const dir = fixtureDir('cibadmin-cib')
const cib = (name: string) => parseCib(readFixture(dir, name))

/** Runs the gatherer snippet with cibadmin replaced by `cat FILE`, so the on-node scrub really runs. */
function runSnippet(file: string): string {
  const r = spawnSync('bash', ['-c', `cibadmin() { cat "$CIB"; }; ${cibadmin.script}`], {
    encoding: 'utf8',
    env: {...process.env, LC_ALL: 'C', CIB: file},
  })
  expect(r.status).toBe(0)
  return r.stdout
}

describe.skipIf(!existsSync(dir))('cibadmin parser on published CIBs', () => {
  it('parses all 13 CIBs', () => {
    const files = fixtureFiles(dir, '.xml')
    expect(files).toHaveLength(13)
    for (const f of files) expect(() => cib(f), f).not.toThrow()
  })

  it('reads stonith-enabled=false, a stale node and no fence device on the Ubuntu charm cluster', () => {
    const c = cib('hotsos-pcmk2.0.3-ubuntu-stonith-disabled.xml')
    expect(c.cluster.stonithEnabled).toBe(false)
    expect(c.cluster.stonithEnabledSource).toBe('stonith-enabled')
    expect(c.cluster.noQuorumPolicy).toBe('stop')
    expect(c.stonithDevices).toEqual([])
    expect(c.nodes.map((n) => n.uname)).toContain('node1')
    expect(c.status.nodes.map((n) => n.uname)).not.toContain('node1')
  })

  it('reads fencing as enabled from the new fencing-enabled name, with two IPMI devices and scrubbed passwords', () => {
    const c = cib('pacemaker-3.x-dev-bug-cl-5247-fencing-enabled-naming.xml')
    const [ip1, ip2] = valuesIn(
      dir,
      'pacemaker-3.x-dev-bug-cl-5247-fencing-enabled-naming.xml',
      /name="ipaddr" value="([^"]+)"/,
    )
    expect(c.properties['stonith-enabled']).toBeUndefined()
    expect(c.cluster).toMatchObject({
      stonithEnabled: true,
      stonithEnabledSource: 'fencing-enabled',
      startupFencing: false,
    })
    expect(
      c.stonithDevices.map((d) => [
        d.id,
        d.agent,
        d.targets,
        d.address,
        d.username,
        d.hasPassword,
        d.parents,
      ]),
    ).toEqual([
      ['prmStonith1-2', 'stonith:external/ipmi', ['bl460g8n3'], ip1, 'USERID', true, ['grpStonith1']],
      ['prmStonith2-2', 'stonith:external/ipmi', ['bl460g8n4'], ip2, 'USERID', true, ['grpStonith2']],
    ])
    expect(c.stonithDevices[0]?.params['passwd']).toBe(SCRUBBED)
    expect(c.scrubbed).toEqual(['passwd'])
    expect(JSON.stringify(c)).not.toContain('"****"')
    expect(c.fencingLevels.map((l) => [l.target, l.index, l.devices])).toEqual([
      ['bl460g8n3', 1, ['prmStonith1-2']],
      ['bl460g8n4', 1, ['prmStonith2-2']],
    ])
    expect(c.primitives.find((p) => p.id === 'prmDB1')?.utilization).toEqual({cpu: '2', hv_memory: '4024'})
    expect(c.containers.find((x) => x.id === 'msPostgresql')).toMatchObject({kind: 'clone', promotable: true})
    expect(c.status.nodes.find((n) => n.uname === 'bl460g8n4')?.failCounts).toEqual([
      {resource: 'pgsr02', operation: 'monitor', intervalMs: 10000, count: 1},
    ])
  })

  it('defaults fencing to enabled when crm_config is empty and there is no device at all', () => {
    const c = cib('pacemaker-3.x-dev-crm_verify-no-stonith-empty.xml')
    expect(c.cluster).toMatchObject({stonithEnabled: true, stonithEnabledSource: 'default'})
    expect(c.stonithDevices).toEqual([])
    expect(c.primitives).toEqual([])
  })

  it('reads an external/sbd device with pcmk_delay_max and the placement strategy of a SLES cluster', () => {
    const c = cib('crmsh-report-pcmk2.0.1-sles15sp1-sbd.xml')
    expect(c.cluster).toMatchObject({stonithEnabled: true, placementStrategy: 'balanced', haveWatchdog: true})
    expect(c.stonithDevices).toHaveLength(1)
    expect(c.stonithDevices[0]).toMatchObject({
      id: 'stonith-sbd',
      type: 'external/sbd',
      delayMax: '30s',
      targets: undefined,
      hasPassword: false,
    })
    expect(c.rscDefaults).toEqual({'resource-stickiness': '1', 'migration-threshold': '3'})
    expect(c.opDefaults['timeout']).toBe('600')
    expect(c.primitives.filter((p) => p.group === 'g1').map((p) => p.id)).toEqual(['d1', 'd2'])
    expect(c.status.nodes.every((n) => n.inCcm === true && n.crmdOnline === true)).toBe(true)
  })

  it('reads three external/ssh devices in groups with one fencing level per node and two nodes down', () => {
    const c = cib('pacemaker-2.1.9-bug-cl-5212-fencing-levels-unclean.xml')
    expect(c.cluster.noQuorumPolicy).toBe('freeze')
    expect(c.attrs.haveQuorum).toBe(false)
    expect(c.stonithDevices.map((d) => [d.id, d.targets, d.parents[0]])).toEqual([
      ['prmStonith1-1', ['srv01'], 'grpStonith1'],
      ['prmStonith2-1', ['srv02'], 'grpStonith2'],
      ['prmStonith3-1', ['srv03'], 'grpStonith3'],
    ])
    expect(c.fencingLevels.map((l) => l.target)).toEqual(['srv01', 'srv02', 'srv03'])
    expect(c.status.nodes.map((n) => [n.uname, n.inCcm, n.crmdOnline, n.expected])).toEqual([
      ['srv02', false, false, 'down'],
      ['srv01', false, false, 'down'],
      ['srv03', true, true, 'member'],
    ])
    const loc = c.constraints.locations.find((l) => l.id === 'rsc_location-msPostgresql-1')
    expect(loc?.rules.map((r) => [r.role, r.score, r.expressions[0]?.value])).toEqual([
      ['Promoted', '300', 'srv01'],
      ['Promoted', '200', 'srv02'],
      ['Promoted', '100', 'srv03'],
    ])
    expect(c.constraints.orders[0]).toMatchObject({first: 'clnPingd', then: 'msPostgresql', kind: 'Optional'})
  })

  it('reads a cli-prefer leftover and utilization on a stonith-disabled cluster', () => {
    const c = cib('pacemaker-2.1.9-migrate-begin-stonith-disabled.xml')
    expect(c.cluster.stonithEnabled).toBe(false)
    expect(c.constraints.locations.map((l) => [l.id, l.leftover])).toEqual([['cli-prefer-test-vm', 'prefer']])
    expect(c.constraints.colocations).toEqual([
      {
        id: 'colo-vm',
        rsc: 'test-vm',
        withRsc: 'c-clusterfs',
        score: 'INFINITY',
        rscRole: undefined,
        withRscRole: undefined,
        sets: [],
      },
    ])
    expect(c.nodes.map((n) => n.utilization)).toEqual([{memory: '4096'}, {memory: '4096'}])
  })

  it('reads an inquorate CIB whose only device lists all three hosts with a trailing blank', () => {
    const c = cib('pacemaker-2.1.9-quorum-4-inquorate-2-unclean.xml')
    expect(c.attrs.haveQuorum).toBe(false)
    expect(c.stonithDevices[0]?.targets).toEqual(['hadev1', 'hadev2', 'hadev3'])
    expect(c.status.nodes.map((n) => n.uname)).toEqual(['hadev2'])
  })

  it('reads node1 out of membership on the rec-node-10 input', () => {
    const c = cib('pacemaker-2.1.9-rec-node-10-unclean-no-quorum.xml')
    expect(c.status.nodes.find((n) => n.uname === 'node1')?.inCcm).toBe(false)
    expect(c.stonithDevices.map((d) => d.id)).toEqual(['stonith-1'])
  })

  it('reads node and resource utilization with placement-strategy utilization and a node in standby', () => {
    const c = cib('pacemaker-2.1.9-utilization-order4.xml')
    expect(c.cluster.placementStrategy).toBe('utilization')
    expect(c.nodes.map((n) => [n.uname, n.standby, n.utilization])).toEqual([
      ['deglxen001', false, {cpu: '64', memory: '513'}],
      ['deglxen002', true, {cpu: '64', memory: '513636'}],
    ])
    expect(c.constraints.locations).toHaveLength(5)
    expect(c.constraints.colocations).toHaveLength(4)
    expect(c.constraints.orders).toHaveLength(5)
  })

  it('reads a ban left by crm_resource and one fence_xvm device in a pcs CIB with a leading comment', () => {
    const c = cib('pcs-cib-status-with-status-section.xml')
    expect(c.constraints.locations).toEqual([
      expect.objectContaining({
        id: 'cli-ban-g1-clone-on-rh93-3',
        rsc: 'g1-clone',
        node: 'rh93-3',
        score: '-INFINITY',
        leftover: 'ban',
      }),
    ])
    expect(c.stonithDevices.map((d) => d.agent)).toEqual(['stonith:fence_xvm'])
    expect(c.status.nodes).toHaveLength(3)
  })

  it('reads fencing levels by node name, by pattern and by attribute', () => {
    const c = cib('pcs-fencing-levels.xml')
    expect(c.fencingLevels).toEqual([
      {
        id: 'fl-rh-1-1',
        index: 1,
        devices: ['S1'],
        target: 'rh-1',
        targetPattern: undefined,
        targetAttribute: undefined,
        targetValue: undefined,
      },
      expect.objectContaining({index: 2, devices: ['S2'], target: 'rh-1'}),
      expect.objectContaining({index: 1, devices: ['S3', 'S4'], target: 'rh-2'}),
      expect.objectContaining({index: 3, devices: ['S4'], targetPattern: 'rh-.*'}),
      expect.objectContaining({
        index: 4,
        devices: ['S1', 'S2', 'S3'],
        targetAttribute: 'foo',
        targetValue: 'bar',
      }),
    ])
  })

  it('reads a legacy master resource as promotable, cli leftovers of both kinds, and unexpected probe results', () => {
    const c = cib('trento-pcmk1.1.18-saphana-sbd.xml')
    expect(c.containers.find((x) => x.kind === 'master')).toMatchObject({
      id: 'msl_SAPHana_PRD_HDB00',
      promotable: true,
    })
    expect(c.primitives.find((p) => p.id === 'rsc_SAPHana_PRD_HDB00')).toMatchObject({
      promotable: true,
      clone: 'msl_SAPHana_PRD_HDB00',
    })
    expect(c.constraints.locations.filter((l) => l.leftover).map((l) => [l.id, l.leftover])).toEqual([
      ['cli-prefer-msl_SAPHana_PRD_HDB00', 'prefer'],
      ['cli-prefer-cln_SAPHanaTopology_PRD_HDB00', 'prefer'],
      ['cli-ban-msl_SAPHana_PRD_HDB00-on-node01', 'ban'],
    ])
    expect(c.status.failedOps.map((o) => [o.node, o.resource, o.rc, o.expectedRc, o.unexpected])).toEqual([
      ['node01', 'rsc_SAPHana_PRD_HDB00', 0, 7, true],
      ['node02', 'rsc_SAPHana_PRD_HDB00', 0, 7, true],
    ])
  })

  it('reads a docker bundle, tags and a plain ban in the crm_mon regression CIB', () => {
    const c = cib('pacemaker-3.x-dev-cts-cli-crm_mon-cib.xml')
    expect(c.primitives.find((p) => p.id === 'httpd')?.bundle).toBe('httpd-bundle')
    expect(c.tags['fencing-rscs']).toEqual(['Fencing'])
    expect(c.constraints.locations[0]).toMatchObject({
      id: 'not-on-cluster1',
      node: 'cluster01',
      score: '-INFINITY',
      leftover: undefined,
    })
    expect(c.primitives.filter((p) => p.disabled).map((p) => p.id)).toEqual([
      'inactive-dhcpd',
      'inactive-dummy-1',
      'inactive-dummy-2',
    ])
  })

  it('scrubs on the node exactly what scrubCib scrubs, and nothing else', () => {
    for (const f of fixtureFiles(dir, '.xml')) {
      const text = readFixture(dir, f)
      expect(runSnippet(path.join(dir, f)), f).toBe(scrubCib(text))
    }
    const bmc = readFixture(dir, 'pacemaker-3.x-dev-bug-cl-5247-fencing-enabled-naming.xml')
    const scrubbed = scrubCib(bmc)
    expect(scrubbed).not.toContain('value="****"')
    expect(scrubbed.split('\n').length).toBe(bmc.split('\n').length)
    expect(scrubCib(readFixture(dir, 'pcs-fencing-levels.xml'))).toBe(
      readFixture(dir, 'pcs-fencing-levels.xml'),
    )
  })
})

describe('cibadmin parser on edge cases', () => {
  it('scrubs a secret whose value comes before its name, on the node and in scrubCib', () => {
    const xml =
      '<cib><configuration><resources><primitive id="f" class="stonith" type="fence_ipmilan"><instance_attributes id="a"><nvpair id="p" value="s3cr&quot;et" name="password"/><nvpair id="u" name="username" value="admin"/><nvpair id="k" name="api_KEY" value="abc"/></instance_attributes></primitive></resources></configuration></cib>\n'
    const expected = xml
      .replace('value="s3cr&quot;et"', `value="${SCRUBBED}"`)
      .replace('value="abc"', `value="${SCRUBBED}"`)
    expect(scrubCib(xml)).toBe(expected)
    const r = spawnSync('bash', ['-c', `cibadmin() { printf '%s' "$CIB"; }; ${cibadmin.script}`], {
      encoding: 'utf8',
      env: {...process.env, CIB: xml},
    })
    expect(r.stdout).toBe(expected)
    const c = parseCib(xml)
    expect(c.stonithDevices[0]).toMatchObject({username: 'admin', hasPassword: true})
    expect(c.scrubbed).toEqual(['api_KEY', 'password'])
  })

  it('reads a pcmk_host_map with ports lists and both separators', () => {
    expect(parseHostMap('node1:1;node2:2,3 node3=4')).toEqual({node1: '1', node2: '2,3', node3: '4'})
  })

  it('rejects XML that is not a CIB', () => {
    expect(() => parseCib('<crm_mon version="2.0"/>')).toThrow(ParseError)
    expect(() => parseCib('Could not connect to the CIB: Transport endpoint is not connected')).toThrow(
      ParseError,
    )
  })
})
