/**
 * The remaining pass / non-pass / error cases per check, on verbatim published
 * outputs (../shared/fixtures) and the lab captures in examples/.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {gatherersOf} from '../../../src/audit/engine.js'
import {ALL_CHECKS} from '../../../src/checks/index.js'
import {runCheck, shared, statuses} from '../../support/check-harness.js'
import {haveShared, repoRoot} from '../../support/paths.js'

const lab = (cap: string, node: string, id: string): string =>
  readFileSync(join(repoRoot, 'examples', cap, node, `${id}.out`), 'utf8')

describe('every check', () => {
  for (const c of ALL_CHECKS) {
    if (gatherersOf(c).length === 0) continue
    it(`${c.id} is an error, never a pass, when its only node cannot be reached`, () => {
      const roles = c.roles ?? ['cluster']
      const r = runCheck(c.id, [{name: 'x', roles: [roles[0] as string], unreachable: true}], {
        inventory: {cluster: {name: 't', stack: 'pacemaker', objectives: {rpoMs: 0}, vip: '198.18.2.100'}},
      })
      for (const x of r) expect(['error', 'skip'], `${c.id}: ${x.status} ${x.message}`).toContain(x.status)
      expect(r.some((x) => x.status === 'error') || r.every((x) => x.status === 'skip')).toBe(true)
    })
  }
})

describe.skipIf(!haveShared)('pacemaker state checks on published crm_mon output', () => {
  const mon = (f: string): string => shared(`crm_mon-xml/${f}`)
  it('pacemaker.nodes-online fails with an offline node and passes on the lab', () => {
    expect(
      statuses(
        runCheck('pacemaker.nodes-online', [
          {name: 'a', outputs: {'crm-mon': mon('pacemaker-2.1.5-unmanaged-on-offline-node.xml')}},
        ]),
      ),
    ).toEqual(['fail'])
    expect(
      statuses(
        runCheck('pacemaker.nodes-online', [
          {name: 'n1', outputs: {'crm-mon': lab('lab-healthy', 'n1', 'crm-mon')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('pacemaker.fail-counts warns on failed operations and passes on the lab', () => {
    expect(
      statuses(
        runCheck('pacemaker.fail-counts', [
          {
            name: 'a',
            outputs: {'crm-mon': mon('exporter-pcmk2.0.0-hawk3-stonith-disabled-failed-start.xml')},
          },
        ]),
      ),
    ).toEqual(['warn'])
    expect(
      statuses(
        runCheck('pacemaker.fail-counts', [
          {name: 'n1', outputs: {'crm-mon': lab('lab-healthy', 'n1', 'crm-mon')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('fencing.devices-started fails without any fence device and passes on the lab', () => {
    expect(
      statuses(
        runCheck('fencing.devices-started', [
          {
            name: 'a',
            outputs: {'crm-mon': mon('exporter-pcmk2.0.0-hawk3-stonith-disabled-failed-start.xml')},
          },
        ]),
      )[0],
    ).toBe('fail')
    expect(
      statuses(
        runCheck('fencing.devices-started', [
          {name: 'n1', outputs: {'crm-mon': lab('lab-healthy', 'n1', 'crm-mon')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
})

describe.skipIf(!haveShared)('configuration checks on published CIBs and corosync files', () => {
  it('pacemaker.leftover-constraints warns on a cli-ban/cli-prefer leftover and passes on the lab', () => {
    const r = runCheck('pacemaker.leftover-constraints', [
      {
        name: 'a',
        outputs: {cibadmin: shared('cibadmin-cib/pacemaker-2.1.9-migrate-begin-stonith-disabled.xml')},
      },
    ])
    expect(statuses(r)).toEqual(['warn'])
    expect(r[0]?.message).toMatch(/cli-(ban|prefer)/)
    expect(
      statuses(
        runCheck('pacemaker.leftover-constraints', [
          {name: 'n1', outputs: {cibadmin: lab('lab-healthy', 'n1', 'cibadmin')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('corosync.config-drift fails when two nodes have different files and passes on the lab', () => {
    const r = runCheck('corosync.config-drift', [
      {name: 'a', outputs: {'corosync-conf': shared('corosync-conf/pcs-3node-udpu-no-qdevice.conf')}},
      {name: 'b', outputs: {'corosync-conf': shared('corosync-conf/pcs-3node-udpu-qdevice-net.conf')}},
    ])
    expect(statuses(r)).toEqual(['fail'])
    const same = ['n1', 'n2', 'n3'].map((n) => ({
      name: n,
      outputs: {'corosync-conf': lab('lab-healthy', n, 'corosync-conf')},
    }))
    expect(statuses(runCheck('corosync.config-drift', same))).toEqual(['pass'])
    expect(
      statuses(
        runCheck('corosync.config-drift', [same[0] as (typeof same)[0], {name: 'n2', unreachable: true}]),
      ),
    ).toEqual(['error'])
  })
  it('corosync.token-consensus flags nodes running with different tokens and passes on one cluster', () => {
    const a = shared('corosync-cmapctl/hotsos-ubuntu2004-corosync303-3node.txt')
    const b = shared('corosync-cmapctl/trento-corosync2-2node-two_node.txt')
    // A fail of this warning-severity check is reported as warn.
    const r = runCheck('corosync.token-consensus', [
      {name: 'a', outputs: {'corosync-cmapctl': a}},
      {name: 'b', outputs: {'corosync-cmapctl': b}},
    ])
    expect(statuses(r)).toEqual(['warn'])
    expect(r[0]?.message).toMatch(/different tokens/)
    expect(
      statuses(
        runCheck('corosync.token-consensus', [
          {name: 'n1', outputs: {'corosync-cmapctl': lab('lab-healthy', 'n1', 'corosync-cmapctl')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('pacemaker.vip-colocation passes on the lab and fails where no resource manages the VIP', () => {
    const inventory = {
      cluster: {name: 'lab', stack: 'pacemaker' as const, objectives: {}, vip: '198.18.2.100'},
    }
    expect(
      statuses(
        runCheck(
          'pacemaker.vip-colocation',
          [{name: 'n1', outputs: {cibadmin: lab('lab-healthy', 'n1', 'cibadmin')}}],
          {inventory},
        ),
      ),
    ).toEqual(['pass'])
    expect(
      statuses(
        runCheck(
          'pacemaker.vip-colocation',
          [
            {
              name: 'a',
              outputs: {cibadmin: shared('cibadmin-cib/pacemaker-3.x-dev-crm_verify-no-stonith-empty.xml')},
            },
          ],
          {inventory},
        ),
      ),
    ).toEqual(['fail'])
  })
  it('fencing.timeout passes on the lab', () => {
    expect(
      statuses(
        runCheck('fencing.timeout', [
          {
            name: 'n1',
            outputs: {
              cibadmin: lab('lab-healthy', 'n1', 'cibadmin'),
              'corosync-cmapctl': lab('lab-healthy', 'n1', 'corosync-cmapctl'),
              'sbd-dump': {exitCode: 96},
            },
          },
        ]),
      ),
    ).toEqual(['pass'])
  })
})

describe('controller-side and inventory checks', () => {
  const bmc = {host: '198.18.3.101', user: 'admin', passwordEnv: 'LAB_BMC_PASSWORD'}
  it('fencing.bmc-reachable passes on the lab BMC answer, fails when the BMC does not answer, skips without a BMC', () => {
    expect(
      statuses(
        runCheck('fencing.bmc-reachable', [
          {name: 'n1', bmc, outputs: {'ipmi-power-status': lab('lab-healthy', 'n1', 'ipmi-power-status')}},
        ]),
      ),
    ).toEqual(['n1:pass'])
    const down = runCheck('fencing.bmc-reachable', [
      {
        name: 'n1',
        bmc,
        outputs: {
          'ipmi-power-status': {
            stdout: '',
            stderr: 'Error: Unable to establish IPMI v2 / RMCP+ session',
            exitCode: 1,
          },
        },
      },
    ])
    expect(statuses(down)).toEqual(['n1:fail'])
    expect(statuses(runCheck('fencing.bmc-reachable', [{name: 'n1', outputs: {}}]))).toEqual(['n1:skip'])
  })
  it('lb.redundant fails with one load balancer and passes with two', () => {
    expect(statuses(runCheck('lb.redundant', [{name: 'lb1', roles: ['lb']}]))).toEqual(['fail'])
    expect(
      statuses(
        runCheck('lb.redundant', [
          {name: 'lb1', roles: ['lb']},
          {name: 'lb2', roles: ['lb']},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('power.redundant skips on a BMC without power-supply sensors, as the lab BMCs are', () => {
    expect(
      statuses(
        runCheck('power.redundant', [
          {
            name: 'n1',
            bmc,
            outputs: {'ipmi-power-supplies': lab('lab-healthy', 'n1', 'ipmi-power-supplies')},
          },
        ]),
      ),
    ).toEqual(['n1:skip'])
  })
})
