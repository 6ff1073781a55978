/**
 * The configuration in force during a chaos run: what decides how fast the
 * cluster can fail over (Corosync token and consensus, the fencing settings
 * and devices) next to the objectives it is judged against. Read once before
 * the fault from the CIB of a healthy node; pure here. Secrets never appear:
 * only named, non-secret parameters are kept.
 */
import type {Cib} from '../../facts/cibadmin.js'
import type {TotemTimings as Totem} from '../../facts/corosync-cmapctl.js'

export interface FenceDeviceConfig {
  id: string
  agent?: string
  /** Nodes it fences (pcmk_host_list, pcmk_host_map, agent targets). */
  targets?: string[]
  delayBase?: string
  delayMax?: string
  powerWait?: string
  rebootTimeout?: string
  disabled: boolean
}

export interface ConfigInForce {
  /** The node whose CIB was read. */
  readFrom?: string
  corosync: {tokenMs?: number; consensusMs?: number; tokenCoefficientMs?: number}
  pacemaker: {
    stonithEnabled?: boolean
    /** As written; Pacemaker's default (60s) when unset. */
    stonithTimeout?: string
    noQuorumPolicy?: string
    priorityFencingDelay?: string
    stonithWatchdogTimeout?: string
  }
  fenceDevices: FenceDeviceConfig[]
  objectives: {rtoMs?: number; rpoMs?: number}
}

export function configInForce(
  cib: Cib | undefined,
  totem: Totem | undefined,
  objectives: {rtoMs?: number; rpoMs?: number},
  readFrom?: string,
): ConfigInForce {
  const o = cib?.cluster
  return {
    ...(readFrom ? {readFrom} : {}),
    corosync: {
      ...(totem?.tokenMs !== undefined ? {tokenMs: totem.tokenMs} : {}),
      ...(totem?.consensusMs !== undefined ? {consensusMs: totem.consensusMs} : {}),
      ...(totem?.tokenCoefficientMs !== undefined ? {tokenCoefficientMs: totem.tokenCoefficientMs} : {}),
    },
    pacemaker: o
      ? {
          stonithEnabled: o.stonithEnabled,
          stonithTimeout: o.stonithTimeout ?? '60s (default)',
          ...(o.noQuorumPolicy ? {noQuorumPolicy: o.noQuorumPolicy} : {}),
          ...(o.priorityFencingDelay ? {priorityFencingDelay: o.priorityFencingDelay} : {}),
          ...(o.stonithWatchdogTimeout ? {stonithWatchdogTimeout: o.stonithWatchdogTimeout} : {}),
        }
      : {},
    fenceDevices: (cib?.stonithDevices ?? []).map((d) => ({
      id: d.id,
      ...(d.agent ? {agent: d.agent} : {}),
      ...(d.targets ? {targets: d.targets} : {}),
      ...(d.delayBase ? {delayBase: d.delayBase} : {}),
      ...(d.delayMax ? {delayMax: d.delayMax} : {}),
      ...(d.params.power_wait ? {powerWait: d.params.power_wait} : {}),
      ...(d.params.pcmk_reboot_timeout ? {rebootTimeout: d.params.pcmk_reboot_timeout} : {}),
      disabled: d.disabled,
    })),
    objectives: {...objectives},
  }
}
