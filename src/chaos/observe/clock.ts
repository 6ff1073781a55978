/**
 * Node clock vs controller clock. The node prints `date +%s.%N`; the reading
 * is assumed to be taken half-way through the round trip (NTP's assumption),
 * and the sample with the smallest round trip wins (least queueing noise).
 * offset = node − controller, in ms: controllerT = nodeT − offset.
 */
import type {CommandRunner, NodeSpec} from '../../core/types.js'
import {now} from '../timeline.js'

export interface ClockSample {
  sentT: number
  receivedT: number
  nodeT: number
}

export interface ClockOffset {
  offsetMs: number
  /** Round trip of the sample used; the offset is known to ± rtt/2. */
  rttMs: number
  samples: number
}

export function estimateOffset(samples: readonly ClockSample[]): ClockOffset | undefined {
  if (samples.length === 0) return undefined
  const best = [...samples].sort((a, b) => a.receivedT - a.sentT - (b.receivedT - b.sentT))[0] as ClockSample
  const rtt = best.receivedT - best.sentT
  return {offsetMs: best.nodeT - (best.sentT + rtt / 2), rttMs: rtt, samples: samples.length}
}

export async function measureOffset(
  runner: CommandRunner,
  node: NodeSpec,
  count = 5,
  abort?: AbortSignal,
): Promise<ClockOffset | undefined> {
  const samples: ClockSample[] = []
  for (let i = 0; i < count; i++) {
    const sentT = now()
    try {
      const r = await runner.run(node, {argv: ['date', '+%s.%N'], timeoutMs: 5000}, abort)
      const receivedT = now()
      const v = Number(r.stdout.trim())
      if (r.exitCode === 0 && Number.isFinite(v)) samples.push({sentT, receivedT, nodeT: v * 1000})
    } catch {
      // unreachable: skip this sample
    }
  }
  return estimateOffset(samples)
}
