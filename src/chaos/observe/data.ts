/**
 * What a data-tier experiment observes of the store besides its clients (pure parts): each node's state
 * polled during the run (a change carries the window it must lie in: previous poll begun .. this poll
 * ended), and the failover phases the system's own log records. One SystemObserver per system (Galera
 * here; Patroni and etcd plug in the same way).
 */

export interface PhaseEvent {
  /** Epoch ms: the poll's end, or the log line's time. */
  t: number
  node: string
  system: string
  /** What changed, in the system's words ("Primary → non-Primary, size 1", "view 5: non-Primary, 1 node"). */
  what: string
  source: 'poll' | 'log'
  /** poll: the change happened after this (the previous poll's start). */
  notBefore?: number
  /** log: the line's timestamp resolution in ms (MariaDB's error log: 1000). */
  resolutionMs?: number
}

export interface SystemObserver {
  system: string
  /** Read-only node script printing the node's state; its one-line summary is compared poll to poll. */
  pollScript: string
  /** The state as one line, or undefined when the output says nothing usable (server down: "down"). */
  parsePoll(stdout: string, exitCode: number | null): string
  /** Read-only node script printing the system's log lines since epoch second `sinceS`. */
  logScript(sinceS: number): string
  /** The failover phases in those lines. */
  parseLog(node: string, text: string): PhaseEvent[]
}

/** Turns successive poll states of one node into change events. */
export function pollChanges(
  system: string,
  node: string,
  polls: readonly {started: number; ended: number; state: string}[],
): PhaseEvent[] {
  const out: PhaseEvent[] = []
  for (let i = 1; i < polls.length; i++) {
    const prev = polls[i - 1]
    const cur = polls[i]
    if (!prev || !cur || prev.state === cur.state) continue
    out.push({
      t: cur.ended,
      node,
      system,
      what: `${prev.state} → ${cur.state}`,
      source: 'poll',
      notBefore: prev.started,
    })
  }
  return out
}
