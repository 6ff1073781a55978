/**
 * Crash points, for the interrupt matrix (test/integration/chaos/interrupt.test.ts
 * and the namespace tests): `HACHECK_CHAOS_CRASH_AT=POINT[:SIGNAL]` makes hacheck
 * send itself SIGNAL (KILL by default; INT, TERM) at the moment the run
 * reaches POINT, so that a test can interrupt a run exactly at each phase
 * boundary and check that nothing is left behind. Unset (always, outside
 * tests), it does nothing.
 */
export const CRASH_POINTS = [
  'before-ledger',
  'ledger-written',
  'deadman-armed',
  'injected',
  'verified',
  'holding',
  'reverting',
  'reverted',
  'deadman-cancelled',
  'ledger-removed',
] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]

export function crashPoint(point: CrashPoint, env: NodeJS.ProcessEnv = process.env): void {
  const want = env.HACHECK_CHAOS_CRASH_AT
  if (!want) return
  const [at, signal = 'KILL'] = want.split(':')
  if (at !== point) return
  process.kill(process.pid, `SIG${signal.toUpperCase().replace(/^SIG/, '')}` as NodeJS.Signals)
}
