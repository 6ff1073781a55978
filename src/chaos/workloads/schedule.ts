/**
 * The open-loop schedule every workload runs on: operation i (1, 2, …) starts at start + (i-1)/rate,
 * whether or not earlier ones have finished, so a stalled service cannot slow the load down and hide its
 * own outage (a closed-loop client under-samples exactly the outage).
 */

export interface RunningWorkload {
  /** Stops firing new probes and waits for the outstanding ones. */
  stop(): Promise<void>
  sent(): number
}

/**
 * The open-loop schedule: task i (1, 2, …) starts at start + (i-1)/rate, whether or not earlier
 * ones have finished. `stop` fires no more and waits for the outstanding ones.
 */
export function fixedRate(ratePerS: number, task: (i: number) => Promise<void>): RunningWorkload {
  const intervalMs = 1000 / ratePerS
  const start = performance.now()
  const outstanding = new Set<Promise<void>>()
  let i = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const fire = (): void => {
    if (stopped) return
    i++
    const p = task(i)
    outstanding.add(p)
    void p.finally(() => outstanding.delete(p))
    timer = setTimeout(fire, Math.max(0, start + i * intervalMs - performance.now()))
  }
  fire()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await Promise.allSettled([...outstanding])
    },
    sent: () => i,
  }
}
