/**
 * Profile db: what the PostgreSQL nodes and the monitoring node are configured
 * with (postgresql.conf additions, pg_hba.conf, the Pacemaker resources of the
 * pgsql resource agent, the Prometheus rule files). Pure functions; db.ts and
 * lab.ts write and apply the results.
 */
import {addrOn, dbNodes, NETWORKS, REP_VIP, VIP, type NodeDef, type VariantName} from './topology.js'
import {nvpairs} from './cib-xml.js'

/** Debian's PostgreSQL 15 (postgresql-15), the version the lab runs. */
export const PG_VERSION = '15'
export const PG_BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`
/** Data directory on every db node (a node-private /var/lib/postgresql). */
export const PGDATA = `/var/lib/postgresql/${PG_VERSION}/main`
/** The pgsql RA's tmpdir: PGSQL.lock, rep_mode.conf, recovery.conf (PostgreSQL 12+). Survives a power-off. */
export const PG_RA_TMPDIR = `/var/lib/postgresql/${PG_VERSION}/pgsql-tmp`
export const PG_SOCKET_DIR = '/var/run/postgresql'
export const PG_PORT = 5432
export const PG_LOG = `/var/log/postgresql/postgresql-${PG_VERSION}-lab.log`
/** The database and role clients (the chaos workload) use, through the VIP. */
export const DB_NAME = 'hacheck'
export const DB_USER = 'hacheck'
/** Pacemaker ids. */
export const PG_RSC = 'pgsql'
export const PG_CLONE = 'pgsql-clone'
export const VIP_RSC = 'p-vip'
export const REP_VIP_RSC = 'p-vip-rep'
/** The Prometheus rule file on the monitoring node (what the prometheus-rules gatherer reads). */
export const PROM_RULES_FILE = 'etc/prometheus/rules/replication.yml'
export const PROM_CONFIG_FILE = 'etc/prometheus/prometheus.yml'

export type RepMode = 'sync' | 'async'

export function repMode(variants: readonly VariantName[]): RepMode {
  return variants.includes('async') ? 'async' : 'sync'
}

/** Settings the lab adds to initdb's postgresql.conf (an include file in the data directory). */
export function pgLabConf(): string {
  return `# hacheck lab (profile db): included from postgresql.conf. Replication settings that the
# pgsql resource agent does not manage itself (it writes synchronous_standby_names into
# ${PG_RA_TMPDIR}/rep_mode.conf and primary_conninfo into ${PG_RA_TMPDIR}/recovery.conf).
listen_addresses = '*'
port = ${PG_PORT}
unix_socket_directories = '${PG_SOCKET_DIR}'
max_connections = 60
shared_buffers = 32MB
dynamic_shared_memory_type = posix
wal_level = replica
max_wal_senders = 6
max_replication_slots = 6
wal_keep_size = 512MB
wal_log_hints = on
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
wal_sender_timeout = 10s
wal_receiver_timeout = 10s
synchronous_commit = on
restart_after_crash = off
cluster_name = 'lab'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
`
}

/** pg_hba.conf: peer on the socket (the RA, the audit), trust for replication and for the lab's client role. */
export function pgHba(): string {
  return `# hacheck lab (profile db). Trust is lab-only: replication only from the replication network,
# the client role only from the public network (no password to hand out; see docs/lab.md).
# TYPE  DATABASE     USER        ADDRESS              METHOD
local   all          postgres                         peer
local   all          all                              peer
host    replication  postgres    ${NETWORKS.replication.cidr}       trust
host    ${DB_NAME}      ${DB_USER}     ${NETWORKS.public.cidr}       trust
`
}

/** SQL run once in single-user mode on the freshly initialised cluster (one statement per line). */
export function pgBootstrapSql(): string {
  return [`CREATE ROLE ${DB_USER} LOGIN`, `CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}`].join('\n') + '\n'
}

/** Instance attributes of the pgsql resource agent (replication mode). */
export function pgsqlParams(
  nodes: readonly NodeDef[],
  variants: readonly VariantName[],
): Record<string, string> {
  return {
    pgctl: `${PG_BIN}/pg_ctl`,
    psql: `${PG_BIN}/psql`,
    pgdata: PGDATA,
    socketdir: PG_SOCKET_DIR,
    pgport: String(PG_PORT),
    logfile: PG_LOG,
    rep_mode: repMode(variants),
    node_list: dbNodes(nodes)
      .map((n) => n.name)
      .join(' '),
    master_ip: REP_VIP,
    repuser: 'postgres',
    // No WAL archive in the lab (no shared storage): standbys catch up from wal_keep_size.
    restore_command: '',
    primary_conninfo_opt: 'keepalives_idle=5 keepalives_interval=1 keepalives_count=3 connect_timeout=3',
    tmpdir: PG_RA_TMPDIR,
    check_wal_receiver: 'true',
    // Two monitors agreeing on every node's WAL position before the first promotion (the minimum).
    xlog_check_count: '1',
    stop_escalate: '20',
    stop_escalate_in_slave: '20',
  }
}

/** The db profile's resources: the pgsql promotable clone and the two VIPs that follow the primary. */
export function dbCibResources(nodes: readonly NodeDef[], variants: readonly VariantName[]): string {
  const op = (name: string, interval: string, timeout: string, role?: string): string =>
    `          <op id="${PG_RSC}-${name}-${interval}${role ? `-${role}` : ''}" name="${name}" interval="${interval}" timeout="${timeout}"${role ? ` role="${role}"` : ''}/>`
  const ip = (
    id: string,
    addr: string,
    nic: string,
  ): string => `      <primitive id="${id}" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="${id}-params">
${nvpairs(`${id}-params`, {ip: addr, cidr_netmask: '24', nic}, '          ')}
        </instance_attributes>
        <operations>
          <op id="${id}-monitor-10s" name="monitor" interval="10s" timeout="20s"/>
        </operations>
      </primitive>`
  return `      <clone id="${PG_CLONE}">
        <meta_attributes id="${PG_CLONE}-meta">
${nvpairs(
  `${PG_CLONE}-meta`,
  {
    promotable: 'true',
    'promoted-max': '1',
    'promoted-node-max': '1',
    'clone-max': String(dbNodes(nodes).length),
    'clone-node-max': '1',
    notify: 'true',
  },
  '          ',
)}
        </meta_attributes>
        <primitive id="${PG_RSC}" class="ocf" provider="heartbeat" type="pgsql">
          <instance_attributes id="${PG_RSC}-params">
${nvpairs(`${PG_RSC}-params`, pgsqlParams(nodes, variants), '            ')}
          </instance_attributes>
          <operations>
  ${op('start', '0s', '120s')}
  ${op('stop', '0s', '120s')}
  ${op('promote', '0s', '120s')}
  ${op('demote', '0s', '120s')}
  ${op('notify', '0s', '90s')}
  ${op('monitor', '3s', '60s', 'Promoted')}
  ${op('monitor', '4s', '60s', 'Unpromoted')}
          </operations>
        </primitive>
      </clone>
${ip(VIP_RSC, VIP, 'eth0')}
${ip(REP_VIP_RSC, REP_VIP, 'eth3')}`
}

/**
 * Constraints: PostgreSQL never on the monitoring node; both VIPs with the promoted instance,
 * started after the promotion and stopped before a demotion (the pgsql RA's documented layout).
 */
export function dbCibConstraints(nodes: readonly NodeDef[]): string {
  const others = nodes.filter((n) => n.roles.includes('cluster') && !n.roles.includes('db'))
  const lines = others.map(
    (n) =>
      `      <rsc_location id="loc-${PG_CLONE}-avoids-${n.name}" rsc="${PG_CLONE}" node="${n.name}" score="-INFINITY"/>`,
  )
  for (const v of [VIP_RSC, REP_VIP_RSC]) {
    lines.push(
      `      <rsc_colocation id="col-${v}-with-primary" rsc="${v}" with-rsc="${PG_CLONE}" with-rsc-role="Promoted" score="INFINITY"/>`,
      `      <rsc_order id="ord-promote-then-${v}" first="${PG_CLONE}" first-action="promote" then="${v}" then-action="start" kind="Mandatory" symmetrical="false"/>`,
      `      <rsc_order id="ord-demote-then-stop-${v}" first="${PG_CLONE}" first-action="demote" then="${v}" then-action="stop" kind="Optional" symmetrical="false"/>`,
    )
  }
  return lines.join('\n')
}

/** The replication address a db node streams on (eth3). */
export function replicationAddr(node: NodeDef): string {
  return addrOn(node, 'replication')
}

/** Prometheus alerting rules on the monitoring node, per variant. */
export function promRules(variants: readonly VariantName[]): string {
  const down = `      - alert: PostgresqlDown
        expr: pg_up == 0
        for: 30s
        labels:
          severity: critical
        annotations:
          summary: PostgreSQL on {{ $labels.instance }} is down`
  const lag = (threshold: number, forText: string): string => `      - alert: PostgresqlReplicationLag
        expr: max by (instance) (pg_replication_lag_seconds) > ${threshold}
        for: ${forText}
        labels:
          severity: critical
        annotations:
          summary: PostgreSQL standby {{ $labels.instance }} replays {{ $value }} s behind the primary`
  let rules: string
  let note: string
  if (variants.includes('no-lag-rule')) {
    rules = down
    note = 'variant no-lag-rule: no replication-lag alert at all'
  } else if (variants.includes('lag-rule-above-rpo')) {
    rules = `${lag(60, '1m')}\n${down}`
    note = 'variant lag-rule-above-rpo: fires 120 s after the lag starts, too late for the declared RPO'
  } else {
    rules = `${lag(5, '10s')}\n${down}`
    note = 'healthy: fires 15 s after the lag starts (threshold 5 s + for 10 s)'
  }
  return `# hacheck lab (profile db) Prometheus alerting rules; ${note}.
# Checked with \`promtool check rules\` when the lab writes it.
groups:
  - name: postgresql-replication
    rules:
${rules}
`
}

/** A minimal prometheus.yml naming the rule files (the server itself does not run in the lab). */
export function prometheusYml(nodes: readonly NodeDef[]): string {
  const targets = dbNodes(nodes)
    .map((n) => `'${n.host}:9187'`)
    .join(', ')
  return `# hacheck lab (profile db): the monitoring node's Prometheus configuration (not running in the lab).
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - /etc/prometheus/rules/*.yml
scrape_configs:
  - job_name: postgres
    static_configs:
      - targets: [${targets}]
`
}
