/**
 * Profile patroni: etcd's and Patroni's configuration of one node (pure). Patroni uses etcd's v2 API
 * (`etcd:` DCS, etcd --enable-v2): Debian 12's etcd 3.4 has no gRPC gateway, so the `etcd3:` DCS gets 404. etcd peers and clients talk on
 * the replication network (eth1) and 127.0.0.1; PostgreSQL and Patroni's REST API serve the public
 * network. No password anywhere: pg_hba trusts the replication user and the workload's user from the lab
 * networks only, Patroni reaches its own server over the Unix socket as postgres (peer).
 */
import {DB_NAME, DB_USER, PG_BIN, PG_PORT, PG_SOCKET_DIR, PG_VERSION} from './render-db.js'
import {
  ETCD_CLIENT_PORT,
  ETCD_PEER_PORT,
  ETCD_SMALL_QUOTA,
  MAX_LAG_HEALTHY,
  MAX_LAG_LARGE,
  PATRONI_REST_PORT,
  PATRONI_SCOPE,
} from './patroni-topology.js'
import {addrOn, NETWORKS, type NodeDef} from './topology.js'

export const PATRONI_YML = 'etc/patroni/config.yml'
export const ETCD_YML = 'etc/patroni/etcd.yml'
export const PATRONI_DATA = `/var/lib/postgresql/${PG_VERSION}/patroni`
export const PATRONI_LOG_DIR = '/var/log/patroni'
export const REPLICATION_USER = 'replicator'

/** What the renderers need of a lab spec (render.ts's LabSpec fits; structural to avoid an import cycle). */
interface PatroniSpec {
  variants: readonly string[]
  nodes: readonly NodeDef[]
}

const patroniNodes = (spec: PatroniSpec): NodeDef[] => spec.nodes.filter((n) => n.roles.includes('patroni'))

/** The cluster-wide settings Patroni keeps in the DCS (bootstrap.dcs, and patronictl edit-config live). */
export function dcsSettings(variants: readonly string[]): {
  ttl: number
  loop_wait: number
  retry_timeout: number
  maximum_lag_on_failover: number
  synchronous_mode: boolean
} {
  const timing = variants.includes('patroni-timing')
  return {
    ttl: timing ? 20 : 30,
    loop_wait: 10,
    retry_timeout: 10,
    maximum_lag_on_failover: variants.includes('patroni-max-lag') ? MAX_LAG_LARGE : MAX_LAG_HEALTHY,
    synchronous_mode: !variants.includes('patroni-async'),
  }
}

export function etcdYml(spec: PatroniSpec, node: NodeDef): string {
  const me = addrOn(node, 'replication')
  const initial = patroniNodes(spec)
    .map((n) => `${n.name}=http://${addrOn(n, 'replication')}:${ETCD_PEER_PORT}`)
    .join(',')
  return `# hacheck lab node ${node.name}: etcd member (profile patroni). Written by \`hacheck lab up\`.
name: ${node.name}
data-dir: /var/lib/etcd/${node.name}
listen-peer-urls: http://${me}:${ETCD_PEER_PORT}
initial-advertise-peer-urls: http://${me}:${ETCD_PEER_PORT}
listen-client-urls: http://${me}:${ETCD_CLIENT_PORT},http://127.0.0.1:${ETCD_CLIENT_PORT}
advertise-client-urls: http://${me}:${ETCD_CLIENT_PORT}
initial-cluster: ${initial}
initial-cluster-state: new
initial-cluster-token: ${PATRONI_SCOPE}
# Debian's etcd 3.4 is built without the gRPC gateway (/v3 answers 404), which Patroni's etcd3 DCS needs:
# Patroni talks to etcd's v2 API instead (etcd: in its YAML).
enable-v2: true
${spec.variants.includes('etcd-small-quota') ? `quota-backend-bytes: ${ETCD_SMALL_QUOTA}\n` : ''}`
}

export function patroniYml(spec: PatroniSpec, node: NodeDef): string {
  const dcs = dcsSettings(spec.variants)
  const hosts = patroniNodes(spec)
    .map((n) => `${addrOn(n, 'replication')}:${ETCD_CLIENT_PORT}`)
    .join(',')
  const pub = NETWORKS.public.cidr
  return `# hacheck lab node ${node.name}: Patroni (profile patroni). Written by \`hacheck lab up\`.
scope: ${PATRONI_SCOPE}
name: ${node.name}
log:
  dir: ${PATRONI_LOG_DIR}
  level: INFO
restapi:
  listen: ${node.host}:${PATRONI_REST_PORT}
  connect_address: ${node.host}:${PATRONI_REST_PORT}
etcd:
  hosts: ${hosts}
bootstrap:
  dcs:
    ttl: ${dcs.ttl}
    loop_wait: ${dcs.loop_wait}
    retry_timeout: ${dcs.retry_timeout}
    maximum_lag_on_failover: ${dcs.maximum_lag_on_failover}
    synchronous_mode: ${dcs.synchronous_mode}
    postgresql:
      use_pg_rewind: false
      parameters:
        wal_level: replica
        hot_standby: 'on'
        max_wal_senders: 6
        max_replication_slots: 6
        wal_keep_size: 256MB
        wal_log_hints: 'on'
  initdb:
    - encoding: UTF8
    - no-locale
postgresql:
  listen: 0.0.0.0:${PG_PORT}
  connect_address: ${node.host}:${PG_PORT}
  data_dir: ${PATRONI_DATA}
  bin_dir: ${PG_BIN}
  pgpass: /tmp/pgpass-patroni
  use_unix_socket: true
  authentication:
    superuser:
      username: postgres
    replication:
      username: ${REPLICATION_USER}
  parameters:
    unix_socket_directories: ${PG_SOCKET_DIR}
    shared_buffers: 32MB
    max_connections: 60
    dynamic_shared_memory_type: posix
  pg_hba:
    - local all all peer
    - host ${DB_NAME} ${DB_USER} ${pub} trust
    - host replication ${REPLICATION_USER} ${pub} trust
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
`
}

/** SQL run on the leader once the cluster is up (replicated): the workload's role and database. */
export function patroniSetupSql(): string[] {
  return [
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN CREATE ROLE ${DB_USER} LOGIN; END IF; END $$`,
    `SELECT 'CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${DB_NAME}')\\gexec`,
  ]
}
