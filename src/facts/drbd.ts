/**
 * drbd: DRBD 9 replication state from `drbdsetup status --json`: per resource
 * the local role and disk state, per peer connection the connection state,
 * peer role, and per volume the replication state, peer disk state and the
 * amount out of sync.
 *
 * DRBD 8.4 has no `drbdsetup status --json` (it prints usage or text): that is
 * a ParseError (could not tell), not an empty list.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {bool, isRecord, num, str} from './util.js'

export interface DrbdDevice {
  volume?: number
  minor?: number
  /** UpToDate | Inconsistent | Outdated | Diskless | … */
  diskState?: string
  client?: boolean
  quorum?: boolean
  sizeKiB?: number
}

export interface DrbdPeerDevice {
  volume?: number
  /** Established | SyncSource | SyncTarget | … */
  replicationState?: string
  peerDiskState?: string
  peerClient?: boolean
  resyncSuspended?: string
  outOfSyncKiB?: number
  percentInSync?: number
}

export interface DrbdConnection {
  peerNodeId?: number
  name?: string
  /** Connected | Connecting | StandAlone | … */
  connectionState?: string
  peerRole?: string
  congested?: boolean
  peerDevices: DrbdPeerDevice[]
}

export interface DrbdResource {
  name: string
  nodeId?: number
  /** Primary | Secondary */
  role?: string
  suspended?: boolean
  writeOrdering?: string
  devices: DrbdDevice[]
  connections: DrbdConnection[]
}

export interface Drbd {
  resources: DrbdResource[]
}

function arr(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : []
}

export function parseDrbdStatus(text: string): Drbd {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new ParseError(
      `drbdsetup status --json: not JSON (${err instanceof Error ? err.message : String(err)})`,
    )
  }
  if (!Array.isArray(doc)) throw new ParseError('drbdsetup status --json: expected a JSON array of resources')
  return {
    resources: arr(doc).map((r) => ({
      name: str(r['name']) ?? '',
      nodeId: num(r['node-id']),
      role: str(r['role']),
      suspended: bool(r['suspended']),
      writeOrdering: str(r['write-ordering']),
      devices: arr(r['devices']).map((d) => ({
        volume: num(d['volume']),
        minor: num(d['minor']),
        diskState: str(d['disk-state']),
        client: bool(d['client']),
        quorum: bool(d['quorum']),
        sizeKiB: num(d['size']),
      })),
      connections: arr(r['connections']).map((c) => ({
        peerNodeId: num(c['peer-node-id']),
        name: str(c['name']),
        connectionState: str(c['connection-state']),
        peerRole: str(c['peer-role']),
        congested: bool(c['congested']),
        peerDevices: arr(c['peer_devices'] ?? c['peer-devices']).map((p) => ({
          volume: num(p['volume']),
          replicationState: str(p['replication-state']),
          peerDiskState: str(p['peer-disk-state']),
          peerClient: bool(p['peer-client']),
          resyncSuspended: str(p['resync-suspended']),
          outOfSyncKiB: num(p['out-of-sync']),
          percentInSync: num(p['percent-in-sync']),
        })),
      })),
    })),
  }
}

export const drbd = defineGatherer<Drbd>({
  id: 'drbd',
  description: 'DRBD resources, roles, connections and replication state (drbdsetup status --json)',
  script: 'drbdsetup status --json',
  requires: ['drbdsetup'],
  parse: (out) => parseDrbdStatus(out.stdout),
})
