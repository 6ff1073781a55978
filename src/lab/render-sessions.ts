/**
 * Profile web, session tier: Redis (master on redis1, replicas on redis2 and redis3) watched by three
 * Sentinels (one per node, quorum 2), or Memcached on the same nodes; and how the app servers keep their
 * sessions (settings of lab/webapp.py). Pure functions.
 */
import {addrOn, type NodeDef, type VariantName} from './topology.js'

export const REDIS_PORT = 6379
export const SENTINEL_PORT = 26379
export const MEMCACHED_PORT = 11211
/** The name Sentinel monitors the session master under. */
export const SENTINEL_MASTER = 'sessions'
export const REDIS_CONF = 'etc/redis/redis.conf'
export const SENTINEL_CONF = 'etc/redis/sentinel.conf'
/** Settings of lab/redis-lag.sh (variant redis-replica-lag, on the master's node only). */
export const REDIS_LAG_CONF = 'etc/redis/hk-lag.conf'
/** How far behind the master's offset the lagging replica is before the lab calls the variant applied. */
export const REDIS_LAG_READY_BYTES = 2 * 1024 * 1024

/** Variants of the session tier (each breaks one check of the session store or of stickiness). */
export type SessionStore = 'redis-sentinel' | 'memcached' | 'local'

export function sessionStore(variants: readonly VariantName[]): SessionStore {
  if (variants.includes('sticky-local')) return 'local'
  if (variants.includes('sessions-memcached') || variants.includes('memcached-single')) return 'memcached'
  return 'redis-sentinel'
}

export const sessionNodes = (nodes: readonly NodeDef[]): NodeDef[] =>
  nodes.filter((n) => n.roles.includes('session'))

export function redisConf(variants: readonly VariantName[], node: NodeDef, all: readonly NodeDef[]): string {
  const master = sessionNodes(all)[0] as NodeDef
  const me = addrOn(node, 'public')
  const lines = [
    `# hacheck lab session store on ${node.name}`,
    'bind 0.0.0.0',
    `port ${REDIS_PORT}`,
    'protected-mode no',
    'daemonize no',
    'dir /var/lib/redis',
    'logfile /var/log/redis/redis-server.log',
    'save ""',
    'appendonly no',
    `replica-announce-ip ${me}`,
    // A master refuses writes when no replica has acknowledged within 10 s (redis-no-min-replicas: it never does).
    `min-replicas-to-write ${variants.includes('redis-no-min-replicas') ? 0 : 1}`,
    'min-replicas-max-lag 10',
  ]
  if (node.name !== master.name) lines.push(`replicaof ${addrOn(master, 'public')} ${REDIS_PORT}`)
  return lines.join('\n') + '\n'
}

/**
 * Variant redis-replica-lag: the master's node writes 16 KiB every 0.1 s (160 KiB/s) while its replication
 * connection to the last session node is capped at 64 kbit/s (8 KiB/s), so that replica falls ~150 KiB
 * further behind every second. undefined on every other node and without the variant.
 */
export function redisLagConf(
  variants: readonly VariantName[],
  node: NodeDef,
  all: readonly NodeDef[],
): string | undefined {
  const nodes = sessionNodes(all)
  const lagging = nodes[nodes.length - 1]
  if (!variants.includes('redis-replica-lag') || nodes[0]?.name !== node.name || !lagging) return undefined
  return [
    `# hacheck lab: ${lagging.name} falls behind (lab/redis-lag.sh)`,
    `REPLICA=${addrOn(lagging, 'public')}`,
    'RATE=64kbit',
    'VALUE_BYTES=16384',
    'INTERVAL=0.1',
    'DEV=eth0',
    '',
  ].join('\n')
}

export function sentinelConf(
  variants: readonly VariantName[],
  node: NodeDef,
  all: readonly NodeDef[],
): string {
  const master = sessionNodes(all)[0] as NodeDef
  const quorum = variants.includes('sentinel-quorum-3') ? 3 : 2
  // sentinel-two: the third Sentinel runs but was never told to monitor the master.
  const monitors = !(variants.includes('sentinel-two') && sessionNodes(all)[2]?.name === node.name)
  return [
    `# hacheck lab Sentinel on ${node.name} (Sentinel rewrites this file; lab up writes it anew)`,
    'bind 0.0.0.0',
    `port ${SENTINEL_PORT}`,
    'protected-mode no',
    'daemonize no',
    'dir /var/lib/redis',
    'logfile /var/log/redis/redis-sentinel.log',
    `sentinel announce-ip ${addrOn(node, 'public')}`,
    ...(monitors
      ? [
          `sentinel monitor ${SENTINEL_MASTER} ${addrOn(master, 'public')} ${REDIS_PORT} ${quorum}`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 3000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        ]
      : []),
    '',
  ].join('\n')
}

/** The app server's session settings (lab/webapp.py). */
export function appSessionSettings(variants: readonly VariantName[], all: readonly NodeDef[]): string[] {
  const store = sessionStore(variants)
  const nodes = sessionNodes(all)
  if (store === 'local') return ['sessions=local']
  if (store === 'memcached') {
    const servers = variants.includes('memcached-single') ? nodes.slice(0, 1) : nodes
    return [
      'sessions=memcached',
      `servers=${servers.map((n) => `${addrOn(n, 'public')}:${MEMCACHED_PORT}`).join(',')}`,
    ]
  }
  return [
    'sessions=redis-sentinel',
    `sentinels=${nodes.map((n) => `${addrOn(n, 'public')}:${SENTINEL_PORT}`).join(',')}`,
    `master=${SENTINEL_MASTER}`,
  ]
}
