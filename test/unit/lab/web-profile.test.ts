/**
 * The lab's web profile as rendered (pure functions): the LB pair's keepalived configuration for every
 * variant (read back through hacheck's own keepalived parser, and checked by `keepalived -t` when it is
 * installed), the session tier (Redis, Sentinel, the apps' settings), the nginx flavour and the inventory.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseAppSessions} from '../../../src/facts/app-sessions.js'
import {parseHaproxyConfig} from '../../../src/facts/haproxy.js'
import {parseKeepalivedConf} from '../../../src/facts/keepalived-conf.js'
import {parseNginxConfig} from '../../../src/facts/nginx.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {inventoryYaml} from '../../../src/lab/inventory.js'
import {hostsFile, nodeFiles, type LabSpec} from '../../../src/lab/render.js'
import {keepalivedConf, splitPem, VRRP_VARIANTS, vrrpPassword} from '../../../src/lab/render-web.js'
import {nodesOf, parseVariants, type NodeDef, type VariantName} from '../../../src/lab/topology.js'

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'web',
  variants,
  nodes: nodesOf('web'),
  clusterName: 'web',
  bmcPassword: 'not-a-real-secret',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
  tlsPem:
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
})
const node = (s: LabSpec, name: string): NodeDef => s.nodes.find((n) => n.name === name) as NodeDef
const file = (s: LabSpec, n: string, path: string): string | undefined =>
  nodeFiles(s, node(s, n)).find((f) => f.path === path)?.content
const lbs = nodesOf('web').filter((n) => n.roles.includes('lb'))
const conf = (variants: VariantName[], self: string) =>
  parseKeepalivedConf(
    keepalivedConf({variants, lbs, self: lbs.find((n) => n.name === self) as NodeDef, labSecret: 's'}),
    '/etc/keepalived/keepalived.conf',
  )

const hasKeepalived = ((): boolean => {
  try {
    execFileSync('keepalived', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()
const tmp = mkdtempSync(join(tmpdir(), 'hk-web-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

describe('web profile topology', () => {
  it('has two LBs running haproxy, nginx (whichever is configured) and keepalived, three apps and three session nodes', () => {
    const n = nodesOf('web')
    expect(n.map((x) => `${x.name}:${x.roles.join('+')}:${x.host}`)).toEqual([
      'lb1:lb:198.18.2.41',
      'lb2:lb:198.18.2.42',
      'app1:app:198.18.2.51',
      'app2:app:198.18.2.52',
      'app3:app:198.18.2.53',
      'redis1:session:198.18.2.61',
      'redis2:session:198.18.2.62',
      'redis3:session:198.18.2.63',
    ])
    expect(node(spec([]), 'lb1').services).toEqual(['rsyslog', 'sshd', 'haproxy', 'nginx', 'keepalived'])
    expect(node(spec([]), 'redis2').services).toEqual([
      'rsyslog',
      'sshd',
      'redis',
      'sentinel',
      'memcached',
      'redis-lag',
    ])
  })

  it('refuses variants that contradict each other or another profile', () => {
    expect(() => parseVariants('web', 'sentinel-two,sentinel-quorum-3')).toThrow(/cannot be combined/)
    expect(() => parseVariants('web', 'lb-nginx,sticky-local')).toThrow(/cannot be combined/)
    expect(() => parseVariants('pacemaker3', 'vrrp-split')).toThrow(/does not apply to profile pacemaker3/)
    expect(parseVariants('web', 'vrrp-split,healthy')).toEqual(['vrrp-split'])
  })

  it('writes an inventory with the VIP, a 10 s RPO for the sessions and every node', () => {
    const inv = parseInventory(inventoryYaml(spec([])), '/var/lib/hacheck-lab/inventory.yaml')
    expect(inv.cluster.vip).toBe('198.18.2.100')
    expect(inv.cluster.stack).toBe('generic')
    expect(inv.cluster.objectives).toEqual({rtoMs: 30_000, rpoMs: 10_000})
    expect(inv.nodes.map((n) => n.name)).toContain('redis3')
    expect(hostsFile(spec([]), node(spec([]), 'app1'))).toMatch(
      /^198\.18\.2\.100\tvip vip\.hacheck\.lab www\.hacheck\.lab$/m,
    )
  })
})

describe('the LB pair keepalived configuration', () => {
  it('is healthy by default: unicast on the public network, PASS auth, nopreempt BACKUPs with distinct priorities, tracking haproxy', () => {
    const [a, b] = [conf([], 'lb1'), conf([], 'lb2')]
    expect(a.instances[0]).toMatchObject({
      name: 'VI_WWW',
      state: 'BACKUP',
      interface: 'eth0',
      virtualRouterId: 51,
      priority: 150,
      nopreempt: true,
      unicastSrcIp: '198.18.2.41',
      unicastPeers: ['198.18.2.42'],
      authType: 'PASS',
      authPassSet: true,
      vips: [{address: '198.18.2.100', prefix: 24, dev: 'eth0', raw: '198.18.2.100/24 dev eth0'}],
      trackScripts: ['chk_haproxy'],
    })
    expect(b.instances[0]).toMatchObject({
      priority: 100,
      unicastSrcIp: '198.18.2.42',
      unicastPeers: ['198.18.2.41'],
    })
    expect(a.scripts).toEqual([
      {name: 'chk_haproxy', script: '/usr/bin/pgrep -x haproxy', intervalS: 1, fall: 2, rise: 2},
    ])
  })

  it('changes exactly the setting each VRRP variant is about', () => {
    expect(conf(['vrrp-same-priority'], 'lb1').instances[0]?.priority).toBe(100)
    expect(conf(['vrrp-no-auth'], 'lb1').instances[0]?.authType).toBeUndefined()
    expect(conf(['vrrp-no-track'], 'lb1').instances[0]?.trackScripts).toEqual([])
    expect(conf(['vrrp-peer-mgmt'], 'lb1').instances[0]).toMatchObject({
      interface: 'eth1',
      unicastSrcIp: '198.18.3.41',
      unicastPeers: ['198.18.3.42'],
    })
    expect(conf(['vrrp-preempt'], 'lb1').instances[0]).toMatchObject({state: 'MASTER', nopreempt: false})
    expect(conf(['lb-nginx'], 'lb2').scripts[0]?.script).toBe('/usr/bin/pgrep -x nginx')
    const raw = (v: VariantName[]) =>
      keepalivedConf({variants: v, lbs, self: node(spec(v), 'lb2'), labSecret: 's'})
    expect(raw(['vrrp-stale-vip'])).toMatch(
      /^ {4}notify_backup "\/usr\/bin\/ip addr add 198\.18\.2\.100\/24 dev eth0"$/m,
    )
    expect(raw([])).not.toMatch(/notify/)
  })

  it('gives the second LB another password under vrrp-split only', () => {
    const pass = (v: VariantName[], n: string): string | undefined =>
      /auth_pass (\S+)/.exec(keepalivedConf({variants: v, lbs, self: node(spec(v), n), labSecret: 's'}))?.[1]
    expect(pass([], 'lb1')).toBe(pass([], 'lb2'))
    expect(pass(['vrrp-split'], 'lb1')).not.toBe(pass(['vrrp-split'], 'lb2'))
    expect(vrrpPassword('s')).toHaveLength(8)
  })

  it.skipIf(!hasKeepalived)('is accepted by keepalived -t for the healthy lab and every VRRP variant', () => {
    // keepalived -t also looks for the interfaces on THIS machine (eth1 of the lab nodes may not exist
    // here): a complaint about a missing interface is the only one tolerated.
    const tolerated = /interface \S+ for vrrp_instance \S+ doesn't exist|Non-existent interface specified/
    for (const v of [[], ...VRRP_VARIANTS.map((x) => [x]), ['lb-nginx']] as VariantName[][])
      for (const n of ['lb1', 'lb2']) {
        const f = join(tmp, `${n}-${v.join('-') || 'healthy'}.conf`)
        writeFileSync(f, keepalivedConf({variants: v, lbs, self: node(spec(v), n), labSecret: 's'}))
        const r = spawnSync('keepalived', ['-t', '-f', f], {encoding: 'utf8'})
        const complaints = r.stderr.split('\n').filter((l) => l.trim() !== '' && !tolerated.test(l))
        expect(complaints, `${f} (exit ${r.status ?? '?'})`).toEqual([])
        if (r.status !== 0) expect(r.stderr, f).toMatch(tolerated)
      }
  })
})

describe('the session tier and the apps', () => {
  it('makes redis1 the master, the others its replicas, and a Sentinel quorum of 2 on each node', () => {
    const s = spec([])
    expect(file(s, 'redis1', 'etc/redis/redis.conf')).not.toMatch(/replicaof/)
    expect(file(s, 'redis2', 'etc/redis/redis.conf')).toMatch(/^replicaof 198\.18\.2\.61 6379$/m)
    expect(file(s, 'redis1', 'etc/redis/redis.conf')).toMatch(/^min-replicas-to-write 1$/m)
    expect(file(s, 'redis3', 'etc/redis/sentinel.conf')).toMatch(
      /^sentinel monitor sessions 198\.18\.2\.61 6379 2$/m,
    )
  })

  it('breaks the Sentinel quorum and min-replicas as the variants say', () => {
    expect(file(spec(['sentinel-two']), 'redis3', 'etc/redis/sentinel.conf')).not.toMatch(/sentinel monitor/)
    expect(file(spec(['sentinel-two']), 'redis2', 'etc/redis/sentinel.conf')).toMatch(/sentinel monitor/)
    expect(file(spec(['sentinel-quorum-3']), 'redis1', 'etc/redis/sentinel.conf')).toMatch(/6379 3$/m)
    expect(file(spec(['redis-no-min-replicas']), 'redis1', 'etc/redis/redis.conf')).toMatch(
      /^min-replicas-to-write 0$/m,
    )
  })

  it('caps the replication link to the last session node only under redis-replica-lag, from the master', () => {
    const lag = spec(['redis-replica-lag'])
    expect(file(lag, 'redis1', 'etc/redis/hk-lag.conf')).toMatch(/^REPLICA=198\.18\.2\.63$/m)
    expect(file(lag, 'redis1', 'etc/redis/hk-lag.conf')).toMatch(/^RATE=64kbit$/m)
    for (const n of ['redis2', 'redis3']) expect(file(lag, n, 'etc/redis/hk-lag.conf')).toBeUndefined()
    expect(file(spec([]), 'redis1', 'etc/redis/hk-lag.conf')).toBeUndefined()
    // The rest of the session tier is the healthy one: nothing restarts but the load (lab/redis-lag.sh).
    expect(file(lag, 'redis1', 'etc/redis/redis.conf')).toBe(file(spec([]), 'redis1', 'etc/redis/redis.conf'))
  })

  it('tells the apps where sessions live, read back through the app-sessions parser', () => {
    const app = (v: VariantName[]) =>
      parseAppSessions(file(spec(v), 'app2', 'srv/app/app.conf') ?? '', '/srv/app/app.conf')
    expect(app([])).toMatchObject({
      store: 'redis-sentinel',
      master: 'sessions',
      sentinels: ['198.18.2.61:26379', '198.18.2.62:26379', '198.18.2.63:26379'],
    })
    expect(app(['sessions-memcached']).servers).toHaveLength(3)
    expect(app(['memcached-single'])).toMatchObject({store: 'memcached', servers: ['198.18.2.61:11211']})
    expect(app(['sticky-local']).store).toBe('local')
  })

  it('pins clients to one app in haproxy only under sticky-local', () => {
    const hap = (v: VariantName[]) =>
      parseHaproxyConfig(file(spec(v), 'lb1', 'etc/haproxy/haproxy.cfg') ?? '')
    expect(
      hap([])
        .sections.find((s) => s.name === 'be_app')
        ?.directives.some((d) => d.keyword === 'cookie'),
    ).toBe(false)
    expect(
      hap(['sticky-local'])
        .sections.find((s) => s.name === 'be_app')
        ?.directives.find((d) => d.keyword === 'cookie')?.args,
    ).toEqual(['SRV', 'insert', 'indirect', 'nocache'])
    expect(hap([]).servers.map((x) => `${x.name} ${x.address} ${x.check}`)).toEqual([
      'app1 198.18.2.51:8080 true',
      'app2 198.18.2.52:8080 true',
      'app3 198.18.2.53:8080 true',
    ])
  })
})

describe('the LB variants', () => {
  const hap = (v: VariantName[]) => parseHaproxyConfig(file(spec(v), 'lb1', 'etc/haproxy/haproxy.cfg') ?? '')
  const be = (v: VariantName[]) => hap(v).sections.find((s) => s.name === 'be_app')
  const timeout = (v: VariantName[], which: string) =>
    hap(v)
      .sections.find((s) => s.kind === 'defaults')
      ?.directives.find((d) => d.keyword === 'timeout' && d.args[0] === which)?.args[1]

  it('drops every health check under lb-no-check only', () => {
    expect(hap(['lb-no-check']).servers.map((x) => `${x.name} ${x.check}`)).toEqual([
      'app1 false',
      'app2 false',
      'app3 false',
    ])
    expect(
      be(['lb-no-check'])?.directives.some((d) => d.keyword === 'option' && d.args[0] === 'httpchk'),
    ).toBe(false)
    expect(be([])?.directives.some((d) => d.keyword === 'option' && d.args[0] === 'httpchk')).toBe(true)
  })

  it('lists app1 alone in the backend under lb-one-server', () => {
    expect(hap(['lb-one-server']).servers.map((x) => `${x.name} ${x.check}`)).toEqual(['app1 true'])
  })

  it('sets 30 s connect and 10 min server timeouts under lb-long-timeouts, 5 s and 30 s otherwise', () => {
    expect([timeout([], 'connect'), timeout([], 'server'), timeout([], 'client')]).toEqual([
      '5s',
      '30s',
      '30s',
    ])
    expect([
      timeout(['lb-long-timeouts'], 'connect'),
      timeout(['lb-long-timeouts'], 'server'),
      timeout(['lb-long-timeouts'], 'client'),
    ]).toEqual(['30s', '10m', '30s'])
  })

  it('refuses the haproxy-only variants with the nginx flavour', () => {
    for (const v of ['lb-no-check', 'lb-one-server', 'lb-long-timeouts'])
      expect(() => parseVariants('web', `lb-nginx,${v}`)).toThrow(/cannot be combined/)
  })
})

describe('the nginx flavour', () => {
  it('renders nginx (and no haproxy.cfg) with TLS for www.hacheck.lab and the three apps as upstream', () => {
    const s = spec(['lb-nginx'])
    expect(file(s, 'lb1', 'etc/haproxy/haproxy.cfg')).toBeUndefined()
    const text = file(s, 'lb1', 'etc/nginx/nginx.conf') ?? ''
    const n = parseNginxConfig(text)
    const tls = n.servers.find((x) => x.tls)
    expect(tls).toMatchObject({
      serverNames: ['www.hacheck.lab'],
      sslCertificates: ['/etc/nginx/certs/www.hacheck.lab.crt'],
    })
    expect(text.match(/server 198\.18\.2\.5\d:8080/g)).toHaveLength(3)
    expect(file(s, 'lb1', 'etc/nginx/certs/www.hacheck.lab.key')).toMatch(/PRIVATE KEY/)
    expect(file(s, 'lb1', 'etc/nginx/certs/www.hacheck.lab.crt')).not.toMatch(/PRIVATE KEY/)
  })

  it('splits a PEM bundle into its certificates and its key', () => {
    const p = splitPem(spec([]).tlsPem ?? '')
    expect(p.cert).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(p.key).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })
})
