/**
 * Profile mysql: the MariaDB server configuration of the source (m1) and the replica (m2), and the SQL that
 * sets replication up (pure). Replication runs on the replication network (eth1), clients reach port 3306
 * on the public one. Semi-sync is built into MariaDB 10.3+: no plugin to load.
 */
import {GALERA_DB, GALERA_USER, MARIADB_PORT} from './galera-topology.js'
import {MYSQL_DELAY_S, MYSQL_REPL_USER, SEMI_SYNC_TIMEOUT_MS} from './mysql-topology.js'
import {mysqldHead} from './render-galera.js'
import {addrOn, NETWORKS, type NodeDef} from './topology.js'

interface MysqlSpec {
  variants: readonly string[]
  nodes: readonly NodeDef[]
}

export const mysqlNodesOf = (spec: {nodes: readonly NodeDef[]}): NodeDef[] =>
  spec.nodes.filter((n) => n.roles.includes('mysql'))

/** The source is the first mysql node (m1); every other one replicates from it. */
export const isMysqlSource = (spec: {nodes: readonly NodeDef[]}, node: NodeDef): boolean =>
  mysqlNodesOf(spec)[0]?.name === node.name

export function mysqlCnf(spec: MysqlSpec, node: NodeDef): string {
  const source = isMysqlSource(spec, node)
  const semi = !spec.variants.includes('mysql-async')
  const readOnly = !source && !spec.variants.includes('mysql-writable-replica')
  const id = mysqlNodesOf(spec).findIndex((n) => n.name === node.name) + 1
  const role = source
    ? [
        `rpl_semi_sync_master_enabled = ${semi ? 'ON' : 'OFF'}`,
        // Lossless semi-sync: a commit is visible to other clients only once a replica has it.
        'rpl_semi_sync_master_wait_point = AFTER_SYNC',
        `rpl_semi_sync_master_timeout = ${SEMI_SYNC_TIMEOUT_MS}`,
      ]
    : [`rpl_semi_sync_slave_enabled = ${semi ? 'ON' : 'OFF'}`, 'log_slave_updates = ON']
  return `${mysqldHead(`hacheck lab node ${node.name}: MariaDB ${source ? 'replication source' : 'replica'} (profile mysql)`)}
server_id = ${id}
log_bin = /var/lib/mysql/mysql-bin
binlog_format = ROW
read_only = ${readOnly ? 'ON' : 'OFF'}
${role.join('\n')}
`
}

/** SQL run on the source once it answers (replicated to the replicas): the workload's database, users. */
export function mysqlSourceSetupSql(): string {
  const pub = `${NETWORKS.public.base}.%`
  const rep = `${NETWORKS.replication.base}.%`
  return [
    `CREATE DATABASE IF NOT EXISTS ${GALERA_DB};`,
    `CREATE USER IF NOT EXISTS '${GALERA_USER}'@'${pub}';`,
    `GRANT ALL PRIVILEGES ON ${GALERA_DB}.* TO '${GALERA_USER}'@'${pub}';`,
    `CREATE USER IF NOT EXISTS '${MYSQL_REPL_USER}'@'${rep}';`,
    `GRANT REPLICATION SLAVE ON *.* TO '${MYSQL_REPL_USER}'@'${rep}';`,
  ].join('\n')
}

/**
 * SQL that (re)points a replica at the source with the variant's delay and starts it: GTID positions (both
 * servers start from the same seeded data directory, so the replica starts at the source's first GTID).
 */
export function mysqlReplicaSetupSql(spec: MysqlSpec): string {
  const source = mysqlNodesOf(spec)[0]
  if (!source) throw new Error('profile mysql: no source node')
  const delay = spec.variants.includes('mysql-delayed') ? MYSQL_DELAY_S : 0
  return [
    'STOP SLAVE;',
    `CHANGE MASTER TO MASTER_HOST='${addrOn(source, 'replication')}', MASTER_PORT=${MARIADB_PORT}, MASTER_USER='${MYSQL_REPL_USER}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY=${delay};`,
    'START SLAVE;',
  ].join('\n')
}

/** The delay a replica must run with for the lab's variants. */
export const mysqlDelayS = (spec: MysqlSpec): number =>
  spec.variants.includes('mysql-delayed') ? MYSQL_DELAY_S : 0
