/**
 * Profile galera: the MariaDB server configuration of one node (pure). Galera's group communication runs on
 * the replication network (eth1), clients reach port 3306 on the public one: a partition of the Galera
 * network leaves every node reachable by clients, which is what lets a test see the minority refuse writes.
 */
import {GALERA_DB, GALERA_USER, MARIADB_PORT} from './galera-topology.js'
import {addrOn, NETWORKS, type NodeDef} from './topology.js'

export const MYSQL_CNF = 'etc/mysql/my.cnf'
export const MYSQL_SOCKET = '/run/mysqld/mysqld.sock'
export const MYSQL_ERROR_LOG = '/var/log/mysql/error.log'
export const GALERA_CLUSTER_NAME = 'hacheck-lab'
/** The gcache the healthy lab keeps (Debian's default); galera-small-gcache shrinks it. */
export const GCACHE_HEALTHY = '128M'
export const GCACHE_SMALL = '8M'

/** What the renderers need of a lab spec (render.ts's LabSpec fits; kept structural to avoid an import cycle). */
interface GaleraSpec {
  variants: readonly string[]
  nodes: readonly NodeDef[]
}

const galeraNodes = (spec: GaleraSpec): NodeDef[] => spec.nodes.filter((n) => n.roles.includes('galera'))

/** wsrep_provider_options of one node for the lab's variants. */
export function providerOptions(spec: GaleraSpec, node: NodeDef): string {
  const first = galeraNodes(spec)[0]
  const opts = [
    `gcache.size=${spec.variants.includes('galera-small-gcache') ? GCACHE_SMALL : GCACHE_HEALTHY}`,
    // Galera's defaults (evs.suspect_timeout 5 s, inactive 15 s), written out so the evidence shows them.
    'evs.suspect_timeout=PT5S',
    'evs.inactive_timeout=PT15S',
  ]
  if (spec.variants.includes('galera-ignore-sb')) opts.push('pc.ignore_sb=true')
  if (spec.variants.includes('galera-weight') && node.name === first?.name) opts.push('pc.weight=3')
  return opts.join('; ')
}

/**
 * The head of every lab MariaDB server's my.cnf (profiles galera and mysql): client socket, data directory,
 * ports, error log and a small footprint (several servers share one machine with the other labs' tests).
 */
export function mysqldHead(title: string): string {
  return `# ${title}. Written by \`hacheck lab up\`.
[client]
socket = ${MYSQL_SOCKET}

[mysqld]
user = mysql
datadir = /var/lib/mysql
socket = ${MYSQL_SOCKET}
pid-file = /run/mysqld/mysqld.pid
port = ${MARIADB_PORT}
bind-address = 0.0.0.0
skip-name-resolve
log_error = ${MYSQL_ERROR_LOG}
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M
performance_schema = OFF
default_storage_engine = InnoDB
`
}

export function myCnf(spec: GaleraSpec, node: NodeDef): string {
  const peers = galeraNodes(spec).map((n) => addrOn(n, 'replication'))
  return `${mysqldHead(`hacheck lab node ${node.name}: MariaDB + Galera (profile galera)`)}binlog_format = ROW
innodb_autoinc_lock_mode = 2

wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = ${GALERA_CLUSTER_NAME}
wsrep_cluster_address = gcomm://${peers.join(',')}
wsrep_node_name = ${node.name}
wsrep_node_address = ${addrOn(node, 'replication')}
wsrep_node_incoming_address = ${node.host}:${MARIADB_PORT}
wsrep_sst_method = rsync
wsrep_provider_options = "${providerOptions(spec, node)}"
`
}

/** SQL run once the cluster is up (replicated to every node): the workload's database and user. */
export function galeraSetupSql(): string {
  const net = `${NETWORKS.public.base}.%`
  return [
    `CREATE DATABASE IF NOT EXISTS ${GALERA_DB};`,
    `CREATE USER IF NOT EXISTS '${GALERA_USER}'@'${net}';`,
    `GRANT ALL PRIVILEGES ON ${GALERA_DB}.* TO '${GALERA_USER}'@'${net}';`,
  ].join('\n')
}
