/**
 * Profile mysql: MariaDB asynchronous (semi-synchronous) replication, one source (m1) and one replica (m2),
 * on the same Debian packages as profile galera, and its variants (defects of the replication set-up). Kept
 * apart from topology.ts so the data-tier profiles add files rather than edit shared ones. Pure data.
 */

export type MysqlVariant = 'mysql-async' | 'mysql-writable-replica' | 'mysql-sql-stopped' | 'mysql-delayed'

interface MysqlVariantDef {
  name: MysqlVariant
  summary: string
  applies: 'mysql'
  profiles: 'mysql'[]
}

export const MYSQL_VARIANTS: Record<MysqlVariant, MysqlVariantDef> = {
  'mysql-async': {
    name: 'mysql-async',
    summary:
      'semi-sync is off on m1 and m2: the source acknowledges commits before the replica has them, while the inventory declares rpo 0s',
    applies: 'mysql',
    profiles: ['mysql'],
  },
  'mysql-writable-replica': {
    name: 'mysql-writable-replica',
    summary: 'the replica m2 runs with read_only=OFF: a client pointed at it by mistake writes there only',
    applies: 'mysql',
    profiles: ['mysql'],
  },
  'mysql-sql-stopped': {
    name: 'mysql-sql-stopped',
    summary:
      "the replica's SQL thread is stopped (STOP SLAVE SQL_THREAD): m2 still receives the source's binlog but applies none of it",
    applies: 'mysql',
    profiles: ['mysql'],
  },
  'mysql-delayed': {
    name: 'mysql-delayed',
    summary:
      'the replica applies every event 60 s late (MASTER_DELAY=60): after a write it is up to a minute behind, over the RPO',
    applies: 'mysql',
    profiles: ['mysql'],
  },
}

/** The replication user (no password, allowed from the replication network only). */
export const MYSQL_REPL_USER = 'repl'
/** MASTER_DELAY of variant mysql-delayed. */
export const MYSQL_DELAY_S = 60
/** Semi-sync falls back to asynchronous after this long without a replica's acknowledgement. */
export const SEMI_SYNC_TIMEOUT_MS = 3000
