/**
 * Reading a daemon's own log on several nodes after a run (keepalived on the LBs, Sentinel on the session
 * nodes): one script per node, its output split into the node's year, UTC offset and text, turned into
 * phase events by the daemon's pure parser with the node's clock offset. A node that does not answer (its
 * link pulled, powered off) is left out: its log is not read.
 */
import type {CommandRunner, NodeSpec} from '../../core/types.js'
import {parseReadLog} from '../../facts/pacemaker-log.js'
import type {ClockOffset} from './clock.js'
import type {ClusterEvent} from '../timeline.js'

export interface NodeLog {
  node: string
  year: number
  tzOffsetMin: number
  /** Node clock − controller clock (ms). */
  offsetMs: number
  text: string
}

export async function readDaemonLogs(
  runner: CommandRunner,
  nodes: readonly NodeSpec[],
  offsets: ReadonlyMap<string, ClockOffset>,
  script: string,
  toEvents: (log: NodeLog) => ClusterEvent[],
): Promise<ClusterEvent[]> {
  const events: ClusterEvent[] = []
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const r = await runner.run(n, {script, sudo: true, timeoutMs: 20_000})
        if (r.exitCode !== 0) return
        const {year, tzOffsetMin, text} = parseReadLog(r.stdout)
        events.push(
          ...toEvents({node: n.name, year, tzOffsetMin, offsetMs: offsets.get(n.name)?.offsetMs ?? 0, text}),
        )
      } catch {
        // unreachable: its log is not read
      }
    }),
  )
  return events.sort((a, b) => a.t - b.t)
}
