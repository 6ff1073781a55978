/**
 * Profile patroni: its variants (Patroni settings kept in the DCS, applied live with patronictl
 * edit-config) and ports, apart from topology.ts so the data-tier profiles add files. Pure data.
 */

export type PatroniVariant = 'patroni-async' | 'patroni-timing' | 'patroni-max-lag' | 'etcd-small-quota'

/**
 * etcd's --quota-backend-bytes with variant etcd-small-quota. Patroni uses the v2 API (kept outside the v3
 * backend), so the backend stays near its initial size: 20 KiB on one machine, 24 KiB on another (a CI run
 * saw the bbolt file one page larger). 24 KiB puts it at 83–100 %, above the 80 % etcd.db-quota allows; no
 * v3 write follows, so no NOSPACE alarm is raised and the cluster keeps working either way.
 */
export const ETCD_SMALL_QUOTA = 24576

interface PatroniVariantDef {
  name: PatroniVariant
  summary: string
  applies: 'patroni'
  profiles: 'patroni'[]
}

export const PATRONI_VARIANTS: Record<PatroniVariant, PatroniVariantDef> = {
  'patroni-async': {
    name: 'patroni-async',
    summary:
      'synchronous_mode off: the leader acknowledges commits before a replica has them, while the inventory declares rpo 0s',
    applies: 'patroni',
    profiles: ['patroni'],
  },
  'patroni-timing': {
    name: 'patroni-timing',
    summary:
      'ttl 20 with loop_wait 10 and retry_timeout 10: the leader key can expire while the leader is still retrying the DCS (needs ttl ≥ loop_wait + 2 × retry_timeout)',
    applies: 'patroni',
    profiles: ['patroni'],
  },
  'patroni-max-lag': {
    name: 'patroni-max-lag',
    summary:
      'maximum_lag_on_failover 1 GiB: synchronous_mode without synchronous_mode_strict falls back to asynchronous when the Sync Standby is lost, and a failover may then lose up to 1 GiB of acknowledged commits',
    applies: 'patroni',
    profiles: ['patroni'],
  },
  'etcd-small-quota': {
    name: 'etcd-small-quota',
    summary: `quota-backend-bytes ${ETCD_SMALL_QUOTA} on every etcd member: the database already fills over 80 % of it, a few writes short of the NOSPACE alarm that stops every write (Patroni's leader key included)`,
    applies: 'patroni',
    profiles: ['patroni'],
  },
}

/** maximum_lag_on_failover of the healthy lab (Patroni's default, 1 MiB) and of variant patroni-max-lag. */
export const MAX_LAG_HEALTHY = 1048576
export const MAX_LAG_LARGE = 1073741824

export const PATRONI_CONFIG = '/etc/patroni/config.yml'
export const PATRONI_REST_PORT = 8008
export const ETCD_CLIENT_PORT = 2379
export const ETCD_PEER_PORT = 2380
export const PATRONI_SCOPE = 'hacheck-lab'
