/**
 * galera-partition: cut a minority of the Galera nodes off from the others (iptables chain HACHECK on every
 * Galera node, the controller's SSH path exempted, exactly as `partition`), so that the group communication
 * splits while clients on the controller still reach every node. A correct cluster keeps the majority
 * Primary and turns the minority non-Primary: it refuses reads and writes (ERROR 1047) until the cut is
 * removed and it rejoins (IST). Nothing is fenced: Galera has no fencing, its quorum is the protection.
 */
import type {PlanResult} from '../../plan/types.js'
import {planPartition, type PartitionSpec} from '../partition.js'
import type {PlanInput} from './common.js'

/** Inventory roles of the Galera cluster's members (garbd arbitrators vote too). */
export const GALERA_MEMBER_ROLES = ['galera', 'garbd'] as const

export function planGaleraPartition(input: PlanInput, minority?: string): PlanResult {
  const spec: PartitionSpec = {kind: 'majority', ...(minority !== undefined ? {node: minority} : {})}
  const r = planPartition(input, {spec, memberRoles: GALERA_MEMBER_ROLES})
  if (!r.ok) return r
  const cut = r.plan.targets
  return {
    ok: true,
    plan: {
      ...r.plan,
      summary: `Galera: cut ${cut.join(', ')} off from the other members for ${Math.round(input.holdMs / 1000)} s`,
      notes: [
        `${cut.join(', ')} must turn non-Primary and refuse writes; the others keep the primary component (no fencing: Galera's quorum is the protection)`,
      ],
      expectFenced: [],
      defaultExpectations: ['no-split-brain', 'recovered'],
    },
  }
}
