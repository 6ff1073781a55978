/**
 * Profile patroni: its variants (Patroni settings kept in the DCS, applied live with patronictl
 * edit-config) and ports, apart from topology.ts so the data-tier profiles add files. Pure data.
 */

export type PatroniVariant = 'patroni-async' | 'patroni-timing'

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
}

export const PATRONI_CONFIG = '/etc/patroni/config.yml'
export const PATRONI_REST_PORT = 8008
export const ETCD_CLIENT_PORT = 2379
export const ETCD_PEER_PORT = 2380
export const PATRONI_SCOPE = 'hacheck-lab'
