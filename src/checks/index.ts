/**
 * The catalogue of checks. One import per check file; a test asserts that
 * every file under src/checks/<area>/ is listed here and that each id matches
 * its path (`corosync/token-consensus.ts` ↔ `corosync.token-consensus`).
 */
import type {AnyCheck} from './define.js'
import quorumWitness from './quorum/witness.js'
import timeSync from './time/sync.js'
import loggingCentral from './logging/central.js'
import tlsLbCertificates from './tls/lb-certificates.js'
import tlsLiveHandshake from './tls/live-handshake.js'
import tlsNotOnBackends from './tls/not-on-backends.js'
import capacityNMinus1 from './capacity/n-minus-1.js'
import fencingBmcReachable from './fencing/bmc-reachable.js'
import fencingCoverage from './fencing/coverage.js'
import fencingSbd from './fencing/sbd.js'
import fencingTimeout from './fencing/timeout.js'
import heartbeatSeparateInterface from './heartbeat/separate-interface.js'
import lbRedundant from './lb/redundant.js'
import pacemakerVipColocation from './pacemaker/vip-colocation.js'
import powerRedundant from './power/redundant.js'
import storageMultipath from './storage/multipath.js'
import corosyncConfigDrift from './corosync/config-drift.js'
import corosyncTokenConsensus from './corosync/token-consensus.js'
import failoverAppReconnect from './failover/app-reconnect.js'
import failoverTested from './failover/tested.js'
import fencingDevicesStarted from './fencing/devices-started.js'
import fencingEnabled from './fencing/enabled.js'
import fencingHistory from './fencing/history.js'
import heartbeatLinksHealthy from './heartbeat/links-healthy.js'
import heartbeatRedundantLinks from './heartbeat/redundant-links.js'
import pacemakerFailCounts from './pacemaker/fail-counts.js'
import pacemakerLeftoverConstraints from './pacemaker/leftover-constraints.js'
import pacemakerMaintenanceMode from './pacemaker/maintenance-mode.js'
import pacemakerNodesOnline from './pacemaker/nodes-online.js'
import quorumRuntime from './quorum/runtime.js'
import quorumVotes from './quorum/votes.js'
import replicationCurrentLag from './replication/current-lag.js'
import replicationLagAlert from './replication/lag-alert.js'
import replicationModeVsRpo from './replication/mode-vs-rpo.js'
import replicationReadOnly from './replication/read-only.js'
import galeraPrimary from './galera/primary.js'
import galeraClusterSize from './galera/cluster-size.js'
import galeraOddSize from './galera/odd-size.js'
import galeraSplitBrain from './galera/split-brain.js'
import galeraReady from './galera/ready.js'
import galeraFlowControl from './galera/flow-control.js'
import galeraGcacheSst from './galera/gcache-sst.js'
import patroniLeader from './patroni/leader.js'
import patroniSyncVsRpo from './patroni/sync-vs-rpo.js'
import patroniTiming from './patroni/timing.js'
import patroniReplication from './patroni/replication.js'
import etcdMembers from './etcd/members.js'
import etcdOddCount from './etcd/odd-count.js'
import etcdDbQuota from './etcd/db-quota.js'
import etcdTls from './etcd/tls.js'
import lbBackendHealth from './lb/backend-health.js'
import lbStickySessions from './lb/sticky-sessions.js'
import lbTimeouts from './lb/timeouts.js'
import sessionRedisReplicas from './session/redis-replicas.js'
import sessionSentinelQuorum from './session/sentinel-quorum.js'
import sessionStoreRedundant from './session/store-redundant.js'
import vrrpAuthentication from './vrrp/authentication.js'
import vrrpOneMaster from './vrrp/one-master.js'
import vrrpPreempt from './vrrp/preempt.js'
import vrrpPriorities from './vrrp/priorities.js'
import vrrpSplitHeal from './vrrp/split-heal.js'
import vrrpTracksLb from './vrrp/tracks-lb.js'
import vrrpUnicastPeers from './vrrp/unicast-peers.js'
import vrrpVipPlacement from './vrrp/vip-placement.js'

export const ALL_CHECKS: readonly AnyCheck[] = [
  quorumVotes,
  quorumRuntime,
  quorumWitness,
  fencingEnabled,
  fencingDevicesStarted,
  fencingHistory,
  fencingCoverage,
  fencingTimeout,
  fencingBmcReachable,
  fencingSbd,
  heartbeatSeparateInterface,
  storageMultipath,
  replicationLagAlert,
  replicationModeVsRpo,
  replicationCurrentLag,
  replicationReadOnly,
  loggingCentral,
  tlsLbCertificates,
  tlsNotOnBackends,
  tlsLiveHandshake,
  capacityNMinus1,
  pacemakerVipColocation,
  lbRedundant,
  lbBackendHealth,
  lbTimeouts,
  lbStickySessions,
  sessionStoreRedundant,
  sessionSentinelQuorum,
  sessionRedisReplicas,
  vrrpOneMaster,
  vrrpVipPlacement,
  vrrpPriorities,
  vrrpPreempt,
  vrrpSplitHeal,
  vrrpUnicastPeers,
  vrrpAuthentication,
  vrrpTracksLb,
  powerRedundant,
  timeSync,
  heartbeatRedundantLinks,
  heartbeatLinksHealthy,
  failoverTested,
  failoverAppReconnect,
  corosyncTokenConsensus,
  corosyncConfigDrift,
  pacemakerNodesOnline,
  pacemakerMaintenanceMode,
  pacemakerFailCounts,
  pacemakerLeftoverConstraints,
  galeraPrimary,
  galeraClusterSize,
  galeraOddSize,
  galeraSplitBrain,
  galeraReady,
  galeraFlowControl,
  galeraGcacheSst,
  patroniLeader,
  patroniSyncVsRpo,
  patroniTiming,
  patroniReplication,
  etcdMembers,
  etcdOddCount,
  etcdDbQuota,
  etcdTls,
]

let cached: Map<string, AnyCheck> | undefined
export function catalog(): Map<string, AnyCheck> {
  cached ??= new Map(ALL_CHECKS.map((c) => [c.id, c]))
  return cached
}
