/**
 * The catalogue of checks. One import per check file; a test asserts that
 * every file under src/checks/<area>/ is listed here and that each id matches
 * its path (`corosync/token-consensus.ts` ↔ `corosync.token-consensus`).
 */
import type {AnyCheck} from './define.js'
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

export const ALL_CHECKS: readonly AnyCheck[] = [
  quorumVotes,
  quorumRuntime,
  fencingEnabled,
  fencingDevicesStarted,
  fencingHistory,
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
]

let cached: Map<string, AnyCheck> | undefined
export function catalog(): Map<string, AnyCheck> {
  cached ??= new Map(ALL_CHECKS.map((c) => [c.id, c]))
  return cached
}
