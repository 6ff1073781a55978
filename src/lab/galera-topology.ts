/**
 * Profile galera: its variants (defects of the Galera configuration), kept apart from topology.ts so the
 * data-tier profiles add files rather than edit shared ones. Pure data.
 */

export type GaleraVariant = 'galera-ignore-sb' | 'galera-weight' | 'galera-small-gcache'

interface GaleraVariantDef {
  name: GaleraVariant
  summary: string
  applies: 'galera'
  profiles: 'galera'[]
}

export const GALERA_VARIANTS: Record<GaleraVariant, GaleraVariantDef> = {
  'galera-ignore-sb': {
    name: 'galera-ignore-sb',
    summary:
      'pc.ignore_sb=true on every node: after a partition each side keeps accepting writes (split brain)',
    applies: 'galera',
    profiles: ['galera'],
  },
  'galera-weight': {
    name: 'galera-weight',
    summary:
      'pc.weight=3 on g1 (1 on the others): g1 alone outweighs the rest, so losing g1 leaves no primary component',
    applies: 'galera',
    profiles: ['galera'],
  },
  'galera-small-gcache': {
    name: 'galera-small-gcache',
    summary:
      'gcache.size=8M: a node that was away for more than a few MB of writes needs a full state transfer (SST) instead of IST',
    applies: 'galera',
    profiles: ['galera'],
  },
}

/** MariaDB's client port and Galera's group-communication port. */
export const MARIADB_PORT = 3306
export const GALERA_PORT = 4567
/** Database and user of the chaos write workload (trusted from the public network, no password). */
export const GALERA_DB = 'hacheck'
export const GALERA_USER = 'hacheck'
