/**
 * What a lab is made of: profiles (topologies), variants (defects), networks,
 * nodes and their addresses. Pure data and functions; no I/O.
 *
 * Every name the lab creates on the host starts with PREFIX, and every address
 * is in 198.18.0.0/15 (RFC 2544 benchmarking range), so nothing can collide with
 * the host's own networks.
 */
import {InputError} from '../core/errors.js'
import {GALERA_VARIANTS, type GaleraVariant} from './galera-topology.js'
import {MYSQL_VARIANTS, type MysqlVariant} from './mysql-topology.js'
import {PACEMAKER_VARIANTS, type PacemakerVariant} from './pacemaker-topology.js'
import {PATRONI_VARIANTS, type PatroniVariant} from './patroni-topology.js'
import {WEB_VARIANTS, type WebVariant} from './web-topology.js'

export const PREFIX = 'hk-'

export type NetName = 'public' | 'heartbeat' | 'management' | 'replication'

export interface NetDef {
  name: NetName
  cidr: string
  /** First three octets. */
  base: string
  bridge: string
  /** The host's own address on the bridge (none on the heartbeat network). */
  hostAddr?: string
}

export const NETWORKS: Record<NetName, NetDef> = {
  heartbeat: {name: 'heartbeat', cidr: '198.18.1.0/24', base: '198.18.1', bridge: `${PREFIX}hb`},
  public: {
    name: 'public',
    cidr: '198.18.2.0/24',
    base: '198.18.2',
    bridge: `${PREFIX}pub`,
    hostAddr: '198.18.2.1',
  },
  management: {
    name: 'management',
    cidr: '198.18.3.0/24',
    base: '198.18.3',
    bridge: `${PREFIX}mgmt`,
    hostAddr: '198.18.3.1',
  },
  // Database replication (profile db): the WAL stream has its own link, so it can be throttled
  // (tc tbf) without touching clients, the heartbeat or the BMCs. No host address.
  replication: {name: 'replication', cidr: '198.18.4.0/24', base: '198.18.4', bridge: `${PREFIX}rep`},
}

export const VIP = '198.18.2.100'
/** Profile db: the replication address standbys stream from (follows the primary, like VIP). */
export const REP_VIP = '198.18.4.100'
export const TLS_HOSTNAME = 'www.hacheck.lab'
export const BMC_USER = 'admin'
export const BMC_PASSWORD_ENV = 'LAB_BMC_PASSWORD'
/** Simulated POST: a fenced node's links stay down this long after power-on. */
export const BOOT_DELAY_S = 8

export type Role =
  | 'cluster'
  | 'log'
  | 'witness'
  | 'lb'
  | 'app'
  | 'db'
  | 'monitor'
  | 'galera'
  | 'mysql'
  | 'patroni'
  | 'etcd'
  | 'session'

export interface IfaceDef {
  dev: string
  net: NetName
  addr: string
  /** Host-side veth name (at most 15 characters). */
  hostVeth: string
}

export interface BmcDef {
  name: string
  netns: string
  addr: string
  hostVeth: string
}

export interface NodeDef {
  name: string
  roles: Role[]
  netns: string
  /** The address the host and hacheck reach the node on (public network). */
  host: string
  ifaces: IfaceDef[]
  services: string[]
  /** Corosync node id (cluster nodes only). */
  nodeid?: number
  bmc?: BmcDef
}

export type ProfileName =
  'pacemaker3' | 'pacemaker2-qdevice' | 'pacemaker2' | 'web' | 'db' | 'galera' | 'mysql' | 'patroni'

export interface ProfileDef {
  name: ProfileName
  summary: string
  clusterNodes: number
  witness: boolean
  log: boolean
  web: boolean
  /** PostgreSQL primary + standby (db1, db2) and a monitoring node (mon1), all three cluster members. */
  db?: boolean
  /** MariaDB Galera nodes (g1..gN) without Pacemaker: the data tier's own quorum (src/lab/galera.ts). */
  galera?: number
  /** MariaDB nodes (m1 the replication source, m2.. its replicas) without Galera (src/lab/mysql.ts). */
  mysql?: number
  /** PostgreSQL nodes pN managed by Patroni, each also an etcd member (src/lab/patroni.ts). */
  patroni?: number
}

export const PROFILES: Record<ProfileName, ProfileDef> = {
  pacemaker3: {
    name: 'pacemaker3',
    summary:
      '3 Corosync/Pacemaker nodes, fence_ipmilan per node against simulated BMCs, VIP + web service, central log server',
    clusterNodes: 3,
    witness: false,
    log: true,
    web: false,
  },
  'pacemaker2-qdevice': {
    name: 'pacemaker2-qdevice',
    summary:
      '2 cluster nodes + a corosync-qnetd witness node (corosync-qdevice, model net, ffsplit), log server',
    clusterNodes: 2,
    witness: true,
    log: true,
    web: false,
  },
  pacemaker2: {
    name: 'pacemaker2',
    summary: '2 cluster nodes without any witness (two_node: 1, wait_for_all), log server',
    clusterNodes: 2,
    witness: false,
    log: true,
    web: false,
  },
  web: {
    name: 'web',
    summary:
      'LB pair (keepalived VRRP with unicast peers holding the VIP, haproxy terminating TLS for www.hacheck.lab) in front of 3 plain-HTTP app nodes keeping their login sessions in Redis (master + 2 replicas, 3 Sentinels)',
    clusterNodes: 0,
    witness: false,
    log: false,
    web: true,
  },
  db: {
    name: 'db',
    summary:
      'PostgreSQL 15 primary + standby (streaming replication, Pacemaker pgsql RA, promotable clone, VIP follows the primary), monitoring node with Prometheus lag rules as third cluster member, fence_ipmilan per node',
    clusterNodes: 3,
    witness: false,
    log: false,
    web: false,
    db: true,
  },
  galera: {
    name: 'galera',
    summary:
      '3 MariaDB 10.11 nodes in one Galera 4 cluster (no Pacemaker: the primary component is the quorum), group communication on its own network, clients on the public one',
    clusterNodes: 0,
    witness: false,
    log: false,
    web: false,
    galera: 3,
  },
  mysql: {
    name: 'mysql',
    summary:
      "MariaDB 10.11 source m1 + replica m2 (GTID replication, lossless semi-sync, read_only replica) on the galera profile's packages, replication on its own network, clients on the public one",
    clusterNodes: 0,
    witness: false,
    log: false,
    web: false,
    mysql: 2,
  },
  patroni: {
    name: 'patroni',
    summary:
      '3 PostgreSQL 15 nodes managed by Patroni 3 (synchronous_mode), each also a member of the 3-member etcd 3.4 cluster that is its DCS (no Pacemaker)',
    clusterNodes: 0,
    witness: false,
    log: false,
    web: false,
    patroni: 3,
  },
}

export const DEFAULT_PROFILE: ProfileName = 'pacemaker3'

export type VariantName = PacemakerVariant | GaleraVariant | MysqlVariant | PatroniVariant | WebVariant

export interface VariantDef {
  name: VariantName
  summary: string
  /** What must be redone to apply it to a running lab (monitor: rule files only, nothing restarts). */
  applies: 'cib' | 'corosync' | 'rsyslog' | 'web' | 'monitor' | 'galera' | 'mysql' | 'patroni'
  profiles: ProfileName[]
  conflicts?: VariantName[]
}

export const VARIANTS: Record<VariantName, VariantDef> = {
  ...PACEMAKER_VARIANTS,
  ...GALERA_VARIANTS,
  ...MYSQL_VARIANTS,
  ...PATRONI_VARIANTS,
  ...WEB_VARIANTS,
}

export function isProfileName(s: string): s is ProfileName {
  return Object.hasOwn(PROFILES, s)
}

export function isVariantName(s: string): s is VariantName {
  return Object.hasOwn(VARIANTS, s)
}

/**
 * Parses `--variant a,b` for a profile. `healthy` (or an empty list) means no
 * variant. Returns the variants sorted, without duplicates.
 */
export function parseVariants(
  profile: ProfileName,
  spec: string | readonly string[] | undefined,
): VariantName[] {
  const items = (typeof spec === 'string' ? spec.split(',') : (spec ?? []))
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'healthy')
  const out = new Set<VariantName>()
  for (const v of items) {
    if (!isVariantName(v)) {
      throw new InputError(`unknown lab variant "${v}"`, {
        actions: [`known variants: healthy, ${Object.keys(VARIANTS).join(', ')}`],
      })
    }
    if (!VARIANTS[v].profiles.includes(profile)) {
      throw new InputError(`variant "${v}" does not apply to profile ${profile}`, {
        actions: [`it applies to: ${VARIANTS[v].profiles.join(', ')}`],
      })
    }
    out.add(v)
  }
  for (const v of out) {
    for (const c of VARIANTS[v].conflicts ?? []) {
      if (out.has(c)) throw new InputError(`variants "${v}" and "${c}" cannot be combined`)
    }
  }
  return [...out].sort()
}

function iface(node: string, idx: number, net: NetName, host: number): IfaceDef {
  return {dev: `eth${idx}`, net, addr: `${NETWORKS[net].base}.${host}`, hostVeth: `${PREFIX}${node}-${idx}`}
}

/**
 * Profile db: cluster node i is db1, db2 (PostgreSQL) or mon1 (Prometheus rules). mon1 is a full
 * cluster member (third vote, never runs PostgreSQL) so that the survivor of a lost primary stays
 * quorate and can fence it.
 */
function dbClusterNode(i: number): {name: string; roles: Role[]} {
  return i <= 2
    ? {name: `db${i}`, roles: ['cluster', 'db']}
    : {name: `mon${i - 2}`, roles: ['cluster', 'monitor']}
}

/**
 * Profiles galera (gN, Galera's group communication on eth1) and mysql (mN, replication on eth1): clients
 * and SSH on the public network.
 */
function mariadbNode(i: number, role: 'galera' | 'mysql'): NodeDef {
  const name = `${role === 'galera' ? 'g' : 'm'}${i}`
  return {
    name,
    roles: [role],
    netns: `${PREFIX}${name}`,
    host: `${NETWORKS.public.base}.${10 + i}`,
    ifaces: [iface(name, 0, 'public', 10 + i), iface(name, 1, 'replication', 10 + i)],
    services: ['rsyslog', 'sshd', 'mariadb'],
  }
}

/** Profile patroni: pN runs etcd (peers and clients on eth1) and Patroni managing PostgreSQL (clients on eth0). */
function patroniNode(i: number): NodeDef {
  const name = `p${i}`
  return {
    name,
    roles: ['patroni', 'etcd'],
    netns: `${PREFIX}${name}`,
    host: `${NETWORKS.public.base}.${10 + i}`,
    ifaces: [iface(name, 0, 'public', 10 + i), iface(name, 1, 'replication', 10 + i)],
    services: ['rsyslog', 'sshd', 'etcd', 'patroni'],
  }
}

/** The nodes of a profile, with their addresses, interfaces, BMCs and services. */
export function nodesOf(profile: ProfileName): NodeDef[] {
  const p = PROFILES[profile]
  const nodes: NodeDef[] = []
  for (let i = 1; i <= p.clusterNodes; i++) {
    const {name, roles} = p.db ? dbClusterNode(i) : {name: `n${i}`, roles: ['cluster'] as Role[]}
    const services = ['rsyslog', 'sshd', 'corosync', ...(p.witness ? ['corosync-qdevice'] : []), 'pacemaker']
    nodes.push({
      name,
      roles,
      netns: `${PREFIX}${name}`,
      host: `${NETWORKS.public.base}.${10 + i}`,
      ifaces: [
        iface(name, 0, 'public', 10 + i),
        iface(name, 1, 'heartbeat', 10 + i),
        iface(name, 2, 'management', 10 + i),
        ...(roles.includes('db') ? [iface(name, 3, 'replication', 10 + i)] : []),
      ],
      services,
      nodeid: i,
      bmc: {
        name: `bmc${i}`,
        netns: `${PREFIX}bmc${i}`,
        addr: `${NETWORKS.management.base}.${100 + i}`,
        hostVeth: `${PREFIX}bmc${i}-0`,
      },
    })
  }
  const aux = (name: string, roles: Role[], host: number, services: string[]): NodeDef => ({
    name,
    roles,
    netns: `${PREFIX}${name}`,
    host: `${NETWORKS.public.base}.${host}`,
    ifaces: [iface(name, 0, 'public', host), iface(name, 1, 'management', host)],
    services: ['rsyslog', 'sshd', ...services],
  })
  for (let i = 1; i <= (p.galera ?? 0); i++) nodes.push(mariadbNode(i, 'galera'))
  for (let i = 1; i <= (p.mysql ?? 0); i++) nodes.push(mariadbNode(i, 'mysql'))
  for (let i = 1; i <= (p.patroni ?? 0); i++) nodes.push(patroniNode(i))
  if (p.witness) nodes.push(aux('witness', ['witness'], 21, ['corosync-qnetd']))
  if (p.log) nodes.push(aux('log', ['log'], 31, []))
  if (p.web) {
    // haproxy or nginx (variant lb-nginx): each starts only when its configuration file is there.
    for (const i of [1, 2]) nodes.push(aux(`lb${i}`, ['lb'], 40 + i, ['haproxy', 'nginx', 'keepalived']))
    for (const i of [1, 2, 3]) nodes.push(aux(`app${i}`, ['app'], 50 + i, ['webapp']))
    // The session store: Redis (master redis1) + one Sentinel per node, Memcached for the variants that use it,
    // and redis-lag (variant redis-replica-lag: write load + a capped replica link, lab/redis-lag.sh).
    for (const i of [1, 2, 3])
      nodes.push(aux(`redis${i}`, ['session'], 60 + i, ['redis', 'sentinel', 'memcached', 'redis-lag']))
  }
  return nodes
}

export function clusterNodes(nodes: readonly NodeDef[]): NodeDef[] {
  return nodes.filter((n) => n.roles.includes('cluster'))
}

/** PostgreSQL nodes (profile db). */
export function dbNodes(nodes: readonly NodeDef[]): NodeDef[] {
  return nodes.filter((n) => n.roles.includes('db'))
}

export function addrOn(node: NodeDef, net: NetName): string {
  const i = node.ifaces.find((f) => f.net === net)
  if (!i) throw new Error(`node ${node.name} has no interface on ${net}`)
  return i.addr
}

/** The address cluster nodes send their logs to (the log node on the management network). */
export function logServerAddr(nodes: readonly NodeDef[]): string | undefined {
  const l = nodes.find((n) => n.roles.includes('log'))
  return l ? addrOn(l, 'management') : undefined
}

/** Networks a profile uses (the heartbeat network only when there are cluster nodes). */
export function networksOf(nodes: readonly NodeDef[]): NetDef[] {
  const used = new Set<NetName>()
  for (const n of nodes) for (const f of n.ifaces) used.add(f.net)
  if (nodes.some((n) => n.bmc)) used.add('management')
  return (['public', 'heartbeat', 'management', 'replication'] as const)
    .filter((n) => used.has(n))
    .map((n) => NETWORKS[n])
}
