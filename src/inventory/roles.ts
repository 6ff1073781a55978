/**
 * The roles hacheck knows. A node's roles decide which checks run on it and
 * which nodes chaos faults act on; a misspelt role silently drops a node from
 * every check of that role, so an inventory role that is a likely typo of a
 * known role (or one of the group names import maps to it) is an error. Other
 * roles are free (a site's own, e.g. dc1): they are kept, and
 * `inventory validate` notes that no check uses them.
 */
import {didYouMean} from './messages.js'

export const ROLES = {
  cluster: 'a Pacemaker/Corosync cluster member (most checks; chaos faults act on these)',
  lb: 'a load balancer (TLS certificates, LB redundancy, live handshake)',
  app: 'an application server behind the load balancers (no TLS certificate here)',
  db: 'a database server (replication mode, lag, alert rules)',
  witness: 'a quorum witness: corosync-qnetd (quorum checks, partition --isolate-witness)',
  log: 'a central log server (logging checks)',
  monitor: 'a monitoring server with Prometheus alert rules (replication lag alert)',
  galera: 'a MariaDB/MySQL Galera cluster member (galera.* checks, galera-partition)',
  patroni: 'a PostgreSQL member managed by Patroni (patroni.* checks, the Patroni leader faults)',
  etcd: 'an etcd member: the DCS of Patroni or a Kubernetes control plane (etcd.* checks)',
  session:
    'a session store node: Redis (+ Sentinel) or Memcached (session store redundancy, Sentinel quorum)',
} as const

export type KnownRole = keyof typeof ROLES
export const KNOWN_ROLES = Object.keys(ROLES) as KnownRole[]

/**
 * Known roles and the Ansible group names that mean them. A group matches when
 * its whole name, or one of its words (split on _ - .), is in a list:
 * `db_servers` → db, `prod-lb` → lb.
 */
export const GROUP_ROLES: Readonly<Record<KnownRole, readonly string[]>> = {
  cluster: ['cluster', 'clusters', 'pacemaker', 'corosync', 'ha', 'hacluster', 'ha_cluster'],
  lb: [
    'lb',
    'lbs',
    'loadbalancer',
    'loadbalancers',
    'load_balancer',
    'load_balancers',
    'haproxy',
    'keepalived',
  ],
  db: ['db', 'dbs', 'database', 'databases', 'postgres', 'postgresql', 'pg', 'pgsql', 'mysql', 'mariadb'],
  app: [
    'app',
    'apps',
    'application',
    'applications',
    'appserver',
    'appservers',
    'web',
    'webserver',
    'webservers',
  ],
  witness: ['witness', 'qdevice', 'qnetd', 'quorum', 'arbiter', 'tiebreaker'],
  log: ['log', 'logs', 'logging', 'syslog', 'rsyslog', 'loghost', 'loghosts'],
  monitor: ['monitor', 'monitoring', 'prometheus', 'grafana', 'zabbix', 'nagios', 'icinga'],
  galera: ['galera', 'wsrep', 'pxc'],
  patroni: ['patroni'],
  etcd: ['etcd'],
  session: ['session', 'sessions', 'redis', 'sentinel', 'sentinels', 'memcached', 'memcache', 'cache'],
}

export function isKnownRole(role: string): role is KnownRole {
  return Object.hasOwn(ROLES, role)
}

/**
 * The known role an unknown one most likely means: another name for it
 * (database → db) or a typo of it or of such a name (clustr → cluster).
 * Undefined for a known role and for a site's own role.
 */
export function meantRole(role: string): KnownRole | undefined {
  if (isKnownRole(role)) return undefined
  const aliases = Object.entries(GROUP_ROLES).flatMap(([r, names]) => names.map((n) => ({r, n})))
  const exact = aliases.find((a) => a.n === role.toLowerCase().replace(/-/g, '_'))
  if (exact) return exact.r as KnownRole
  const guess = didYouMean(role, [...KNOWN_ROLES, ...aliases.map((a) => a.n)])
  if (!guess) return undefined
  return isKnownRole(guess) ? guess : (aliases.find((a) => a.n === guess)?.r as KnownRole)
}
