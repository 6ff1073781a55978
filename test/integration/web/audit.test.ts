/**
 * `hacheck audit` on the lab's web profile (keepalived VRRP pair + haproxy, three apps, Redis with three
 * Sentinels): the healthy stack passes the LB, VRRP and session checks and names no single point of
 * failure; each variant, applied live, fails exactly the check about it, with a remediation. The files of
 * this folder share one web build (they run one after the other, alphabetically).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditRun, CheckResult} from '../../../src/core/results.js'
import type {VariantName} from '../../../src/lab/topology.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labTitle} from '../lab/helpers.js'

const lab = labContext()
/** The checks this suite is about (the web stack's). */
const WEB_CHECKS = /^(vrrp|lb|session|tls)\./
/** Web-stack checks that flag something: fail, or warn for the checks whose severity is warning. */
const failing = (r: AuditRun): string[] =>
  [
    ...new Set(
      r.results
        .filter((x) => (x.status === 'fail' || x.status === 'warn') && WEB_CHECKS.test(x.id))
        .map((x) => x.id),
    ),
  ].sort()
const results = (r: AuditRun, id: string): CheckResult[] => r.results.filter((x) => x.id === id)

describe.skipIf(!lab.available)(labTitle('hacheck audit on the web stack'), () => {
  let healthy: AuditRun
  beforeAll(async () => {
    const s = await ensureLab('web')
    healthy = (await audit(s.inventory as string)).report
  })
  afterAll(async () => {
    if (lab.available) await ensureLab('web')
  })

  it('passes every LB, VRRP, session and TLS check on the healthy stack and names no single point of failure', () => {
    const bad = healthy.results
      .filter((x) => WEB_CHECKS.test(x.id) && x.status !== 'pass')
      .map((x) => `${x.id} ${x.node ?? ''} ${x.status}: ${x.message}`)
    expect(bad).toEqual([])
    // Which LB is MASTER depends on which came up first (nopreempt): one of each.
    expect(results(healthy, 'vrrp.one-master')[0]?.message).toMatch(
      /^vrid 51: (lb1 MASTER, lb2 BACKUP|lb1 BACKUP, lb2 MASTER)$/,
    )
    expect(results(healthy, 'session.sentinel-quorum')[0]?.message).toMatch(
      /3 Sentinels on redis1, redis2, redis3, quorum 2/,
    )
    expect(healthy.tiers?.filter((t) => t.spof).map((t) => t.tier)).toEqual([])
    expect(healthy.tiers?.map((t) => t.tier)).toEqual(expect.arrayContaining(['lb', 'app', 'session']))
    expect(healthy.view?.notices.filter((n) => n.kind.startsWith('system-'))).toEqual([])
  })

  const cases: [VariantName, string, RegExp, string[]?][] = [
    // TLS passed through to the apps: the LBs terminate nothing and the apps hold the certificate (item 9).
    ['cert-on-backend', 'tls.not-on-backends', /app1/, ['tls.lb-certificates', 'tls.not-on-backends']],
    ['vrrp-same-priority', 'vrrp.priorities', /lb1 and lb2 share priority 100/],
    ['vrrp-no-auth', 'vrrp.authentication', /no authentication on lb1, lb2/],
    ['vrrp-no-track', 'vrrp.tracks-lb', /no track_script\/track_process follows haproxy/],
    ['vrrp-peer-mgmt', 'vrrp.unicast-peers', /outside public 198\.18\.2\.0\/24/],
    ['vrrp-preempt', 'vrrp.preempt', /lb1 VI_WWW .*preempts at once/],
    [
      'vrrp-no-readvert',
      'vrrp.split-heal',
      /lb1 VI_WWW \(vrid 51\): no higher_prio_send_advert and no garp_master_refresh/,
    ],
    ['vrrp-split', 'vrrp.one-master', /lb1 and lb2 are MASTER at once \(split brain\)/],
    [
      'vrrp-stale-vip',
      'vrrp.vip-placement',
      /198\.18\.2\.100 is on lb[12] \(eth0\), whose keepalived is not MASTER of vrid 51/,
    ],
    ['lb-no-check', 'lb.backend-health', /backend be_app: no health check on app1, app2, app3/],
    ['lb-one-server', 'lb.backend-health', /backend be_app has 1 active server\(s\) \(app1\)/],
    [
      'lb-long-timeouts',
      'lb.timeouts',
      /be_app: timeout connect 30s > 5s; be_app: timeout server 10m > 300s/,
    ],
    ['sentinel-two', 'session.sentinel-quorum', /only 2 node\(s\) run a Sentinel/],
    [
      'sentinel-quorum-3',
      'session.sentinel-quorum',
      /after losing redis1, 2 Sentinel\(s\) are left but a failover needs 3/,
    ],
    ['redis-no-min-replicas', 'session.redis-replicas', /min-replicas-to-write 0/],
    // A write load through a replication link capped at 64 kbit/s: redis3 acknowledges every second (lag=0)
    // but its acknowledged offset falls ever further behind master_repl_offset.
    [
      'redis-replica-lag',
      'session.redis-replicas',
      /^redis1 \(127\.0\.0\.1:6379\): replica 198\.18\.2\.63:6379 online, last ack \d+ s ago, \d{7,} bytes behind the master/,
    ],
    ['memcached-single', 'session.store-redundant', /memcached with 1 memcached server\(s\)/],
    ['sticky-local', 'lb.sticky-sessions', /sticky sessions .* hide node-local sessions/],
  ]
  /** The tier each variant leaves without redundancy (the others break no redundancy check). */
  const spof: Partial<Record<VariantName, string[]>> = {
    'vrrp-no-track': ['lb'],
    'vrrp-split': ['lb'],
    'lb-no-check': ['lb'],
    'lb-one-server': ['lb'],
    'sticky-local': ['app'],
    'sentinel-two': ['session'],
    'sentinel-quorum-3': ['session'],
    'memcached-single': ['session'],
  }
  for (const [variant, check, message, all] of cases) {
    it(`fails exactly ${(all ?? [check]).join(' and ')} under ${variant}, with a remediation`, async () => {
      const s = await ensureLab('web', [variant])
      const {code, report} = await audit(s.inventory as string)
      expect(failing(report)).toEqual([...new Set([...failing(healthy), ...(all ?? [check])])].sort())
      const r = results(report, check).find((x) => x.status === 'fail' || x.status === 'warn') as CheckResult
      expect(r.message).toMatch(message)
      expect(r.remediation).toMatch(/## Remediation/)
      // A warning-severity check (vrrp.preempt) warns: the run still passes (exit 0).
      expect(code).toBe(r.status === 'fail' ? 1 : 0)
      // The report names the tier left without redundancy (the single point of failure), if any.
      expect(report.tiers?.filter((t) => t.spof).map((t) => t.tier)).toEqual(spof[variant] ?? [])
    })
  }

  it('passes every session check with the sessions in Memcached on three servers', async () => {
    const s = await ensureLab('web', ['sessions-memcached'])
    const {report} = await audit(s.inventory as string)
    expect(failing(report)).toEqual(failing(healthy))
    expect(results(report, 'session.store-redundant').map((x) => `${x.status} ${x.message}`)).toEqual(
      ['app1', 'app2', 'app3'].map((a) => expect.stringMatching(new RegExp(`^pass ${a}: memcached with 3 `))),
    )
  })

  it('passes the TLS and VRRP checks on the nginx flavour too', async () => {
    const s = await ensureLab('web', ['lb-nginx'])
    const {report} = await audit(s.inventory as string)
    const bad = report.results
      .filter((x) => /^(tls|vrrp)\./.test(x.id) && x.status !== 'pass')
      .map((x) => `${x.id} ${x.node ?? ''} ${x.status}: ${x.message}`)
    expect(bad).toEqual([])
    expect(results(report, 'vrrp.tracks-lb').map((x) => x.message)).toEqual([
      expect.stringMatching(/track_script chk_nginx follows nginx/),
      expect.stringMatching(/track_script chk_nginx follows nginx/),
    ])
  })
})
