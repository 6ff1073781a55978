/**
 * The web stack's checks through the real engine (facts → view → evaluate) on verbatim lab captures
 * (test/fixtures/outputs/*): states that a live audit test cannot hold still, such as a VIP left behind by a
 * keepalived killed with SIGKILL, and a split brain judged from the view.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {replicaBehindBytes} from '../../../src/lab/web.js'
import {fixturesDir} from '../../support/paths.js'
import {runCheck, type HarnessNode} from '../../support/check-harness.js'

const read = (f: string): string => readFileSync(join(fixturesDir, 'outputs', f), 'utf8')
const inventory = {
  cluster: {name: 'web', stack: 'generic' as const, objectives: {rpoMs: 10_000}, vip: '198.18.2.100'},
  networks: {public: '198.18.2.0/24', management: '198.18.3.0/24'},
}
const lb = (name: string, host: string, outputs: HarnessNode['outputs']): HarnessNode => ({
  name,
  host,
  roles: ['lb'],
  outputs,
})

describe('VRRP checks on lab captures', () => {
  it('judges the VRRP configuration checks router by router, and skips when no LB runs keepalived', () => {
    const pair = (lb1: string, lb2: string) => [
      lb('lb1', '198.18.2.41', {'keepalived-conf': read(`keepalived-conf/${lb1}.txt`)}),
      lb('lb2', '198.18.2.42', {'keepalived-conf': read(`keepalived-conf/${lb2}.txt`)}),
    ]
    const one = (id: string, nodes: HarnessNode[]) =>
      runCheck(id, nodes, {inventory}).map((r) => `${r.status} ${r.message}`)
    expect(one('vrrp.authentication', pair('lb1-healthy', 'lb2-split'))).toEqual([
      'pass vrid 51: auth_type PASS with a password on lb1, lb2',
    ])
    expect(one('vrrp.priorities', pair('lb1-healthy', 'lb2-split'))).toEqual([
      'pass vrid 51: distinct priorities lb1 150, lb2 100',
    ])
    expect(one('vrrp.priorities', pair('lb1-healthy', 'lb1-healthy'))).toEqual([
      'fail vrid 51: lb1 and lb2 share priority 150',
    ])
    expect(one('vrrp.tracks-lb', pair('lb1-no-track', 'lb2-split'))).toEqual([
      expect.stringMatching(/^fail vrid 51 on lb1: no track_script\/track_process follows haproxy/),
      expect.stringMatching(/^pass vrid 51 on lb2: track_script chk_haproxy follows haproxy/),
    ])
    expect(one('vrrp.unicast-peers', pair('lb1-healthy', 'lb2-split'))).toEqual([
      expect.stringMatching(
        /^pass vrid 51: unicast between lb1 198\.18\.2\.41 and lb2 198\.18\.2\.42 on public /,
      ),
    ])
    expect(one('vrrp.unicast-peers', pair('lb1-peer-mgmt', 'lb2-split'))).toEqual([
      expect.stringMatching(
        /^fail vrid 51: lb1 sends\/expects adverts on .*outside public 198\.18\.2\.0\/24/,
      ),
    ])
    const none = {stdout: '', stderr: 'keepalived: not installed', exitCode: 127}
    expect(
      one('vrrp.authentication', [lb('lb1', '198.18.2.41', {'keepalived-conf': none})]).map(
        (x) => x.split(' ')[0],
      ),
    ).toEqual(['skip'])
  })

  it('passes vrrp.split-heal where global_defs has vrrp_higher_prio_send_advert, and warns on the LB whose configuration predates it (a warning-severity check)', () => {
    // lb1-healthy was captured after the lab got vrrp_higher_prio_send_advert; lb2-split before it.
    const results = runCheck(
      'vrrp.split-heal',
      [
        lb('lb1', '198.18.2.41', {'keepalived-conf': read('keepalived-conf/lb1-healthy.txt')}),
        lb('lb2', '198.18.2.42', {'keepalived-conf': read('keepalived-conf/lb2-split.txt')}),
      ],
      {inventory},
    ).map((r) => `${r.status} ${r.message}`)
    expect(results).toEqual([
      'pass lb1 VI_WWW (vrid 51): a healed split is re-announced (higher_prio_send_advert, 5 gratuitous ARPs from the winner)',
      expect.stringMatching(
        /^warn lb2 VI_WWW \(vrid 51\): no higher_prio_send_advert and no garp_master_refresh: when a split heals, the winner announces nothing/,
      ),
    ])
  })

  it('fails vrrp.vip-placement on an LB whose SIGKILLed keepalived left the VIP behind', () => {
    // lb2 as captured after its keepalived was SIGKILLed (lb1 had become MASTER): the VIP is still on eth0.
    const [r] = runCheck(
      'vrrp.vip-placement',
      [
        lb('lb2', '198.18.2.42', {
          'keepalived-conf': read('keepalived-conf/lb1-healthy.txt'),
          // The keepalived-state snippet's own words when keepalived does not run (exit 1).
          'keepalived-state': {
            stdout: '',
            stderr: 'keepalived is installed on this node but not running (no live /run/keepalived.pid)',
            exitCode: 1,
          },
          'ip-addr': read('keepalived-state/stale-vip-ip-addr.json'),
        }),
      ],
      {inventory},
    )
    expect(r?.status).toBe('fail')
    expect(r?.message).toBe('198.18.2.100 is on lb2 (eth0), whose keepalived is not running')
    expect(r?.remediation).toMatch(/ip addr del/)
  })

  it('fails vrrp.one-master on the split-brain captures, from the view', () => {
    const rs = runCheck(
      'vrrp.one-master',
      [
        lb('lb1', '198.18.2.41', {'keepalived-state': read('keepalived-state/split-lb1.txt')}),
        lb('lb2', '198.18.2.42', {'keepalived-state': read('keepalived-state/split-lb2.txt')}),
      ],
      {inventory},
    )
    expect(rs.map((r) => `${r.status} ${r.message}`)).toEqual([
      'fail vrid 51: lb1 and lb2 are MASTER at once (split brain): lb1 MASTER, lb2 MASTER',
    ])
    expect(rs[0]?.remediation).toMatch(/auth_pass/)
  })

  it('passes vrrp.one-master on the healthy pair and names the FAULT one after haproxy died', () => {
    const ok = runCheck(
      'vrrp.one-master',
      [
        lb('lb1', '198.18.2.41', {'keepalived-state': read('keepalived-state/master.txt')}),
        lb('lb2', '198.18.2.42', {'keepalived-state': read('keepalived-state/backup.txt')}),
      ],
      {inventory},
    )
    expect(ok.map((r) => `${r.status} ${r.message}`)).toEqual(['pass vrid 51: lb1 MASTER, lb2 BACKUP'])
    const fault = runCheck(
      'vrrp.one-master',
      [
        lb('lb1', '198.18.2.41', {'keepalived-state': read('keepalived-state/fault.txt')}),
        lb('lb2', '198.18.2.42', {'keepalived-state': read('keepalived-state/backup.txt')}),
      ],
      {inventory},
    )
    expect(fault.map((r) => `${r.status} ${r.message}`)).toEqual([
      'fail vrid 51: no MASTER: lb1 FAULT, lb2 BACKUP',
    ])
  })
})

describe('session checks on lab captures', () => {
  const session = (name: string, host: string, outputs: HarnessNode['outputs']): HarnessNode => ({
    name,
    host,
    roles: ['session'],
    outputs,
  })
  it('fails session.sentinel-quorum with two Sentinels (the third monitors nothing)', () => {
    const rs = runCheck(
      'session.sentinel-quorum',
      [
        session('redis1', '198.18.2.61', {'redis-sentinel': read('redis-sentinel/two-redis1.txt')}),
        session('redis3', '198.18.2.63', {
          'redis-sentinel': read('redis-sentinel/two-redis3-unconfigured.txt'),
        }),
      ],
      {inventory},
    )
    expect(rs[0]?.status).toBe('fail')
    expect(rs[0]?.message).toMatch(
      /^sessions: only 1 node\(s\) run a Sentinel for sessions \(redis1\); want 3; after losing redis1, 0 Sentinel\(s\) are left but a failover needs 2/,
    )
  })

  it('fails session.redis-replicas on a replica whose acknowledged offset falls behind (lab variant redis-replica-lag)', () => {
    const [r] = runCheck(
      'session.redis-replicas',
      [
        session('redis1', '198.18.2.61', {
          'redis-replication': read('redis-replication-lab/master-replica-lag.txt'),
        }),
      ],
      {inventory},
    )
    // Both replicas acknowledged within the second (lag=0): only the offset tells that redis3 is 3.5 MB behind.
    expect(r?.status).toBe('fail')
    expect(r?.message).toBe(
      'redis1 (127.0.0.1:6379): replica 198.18.2.63:6379 online, last ack 0 s ago, 3502663 bytes behind the master (offset 198516 of 3701179)',
    )
    expect(r?.remediation).toMatch(/## Remediation/)
    // The lab waits for the same gap in `redis-cli INFO replication`, read with the same parser.
    const info =
      /@@hacheck-part:begin replication [^@]*@@\n([\s\S]*?)@@hacheck-part:end/.exec(
        read('redis-replication-lab/master-replica-lag.txt'),
      )?.[1] ?? ''
    expect(replicaBehindBytes(info, '198.18.2.63')).toBe(3502663)
    expect(replicaBehindBytes(info, '198.18.2.62')).toBe(114975)
  })

  it('fails session.redis-replicas on min-replicas-to-write 0 and passes on the healthy master', () => {
    const r = (f: string) =>
      runCheck('session.redis-replicas', [session('redis1', '198.18.2.61', {'redis-replication': read(f)})], {
        inventory,
      })[0]
    expect(r('redis-replication-lab/master.txt')?.status).toBe('pass')
    expect(r('redis-replication-lab/master-no-min-replicas.txt')?.message).toMatch(
      /min-replicas-to-write 0: the master acknowledges sessions no replica has/,
    )
  })
})
