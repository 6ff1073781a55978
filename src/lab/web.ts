/**
 * Profile web at run time: who holds the VIP (keepalived), and whether the LB
 * pair is ready to serve (exactly one VIP holder, or two under vrrp-split and
 * vrrp-stale-vip; TLS answering on the VIP).
 */
import {IncompleteError} from '../core/errors.js'
import {parseInfo, parseReplicaLink} from '../facts/redis-replication.js'
import {toInt} from '../facts/util.js'
import {inNode} from './nodes.js'
import type {LabSpec} from './render.js'
import {
  MEMCACHED_PORT,
  REDIS_LAG_READY_BYTES,
  REDIS_PORT,
  SENTINEL_PORT,
  sessionNodes,
} from './render-sessions.js'
import {VIP, type NodeDef} from './topology.js'

/**
 * Restarts the session tier so that redis1 is the master again (after a Sentinel failover Sentinel has
 * rewritten redis.conf and sentinel.conf; lab up writes them anew): every Sentinel stops first (so none
 * reconfigures a Redis mid-restart), then Redis on every node (master first), then the Sentinels.
 */
export async function restartSessionTier(spec: LabSpec, say: (m: string) => void): Promise<void> {
  const nodes = sessionNodes(spec.nodes)
  const run = async (n: NodeDef, argv: string[]): Promise<void> => {
    const r = await inNode(spec, n, argv, {timeoutMs: 60_000})
    if (r.exitCode !== 0)
      throw new IncompleteError(
        `lab: on ${n.name}: ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`,
      )
  }
  say(`session tier: restarting Redis and the Sentinels on ${nodes.map((n) => n.name).join(', ')}`)
  await Promise.all(nodes.map((n) => run(n, ['systemctl', 'stop', 'sentinel'])))
  for (const n of nodes) await run(n, ['systemctl', 'restart', 'redis'])
  await Promise.all(nodes.map((n) => run(n, ['systemctl', 'start', 'sentinel'])))
}

/**
 * Before keepalived is (re)started on an LB — its configuration changed, or it is not running (a test
 * killed it) — it is stopped and the VIP removed from that LB: a SIGKILLed keepalived or the
 * vrrp-stale-vip variant leaves the address behind, and keepalived never removes an address it did not add.
 * The restart that follows (lab up) elects a MASTER, which adds the VIP again.
 */
export async function releaseVip(
  spec: LabSpec,
  changed: ReadonlyMap<string, ReadonlySet<string>>,
  say: (m: string) => void,
): Promise<void> {
  const lbs = spec.nodes.filter((n) => n.roles.includes('lb') && n.services.includes('keepalived'))
  await Promise.all(
    lbs.map(async (n) => {
      const running = (await inNode(spec, n, ['pgrep', '-x', 'keepalived'], {timeoutMs: 5000})).exitCode === 0
      if (running && !changed.get(n.name)?.has('keepalived')) return
      await inNode(spec, n, ['systemctl', 'stop', 'keepalived'], {timeoutMs: 30_000})
      const r = await inNode(spec, n, ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0'], {timeoutMs: 5000})
      if (r.exitCode === 0) say(`${n.name}: removed the VIP ${VIP} left behind (keepalived restarts)`)
    }),
  )
}

/** LB nodes that have the VIP on an interface now (`ip -o addr`, inside each node). */
export async function vipHolders(spec: LabSpec): Promise<string[]> {
  const lbs = spec.nodes.filter((n) => n.roles.includes('lb'))
  const held = await Promise.all(
    lbs.map(async (n) => {
      const r = await inNode(spec, n, ['ip', '-o', '-4', 'addr', 'show'], {timeoutMs: 5000})
      return r.exitCode === 0 && new RegExp(`\\sinet ${VIP.replace(/\./g, '\\.')}/`).test(r.stdout)
    }),
  )
  return lbs.filter((_, i) => held[i]).map((n) => n.name)
}

/** master_repl_offset minus the acknowledged offset of the replica at `ip` (the master's INFO replication). */
export function replicaBehindBytes(info: string, ip: string): number | undefined {
  const kv = parseInfo(info)
  const master = toInt(kv['master_repl_offset'])
  const link = Object.keys(kv)
    .filter((k) => /^slave\d+$/.test(k))
    .map((k) => parseReplicaLink(kv[k] ?? ''))
    .find((l) => l.ip === ip)
  return master !== undefined && link?.offset !== undefined ? master - link.offset : undefined
}

/** undefined when the LB pair serves as configured, else what is still missing. */
export async function webNotReady(
  spec: LabSpec,
  tlsSubject: (host: string) => Promise<string | undefined>,
  tcpOpen: (host: string, port: number) => Promise<boolean>,
): Promise<string | undefined> {
  const sessions = sessionNodes(spec.nodes)
  for (const n of sessions)
    for (const [port, what] of [
      [REDIS_PORT, 'Redis'],
      [SENTINEL_PORT, 'Sentinel'],
      [MEMCACHED_PORT, 'Memcached'],
    ] as const)
      if (!(await tcpOpen(n.host, port))) return `${what} on ${n.name}:${port} not answering`
  // Every monitoring Sentinel knows the others and both replicas (hello messages take a few seconds).
  const monitoring = spec.variants.includes('sentinel-two') ? sessions.slice(0, 2) : sessions
  for (const n of monitoring) {
    const r = await inNode(spec, n, ['redis-cli', '-p', String(SENTINEL_PORT), 'INFO', 'sentinel'], {
      timeoutMs: 5000,
    })
    const want = `status=ok,address=${sessions[0]?.host ?? ''}:${REDIS_PORT},slaves=${sessions.length - 1},sentinels=${monitoring.length}`
    if (!r.stdout.includes(want))
      return `Sentinel on ${n.name} does not see the master with its replicas and Sentinels yet`
  }
  const master = sessions[0]
  if (master) {
    const r = await inNode(spec, master, ['redis-cli', 'INFO', 'replication'], {timeoutMs: 5000})
    const online = (r.stdout.match(/^slave\d+:.*state=online/gm) ?? []).length
    if (!/^role:master/m.test(r.stdout) || online !== sessions.length - 1)
      return `Redis on ${master.name} is not the master of ${sessions.length - 1} online replicas yet`
    const lagging = sessions[sessions.length - 1]
    if (spec.variants.includes('redis-replica-lag') && lagging) {
      const behind = replicaBehindBytes(r.stdout, lagging.host)
      if (behind === undefined || behind < REDIS_LAG_READY_BYTES)
        return `the replica on ${lagging.name} is ${behind ?? '?'} bytes behind the master, not yet ${REDIS_LAG_READY_BYTES} (redis-lag)`
    }
  }
  const holders = await vipHolders(spec)
  const want = spec.variants.some((v) => v === 'vrrp-split' || v === 'vrrp-stale-vip') ? 2 : 1
  if (holders.length !== want)
    return `the VIP ${VIP} is on ${holders.length ? holders.join(', ') : 'no LB'} (keepalived: want ${want} holder${want > 1 ? 's' : ''})`
  if (!(await tlsSubject(VIP))) return `TLS on the VIP ${VIP}:443 not answering`
  return undefined
}
