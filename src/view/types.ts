/**
 * The cluster view: one reconciled picture of the whole cluster, built by a pure
 * function from everything hacheck could read (every node's facts plus readings
 * taken from the controller, such as BMC power). Audit checks and the chaos
 * observer read this picture instead of "the first node that answered".
 *
 * Rules it encodes (docs/cluster-view.md):
 * - every inventory node appears, examined or not, and when not, why;
 * - nodes that agree on who is a member form a partition; the quorate partition
 *   speaks for the cluster and the others are named as minorities;
 * - what could not be read is `undefined` (unknown), never an empty list.
 */
import type {CrmMon, FenceEvent} from '../facts/crm-mon.js'
import type {Reading} from './reading.js'
import type {SystemInput, SystemView} from './systems.js'

/** Why hacheck could not examine a node (a connection-level failure, not a command's exit). */
export type ReachReason =
  'refused' | 'no-route' | 'timeout' | 'auth' | 'host-key' | 'sudo' | 'disconnected' | 'dns' | 'unreachable'

export type Reach = {ok: true} | {ok: false; reason: ReachReason; message: string}

export type {Reading} from './reading.js'

export type PowerState = 'on' | 'off'

/** Corosync's membership as one node reports it (corosync-quorumtool). */
export interface MembershipReading {
  /** Member node names, the qdevice's own row left out. */
  members: string[]
  quorate?: boolean
  ringId?: string
  expectedVotes?: number
  totalVotes?: number
  quorum?: number
  /** A quorum device votes in this membership. */
  qdevice: boolean
}

/** Pacemaker's state as one node reports it (crm_mon), reduced to what the view reconciles. */
export interface PacemakerState {
  dc?: string
  /** current_dc with_quorum. */
  quorate?: boolean
  stonithEnabled?: boolean
  maintenanceMode?: boolean
  noQuorumPolicy?: string
  nodes: PacemakerNode[]
  resources: PacemakerResource[]
  /** undefined when the crm_mon output had no fence_history section. */
  fences?: FenceEvent[]
  failedActions: number
}

export interface PacemakerNode {
  name: string
  online: boolean
  unclean: boolean
  standby: boolean
  maintenance: boolean
  pending: boolean
  isDc: boolean
  /** member, remote, ping… */
  type: string
}

export interface PacemakerResource {
  id: string
  agent: string
  isStonith: boolean
  role: string
  active: boolean
  failed: boolean
  blocked: boolean
  managed: boolean
  /** An action in flight (crm_mon's `pending`, e.g. "Starting"): the role is only the goal then. */
  pending?: string
  nodes: string[]
}

/**
 * One node's part in a leader group (a VRRP router, a Sentinel-monitored master), as that node reports it;
 * groups.ts makes it a member of the group's SystemView. Generic on purpose: a check judges "one leader per group"
 * or "the quorum survives losing one node" from these, whatever the system.
 */
export interface GroupReading {
  /** The system: 'vrrp', 'redis-sentinel', … */
  system: string
  /** The group inside it: a VRRP instance ("VI_WWW vrid 51"), the name of a Sentinel-monitored master. */
  group: string
  /** This node's role as the system names it (MASTER, BACKUP, FAULT, sentinel, …). */
  role: string
  /** This node leads the group (the VRRP MASTER). */
  leader: boolean
  /** For a member that watches the group rather than leads it (a Sentinel): whom it names as the leader. */
  names?: string
  /** Votes this node casts in the group's elections (a Sentinel: 1). */
  votes?: number
  /** Votes this node's configuration needs to agree that the leader failed (Sentinel quorum). */
  quorum?: number
  detail?: Record<string, string | number | boolean>
}

/** Everything read about one node, as input to the view. Anything may be missing or failed. */
export interface NodeReadings {
  reach: Reach
  /** BMC power read from the controller; undefined when no BMC is declared or none was read. */
  bmc?: Reading<PowerState>
  membership?: Reading<MembershipReading>
  pacemaker?: Reading<PacemakerState>
  /** The node's global addresses (ip -j addr), to tell who holds the VIP. */
  addresses?: Reading<string[]>
  /** Its part in replicated-system groups (VRRP, Sentinel, …), one reading per system it runs. */
  groups?: GroupOutcome[]
}

/** What one node says of one system: its groups, or why that could not be read. */
export type GroupOutcome =
  {ok: true; system: string; readings: GroupReading[]} | {ok: false; system: string; error: string}

export interface ViewNodeSpec {
  name: string
  /** Addresses/names the node is known by (inventory host, extra names), to match membership rows. */
  aliases: string[]
  roles: string[]
  hasBmc: boolean
}

export interface ViewInput {
  stack: 'pacemaker' | 'generic'
  nodes: ViewNodeSpec[]
  vip?: string
  readings: Record<string, NodeReadings>
  /** Data-tier systems with their own membership (Galera, etcd, Patroni): see systems.ts. */
  systems?: SystemInput[]
}

export interface NodeView {
  name: string
  roles: string[]
  /** A cluster member by role: counted in every claim about "every node". */
  cluster: boolean
  examined: boolean
  /** Why not examined (connection failure). */
  notExamined?: {reason: ReachReason; message: string}
  /** 'unknown' when a BMC is declared but could not be read; undefined without a BMC. */
  bmc?: PowerState | 'unknown'
  bmcError?: string
  /** What the node itself reports of the membership; undefined when it could not be read. */
  membership?: MembershipReading
  membershipError?: string
  pacemaker?: PacemakerState
  pacemakerError?: string
  /** true/false when its addresses were read, undefined when unknown. */
  holdsVip?: boolean
  /** The partition this node reports being in (examined nodes with a membership only). */
  partition?: string
}

/** Nodes that agree on who is a member. */
export interface Partition {
  /** Stable name from the members: "n1+n2+n3". */
  name: string
  members: string[]
  /** Examined nodes that report this very membership. */
  reporters: string[]
  quorate?: boolean
  /** The partition that speaks for the cluster: the single quorate one. */
  primary: boolean
  dc?: string
  /** Active resource id → nodes, as this partition's Pacemaker reports it. */
  resources?: Record<string, string[]>
  /** Nodes of this partition that hold the VIP (examined ones only). */
  vipHolders: string[]
  /** The reporter whose Pacemaker view stands for the partition (its DC when it reports, else the first). */
  speaker?: string
}

export type AnomalyKind =
  | 'not-examined'
  | 'powered-off-member'
  | 'unseen-member'
  | 'not-a-member'
  | 'stack-down'
  | 'split-view'
  | 'minority'
  | 'no-quorate-partition'
  | 'several-quorate-partitions'
  | 'vip-several-holders'
  | 'vip-outside-primary'
  | 'vip-nowhere'
  | 'no-dc'
  | 'pacemaker-disagrees'

export interface Anomaly {
  kind: AnomalyKind
  severity: 'critical' | 'warning' | 'info'
  nodes: string[]
  message: string
}

export interface ClusterView {
  stack: 'pacemaker' | 'generic'
  vip?: string
  nodes: NodeView[]
  partitions: Partition[]
  /** Name of the primary (single quorate) partition, when there is one. */
  primary?: string
  /** Corosync/Pacemaker's anomalies (those of the other replicated systems are in each system's view). */
  anomalies: Anomaly[]
  /**
   * Every replicated system other than Corosync, one entry per group, in one shape (systems.ts): the leader
   * groups (VRRP routers, Sentinel-monitored masters: groups.ts) first, then the systems with a membership
   * of their own (Galera, etcd, Patroni).
   */
  systems: SystemView[]
}

export type {CrmMon}
export type {ViewSummary} from '../core/results.js'
