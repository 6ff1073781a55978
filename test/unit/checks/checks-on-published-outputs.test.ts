/**
 * Checks judged on verbatim published outputs of the real tools
 * (../shared/fixtures), through the real engine. Each check gets at least one
 * pass, one non-pass and one error case.
 */
import {describe, expect, it} from 'vitest'

import {framedFile, runCheck, shared, statuses} from '../../support/check-harness.js'
import {haveShared} from '../../support/paths.js'

if (!haveShared) console.warn('skipping checks-on-published-outputs: ../shared/fixtures is absent')

const conf = (f: string): string => shared(`corosync-conf/${f}`)
const two = (outputs: Record<string, string>): {name: string; outputs: Record<string, string>}[] => [
  {name: 'a', outputs},
  {name: 'b', outputs},
]

describe.skipIf(!haveShared)('quorum.votes', () => {
  it('passes a three-node cluster without a witness (odd votes)', () => {
    expect(
      statuses(runCheck('quorum.votes', two({'corosync-conf': conf('pcs-3node-udpu-no-qdevice.conf')}))),
    ).toEqual(['pass'])
  })
  it('passes a cluster with a qdevice witness', () => {
    const r = runCheck('quorum.votes', two({'corosync-conf': conf('pcs-3node-udpu-qdevice-net.conf')}))
    expect(r[0]?.status).toBe('pass')
    expect(r[0]?.message).toMatch(/quorum device \(model net/)
  })
  it('warns on two nodes with two_node and no witness, the weakest acceptable form', () => {
    const r = runCheck('quorum.votes', two({'corosync-conf': conf('pcs-2node-udpu-two_node.conf')}))
    expect(r[0]?.status).toBe('warn')
    expect(r[0]?.evidence[0]).toMatchObject({
      node: 'a',
      source: 'corosync-conf',
      observed: {nodes: 2, twoNode: true},
    })
  })
  it('fails a cluster whose corosync.conf has no quorum provider', () => {
    const r = runCheck('quorum.votes', two({'corosync-conf': conf('corosync-2.4.5-example-udpu-5node.conf')}))
    expect(r[0]?.status).toBe('fail')
    expect(r[0]?.remediation).toMatch(/## Remediation/)
  })
  it('is an error, not a pass, when no node could be read', () => {
    const r = runCheck('quorum.votes', [
      {name: 'a', unreachable: true},
      {name: 'b', outputs: {'corosync-conf': {stdout: '', exitCode: 96}}},
    ])
    expect(r[0]?.status).toBe('error')
  })
})

describe.skipIf(!haveShared)('quorum.runtime', () => {
  it('passes a quorate two-node cluster with every vote present', () => {
    const q = shared('corosync-quorumtool/exporter-sles-2node-2Node-quorate.txt')
    const r = runCheck('quorum.runtime', [
      {name: 'stefanotorresi-hana01', outputs: {'corosync-quorumtool': q}},
      {name: 'stefanotorresi-hana02', outputs: {'corosync-quorumtool': q}},
    ])
    expect(r[0]?.status).toBe('pass')
  })
  it('fails when an inventory node is not in the membership', () => {
    const q = shared('corosync-quorumtool/exporter-sles-2node-2Node-quorate.txt')
    const r = runCheck('quorum.runtime', [
      {name: 'stefanotorresi-hana01', outputs: {'corosync-quorumtool': q}},
      {name: 'hana03', unreachable: true},
    ])
    expect(r[0]?.status).toBe('fail')
    expect(r[0]?.message).toMatch(/hana03/)
  })
  it('is an error when the tool is missing everywhere', () => {
    const r = runCheck(
      'quorum.runtime',
      two({})
        .map((n) => ({...n, outputs: {'corosync-quorumtool': ''}}))
        .map((n) => ({
          name: n.name,
          outputs: {
            'corosync-quorumtool': {
              stdout: '',
              stderr: 'corosync-quorumtool: command not found',
              exitCode: 127,
            },
          },
        })),
    )
    expect(r[0]?.status).toBe('error')
    expect(r[0]?.message).toMatch(/not installed/)
  })
})

describe.skipIf(!haveShared)('heartbeat checks', () => {
  it('pass a corosync 3 link that is up', () => {
    const r = runCheck('heartbeat.links-healthy', [
      {
        name: 'a',
        outputs: {'corosync-cfgtool': shared('corosync-cfgtool/hotsos-ubuntu2004-corosync303-1link-OK.txt')},
      },
    ])
    expect(statuses(r)).toEqual(['a:pass'])
  })
  it('warns, naming the ring, when corosync 2 marks ring 0 FAULTY while ring 1 still carries the heartbeat', () => {
    const r = runCheck('heartbeat.links-healthy', [
      {
        name: 'a',
        outputs: {
          'corosync-cfgtool': {
            stdout: shared('corosync-cfgtool/exporter-corosync2-rrp-ring0-faulty.txt'),
            exitCode: 1,
          },
        },
      },
    ])
    expect(statuses(r)).toEqual(['a:warn'])
    expect(r[0]?.message).toMatch(
      /ring 0 \(\S+\) down; ring 1 \(\S+\) still carries the heartbeat: redundancy lost/,
    )
  })
  it('warn on a single heartbeat link and pass on two RRP rings', () => {
    expect(
      statuses(
        runCheck('heartbeat.redundant-links', two({'corosync-conf': conf('pcs-3node-udpu-no-qdevice.conf')})),
      ),
    ).toEqual(['warn'])
    expect(
      statuses(
        runCheck(
          'heartbeat.redundant-links',
          two({'corosync-conf': conf('trento-basic-rrp-passive-token30000.conf')}),
        ),
      ),
    ).toEqual(['pass'])
  })
})

describe.skipIf(!haveShared)('fencing checks', () => {
  const mon = (f: string): string => shared(`crm_mon-xml/${f}`)
  const cib = (f: string): string => shared(`cibadmin-cib/${f}`)

  it('fail when stonith is disabled and pass when it is enabled', () => {
    expect(
      statuses(
        runCheck('fencing.enabled', [
          {
            name: 'a',
            outputs: {'crm-mon': mon('exporter-pcmk2.0.0-hawk3-stonith-disabled-failed-start.xml')},
          },
        ]),
      ),
    ).toEqual(['fail'])
    expect(
      statuses(
        runCheck('fencing.enabled', [
          {name: 'a', outputs: {'crm-mon': mon('pacemaker-2.0.5-xml-output.xml')}},
        ]),
      ),
    ).toEqual(['pass'])
  })
  it('fail when no fence device is configured at all', () => {
    const r = runCheck('fencing.coverage', [
      {name: 'a', outputs: {cibadmin: cib('pacemaker-3.x-dev-crm_verify-no-stonith-empty.xml')}},
    ])
    expect(r[0]?.status).toBe('fail')
  })
  it('check coverage and timeouts on a CIB with fencing levels', () => {
    const r = runCheck('fencing.coverage', [{name: 'a', outputs: {cibadmin: cib('pcs-fencing-levels.xml')}}])
    expect(['pass', 'warn', 'fail']).toContain(r[0]?.status)
    expect(r[0]?.evidence[0]?.observed).toHaveProperty('coverage')
  })
  it('judge SBD timing from the on-disk header', () => {
    const sysconfig = `# file: /etc/sysconfig/sbd\n${shared('sbd/exporter-sysconfig-sbd-two-devices.conf')}`
    const dump = (f: string): string => framedFile('/dev/vdb', shared(`sbd/${f}`))
    const good = runCheck('fencing.sbd', [
      {
        name: 'a',
        outputs: {'sbd-config': sysconfig, 'sbd-dump': dump('trento-sbd-dump-vdb-watchdog60-msgwait120.txt')},
      },
    ])
    expect(good[0]?.status, good[0]?.message).toBe('pass')
    const fast = runCheck('fencing.sbd', [
      {
        name: 'a',
        outputs: {'sbd-config': sysconfig, 'sbd-dump': dump('trento-sbd-dump-vdc-watchdog5-msgwait10.txt')},
      },
    ])
    expect(fast[0]?.status, fast[0]?.message).toBe('pass')
    expect(
      runCheck('fencing.sbd', [{name: 'a', outputs: {'sbd-config': {stdout: '', exitCode: 96}}}])[0]?.status,
    ).toBe('skip')
  })
  it('is an error for a node that could not be reached', () => {
    const r = runCheck('fencing.enabled', [{name: 'a', unreachable: true}])
    expect(r[0]?.status).toBe('error')
    expect(r[0]?.evidence[0]).toMatchObject({node: 'a', observed: {error: 'unreachable'}})
  })
})

describe.skipIf(!haveShared)('storage.multipath', () => {
  const mp = (f: string): string => shared(`multipath/${f}`)
  it('passes when every map has two active paths', () => {
    expect(
      statuses(
        runCheck('storage.multipath', [
          {
            name: 'a',
            outputs: {
              multipath: mp('b3stockage-rocky-2maps-2paths-healthy-conf-warning.txt'),
              'sbd-config': {exitCode: 96},
            },
          },
        ]),
      ),
    ).toEqual(['a:pass'])
  })
  it('fails when a map is down to one path, naming the map', () => {
    const r = runCheck('storage.multipath', [
      {
        name: 'a',
        outputs: {
          multipath: mp('b3stockage-rocky-2maps-1path-failed-each.txt'),
          'sbd-config': {exitCode: 96},
        },
      },
    ])
    expect(r[0]?.status).toBe('fail')
    expect(r[0]?.message).toMatch(/1\/2 active path/)
  })
  it('skips with the reason "no shared storage" when there is neither multipath nor SBD', () => {
    const r = runCheck('storage.multipath', [
      {
        name: 'a',
        outputs: {
          multipath: {exitCode: 127, stderr: 'multipath: command not found'},
          'sbd-config': {exitCode: 96},
        },
      },
    ])
    expect(r[0]?.status).toBe('skip')
    expect(r[0]?.message).toMatch(/^no shared storage/)
  })
})

describe.skipIf(!haveShared)('pacemaker leftovers', () => {
  it('fail a cluster left in maintenance mode and pass a normal one', () => {
    expect(
      statuses(
        runCheck('pacemaker.maintenance-mode', [
          {name: 'a', outputs: {'crm-mon': shared('crm_mon-xml/pacemaker-3.x-dev-maintenance-mode.xml')}},
        ]),
      ),
    ).toEqual(['fail'])
    expect(
      statuses(
        runCheck('pacemaker.maintenance-mode', [
          {
            name: 'a',
            outputs: {'crm-mon': shared('crm_mon-xml/hotsos-charm-hacluster-pcmk1.1.18-ubuntu-3node.xml')},
          },
        ]),
      ),
    ).toEqual(['pass'])
  })
})

describe.skipIf(!haveShared)('capacity.n-minus-1', () => {
  it('fails when one node alone cannot hold what the other runs', () => {
    const r = runCheck('capacity.n-minus-1', [
      {name: 'a', outputs: {cibadmin: shared('cibadmin-cib/pacemaker-2.1.9-utilization-order4.xml')}},
    ])
    expect(r[0]?.status).toBe('fail')
    expect(r[0]?.message).toMatch(/without deglxen002/)
  })
  it('skips when neither utilization nor a declared peak load exists', () => {
    const r = runCheck('capacity.n-minus-1', [
      {
        name: 'a',
        outputs: {cibadmin: shared('cibadmin-cib/pacemaker-3.x-dev-crm_verify-no-stonith-empty.xml')},
      },
    ])
    expect(r[0]?.status).toBe('skip')
  })
})

describe.skipIf(!haveShared)('logging.central', () => {
  const rs = (f: string): string => framedFile('/etc/rsyslog.d/90-forward.conf', shared(`rsyslog/${f}`))
  it('passes a TCP forward to a reachable log node', () => {
    const r = runCheck('logging.central', [
      {
        name: 'a',
        outputs: {
          rsyslog: rs('rsyslog-omfwd-tcp-minimal.conf'),
          'log-reach': 'tcp 198.18.2.31 514 ok 198.18.2.31\n',
        },
      },
      {name: 'log', roles: ['log'], host: '198.18.2.31', outputs: {}},
    ])
    expect(r.find((x) => x.node === 'a')?.status).toMatch(/pass|warn/)
  })
  it('fails when the log server does not answer', () => {
    const r = runCheck('logging.central', [
      {
        name: 'a',
        outputs: {
          rsyslog: rs('rsyslog-omfwd-tcp-minimal.conf'),
          'log-reach': 'tcp 198.18.2.31 514 fail 198.18.2.31\n',
        },
      },
    ])
    expect(statuses(r)).toEqual(['a:fail'])
  })
  it('fails when forwarding is only commented out', () => {
    const r = runCheck('logging.central', [
      {
        name: 'a',
        outputs: {
          rsyslog: rs('rsyslog-rhel-default-forwarding-commented.conf'),
          'log-reach': '',
          // Neither syslog-ng nor journal-upload is configured there (the snippets' "absent" exit).
          'syslog-ng': {exitCode: 96},
          'journal-upload': {exitCode: 96},
        },
      },
    ])
    expect(statuses(r)).toEqual(['a:fail'])
    expect(r[0]?.message).toMatch(/logs stay on the node/)
  })
})

describe.skipIf(!haveShared)('quorum.witness', () => {
  it('skips where no quorum device is configured', () => {
    expect(
      statuses(
        runCheck('quorum.witness', [
          {name: 'a', outputs: {'corosync-conf': conf('pcs-3node-udpu-no-qdevice.conf')}},
        ]),
      ),
    ).toEqual(['a:skip'])
  })
  it('fails a node whose qdevice daemon does not answer', () => {
    const r = runCheck('quorum.witness', [
      {
        name: 'a',
        outputs: {
          'corosync-conf': conf('pcs-3node-udpu-qdevice-net.conf'),
          'corosync-qdevice-tool': {
            stdout: '',
            stderr: "Can't connect to QDevice socket (is QDevice running?): No such file or directory",
            exitCode: 1,
          },
        },
      },
    ])
    expect(statuses(r)).toEqual(['a:fail'])
  })
  it('is an error when corosync.conf cannot be read', () => {
    expect(statuses(runCheck('quorum.witness', [{name: 'a', unreachable: true}]))).toEqual(['a:error'])
  })
})
