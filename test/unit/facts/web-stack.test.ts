/**
 * The web stack's parsers on verbatim lab captures (test/fixtures/outputs/*, see each README):
 * keepalived configuration and JSON state, keepalived's and Sentinel's log lines, Redis Sentinel,
 * Redis INFO + CONFIG, HAProxy's runtime API, the apps' session settings.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {toFact} from '../../../src/audit/facts.js'
import {classifyKeepalived, keepalivedPhaseEvents} from '../../../src/chaos/observe/keepalived-log.js'
import {parseServersState} from '../../../src/facts/haproxy-runtime.js'
import {parseReadLog} from '../../../src/facts/pacemaker-log.js'
import {sentinelPhaseEvents} from '../../../src/chaos/observe/sentinel-log.js'
import {appSessions} from '../../../src/facts/app-sessions.js'
import {ParseError} from '../../../src/facts/gatherer.js'
import {haproxyRuntime} from '../../../src/facts/haproxy-runtime.js'
import {keepalivedConf} from '../../../src/facts/keepalived-conf.js'
import {keepalivedState, parseKeepalivedJson} from '../../../src/facts/keepalived-state.js'
import {parseRedisReplication} from '../../../src/facts/redis-replication.js'
import {redisSentinel} from '../../../src/facts/redis-sentinel.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs')
const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
/** A gatherer's captured stdout through the same path as an audit (exit 0, no stderr). */
const fact = <T>(
  g: {id: string; script: string; parse(o: {stdout: string; stderr: string; exitCode: number}): T},
  f: string,
): T => {
  const r = toFact('lab', g as never, {stdout: read(f), stderr: '', exitCode: 0})
  if (!r.ok) throw new Error(`${f}: ${r.error.message}`)
  return r.value as T
}

describe('keepalived-conf on lab captures', () => {
  it('reads the healthy instance with its peers, authentication (redacted) and tracking', () => {
    const c = fact(keepalivedConf, 'keepalived-conf/lb1-healthy.txt')
    expect(c.files).toEqual(['/etc/keepalived/keepalived.conf'])
    expect(c.routerId).toBe('lb1')
    expect(c.enableScriptSecurity).toBe(true)
    expect([c.strict, c.readvert]).toEqual([false, {higherPrioSendAdvert: true}])
    expect(c.instances).toEqual([
      expect.objectContaining({
        name: 'VI_WWW',
        state: 'BACKUP',
        interface: 'eth0',
        virtualRouterId: 51,
        priority: 150,
        advertIntS: 1,
        nopreempt: true,
        unicastSrcIp: '198.18.2.41',
        unicastPeers: ['198.18.2.42'],
        authType: 'PASS',
        authPassSet: true,
        trackScripts: ['chk_haproxy'],
      }),
    ])
    expect(c.scripts).toEqual([
      {
        name: 'chk_haproxy',
        script: '/usr/bin/pgrep -x haproxy',
        intervalS: 1,
        fall: 2,
        rise: 2,
        weight: undefined,
      },
    ])
  })

  it('never holds the password: the snippet redacts it on the node', () => {
    for (const f of ['lb1-healthy', 'lb2-split', 'lb1-peer-mgmt', 'lb1-no-track'])
      expect(read(`keepalived-conf/${f}.txt`)).toMatch(/^\s+auth_pass \(redacted\)$/m)
  })

  it('reads the variants as rendered: peers on the management network, no tracking', () => {
    expect(fact(keepalivedConf, 'keepalived-conf/lb1-peer-mgmt.txt').instances[0]).toMatchObject({
      interface: 'eth1',
      unicastSrcIp: '198.18.3.41',
      unicastPeers: ['198.18.3.42'],
      vips: [{address: '198.18.2.100', prefix: 24, dev: 'eth0'}],
    })
    const nt = fact(keepalivedConf, 'keepalived-conf/lb1-no-track.txt')
    expect([nt.scripts, nt.instances[0]?.trackScripts]).toEqual([[], []])
    // Captured before the lab set vrrp_higher_prio_send_advert: keepalived's defaults (nothing set).
    expect([nt.readvert, nt.instances[0]?.readvert]).toEqual([{}, {}])
  })
})

describe('keepalived-state on lab captures (the JSON dump)', () => {
  const state = (f: string) => fact(keepalivedState, `keepalived-state/${f}.txt`).instances
  it('reads MASTER, BACKUP and FAULT with priorities, interface and VIPs', () => {
    expect(state('master')).toEqual([
      expect.objectContaining({
        name: 'VI_WWW',
        state: 'MASTER',
        stateCode: 2,
        vrid: 51,
        basePriority: 150,
        effectivePriority: 150,
        interface: 'eth0',
        vips: ['198.18.2.100'],
      }),
    ])
    expect(state('backup')[0]).toMatchObject({state: 'BACKUP', basePriority: 100})
    expect(state('fault')[0]).toMatchObject({state: 'FAULT', stateCode: 3})
    expect([state('split-lb1')[0]?.state, state('split-lb2')[0]?.state]).toEqual(['MASTER', 'MASTER'])
  })

  it('never holds the password: auth_data is redacted on the node', () => {
    for (const f of ['master', 'backup', 'fault', 'split-lb1', 'split-lb2', 'after-peer-killed'])
      expect(read(`keepalived-state/${f}.txt`)).toMatch(/"auth_data":"\(redacted\)"/)
  })

  it('refuses output that is not keepalived JSON', () => {
    expect(() => parseKeepalivedJson('Printing VRRP as json')).toThrow(ParseError)
    expect(() => parseKeepalivedJson('[{"stats": {}}]')).toThrow(/no "data" object/)
  })
})

describe("keepalived's log on lab captures", () => {
  it('gives the FAULT of the old MASTER and the MASTER (and VIP move) of its peer with microsecond times', () => {
    const opts = {
      year: 2026,
      tzOffsetMin: 0,
      offsetMs: 0,
      fromT: Date.parse('2026-12-07T16:24:40Z'),
      toT: Date.parse('2026-12-07T16:24:46Z'),
    }
    const {text: a} = parseReadLog(read('keepalived-log/lb1-fault.txt'))
    const {text: b} = parseReadLog(read('keepalived-log/lb2-master.txt'))
    const ev = [
      ...keepalivedPhaseEvents(a, {...opts, node: 'lb1'}),
      ...keepalivedPhaseEvents(b, {...opts, node: 'lb2'}),
    ]
    expect(ev.map((e) => `${e.phase} ${e.node ?? ''} ${new Date(e.t).toISOString()}`)).toEqual([
      'vrrp-fault lb1 2026-12-07T16:24:44.116Z',
      'vrrp-master lb2 2026-12-07T16:24:44.725Z',
      'vip-moved lb2 2026-12-07T16:24:44.725Z',
    ])
    expect(ev[0]).toMatchObject({source: 'keepalived-log', resource: 'VI_WWW'})
  })

  it('knows the transition lines and nothing else', () => {
    expect(classifyKeepalived('(VI_WWW) Entering BACKUP STATE (init)')).toEqual({
      phase: 'vrrp-backup',
      instance: 'VI_WWW',
    })
    expect(classifyKeepalived('(VI_WWW) Backup received priority 0 advertisement')).toBeUndefined()
  })
})

describe('redis-sentinel on lab captures', () => {
  it('reads the master, its quorum, the other Sentinels and ckquorum', () => {
    const s = fact(redisSentinel, 'redis-sentinel/healthy-redis1.txt').sentinels
    expect(s).toHaveLength(1)
    expect(s[0]?.address).toBe('127.0.0.1:26379')
    expect(s[0]?.masters[0]).toMatchObject({
      name: 'sessions',
      status: 'ok',
      ip: '198.18.2.61',
      port: 6379,
      flags: ['master'],
      quorum: 2,
      numOtherSentinels: 2,
      numReplicas: 2,
      downAfterMs: 3000,
      ckquorumOk: true,
    })
    expect(s[0]?.masters[0]?.peers.map((p) => `${p.ip ?? ''}:${p.port ?? ''}`).sort()).toEqual([
      '198.18.2.62:26379',
      '198.18.2.63:26379',
    ])
  })

  it('reads a Sentinel that monitors nothing, and one that knows a single peer', () => {
    expect(fact(redisSentinel, 'redis-sentinel/two-redis3-unconfigured.txt').sentinels[0]?.masters).toEqual(
      [],
    )
    expect(fact(redisSentinel, 'redis-sentinel/two-redis1.txt').sentinels[0]?.masters[0]).toMatchObject({
      numOtherSentinels: 1,
      quorum: 2,
    })
  })

  it('names the promoted replica after a failover', () => {
    expect(
      fact(redisSentinel, 'redis-sentinel/after-failover-redis2.txt').sentinels[0]?.masters[0],
    ).toMatchObject({ip: '198.18.2.62', port: 6379})
  })
})

describe("Sentinel's log on a lab capture", () => {
  it('gives sdown, odown and the switch to the new master', () => {
    const {text} = parseReadLog(read('sentinel-log/redis2-failover.txt'))
    const ev = sentinelPhaseEvents(text, {
      node: 'redis2',
      tzOffsetMin: 0,
      offsetMs: 0,
      fromT: Date.parse('2026-12-07T16:28:00Z'),
      toT: Date.parse('2026-12-07T16:29:00Z'),
    })
    expect(ev.map((e) => `${e.phase} ${e.node ?? ''} ${new Date(e.t).toISOString()}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^store-sdown 198\.18\.2\.61:6379 2026-12-07T16:28:1\d\.\d{3}Z$/),
        'store-odown 198.18.2.61:6379 2026-12-07T16:28:19.808Z',
        'store-switched 198.18.2.62:6379 2026-12-07T16:28:20.912Z',
      ]),
    )
  })
})

describe('redis-replication with CONFIG GET on lab captures', () => {
  it('reads min-replicas-to-write and min-replicas-max-lag next to the replicas', () => {
    const m = parseRedisReplication(read('redis-replication-lab/master.txt')).instances
    expect(m).toHaveLength(1)
    expect(m[0]).toMatchObject({
      role: 'master',
      connectedReplicas: 2,
      minReplicasToWrite: 1,
      minReplicasMaxLagS: 10,
    })
    expect(m[0]?.replicas.map((r) => r.state)).toEqual(['online', 'online'])
    expect(
      parseRedisReplication(read('redis-replication-lab/master-no-min-replicas.txt')).instances[0]
        ?.minReplicasToWrite,
    ).toBe(0)
    expect(parseRedisReplication(read('redis-replication-lab/replica.txt')).instances[0]).toMatchObject({
      role: 'slave',
      masterHost: '198.18.2.61',
      masterLinkStatus: 'up',
    })
  })
})

describe("HAProxy's runtime API on lab captures", () => {
  it('reads every server UP, then app2 DOWN with its failed check', () => {
    const ok = fact(haproxyRuntime, 'haproxy-runtime/healthy.txt')
    expect(ok.servers.map((s) => `${s.backend}/${s.server} ${s.status} ${s.checkStatus ?? ''}`)).toEqual([
      'be_app/app1 UP L7OK',
      'be_app/app2 UP L7OK',
      'be_app/app3 UP L7OK',
    ])
    expect(ok.backends['be_app']).toBe('UP')
    const down = fact(haproxyRuntime, 'haproxy-runtime/app2-down.txt')
    expect(down.servers.find((s) => s.server === 'app2')).toMatchObject({
      status: 'DOWN',
      checkStatus: 'L4CON',
    })
  })

  it('finds the servers of an app node by address in show servers state', () => {
    expect(parseServersState(read('haproxy-runtime/servers-state.txt'))).toEqual([
      {backend: 'be_app', server: 'app1', address: '198.18.2.51', admin: 0},
      {backend: 'be_app', server: 'app2', address: '198.18.2.52', admin: 0},
      {backend: 'be_app', server: 'app3', address: '198.18.2.53', admin: 0},
    ])
  })
})

describe('app-sessions on lab captures', () => {
  it('reads where each variant keeps the sessions', () => {
    expect(fact(appSessions, 'app-sessions/redis-sentinel.txt')).toMatchObject({
      store: 'redis-sentinel',
      master: 'sessions',
      sentinels: ['198.18.2.61:26379', '198.18.2.62:26379', '198.18.2.63:26379'],
    })
    expect(fact(appSessions, 'app-sessions/memcached-single.txt')).toMatchObject({
      store: 'memcached',
      servers: ['198.18.2.61:11211'],
    })
    expect(fact(appSessions, 'app-sessions/local.txt')).toMatchObject({
      file: '/srv/app/app.conf',
      store: 'local',
    })
  })
})
