/**
 * The timings a fence of one node adds to a failover, read from the CIB (the
 * one CIB parser, src/facts/cibadmin.ts): the device covering the node, its
 * pcmk_delay_base, and the pause of a reboot between off and on (power_wait;
 * fence_ipmilan waits 2 s by default). Pure.
 */
import type {Cib} from '../../facts/cibadmin.js'

export interface FenceTiming {
  device?: string
  agent?: string
  delayBaseMs?: number
  /** The pause of a reboot-style fence between off and on (power_wait), when known. */
  actionMs?: number
}

function secondsParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim())
  if (!m) return undefined
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000
}

export function fenceTimingFor(cib: Cib, node: string): FenceTiming {
  const d = cib.stonithDevices.find((x) => !x.disabled && x.targets?.includes(node))
  if (!d) return {}
  const agent = d.type ?? d.agent
  const powerWait = secondsParam(d.params['power_wait'])
  const t: FenceTiming = {device: d.id}
  if (agent !== undefined) t.agent = agent
  const delay = secondsParam(d.delayBase ?? d.params['pcmk_delay_base'])
  if (delay !== undefined) t.delayBaseMs = delay
  const action = powerWait ?? (agent === 'fence_ipmilan' ? 2000 : undefined)
  if (action !== undefined) t.actionMs = action
  return t
}
