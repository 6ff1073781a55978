/**
 * SIGINT/SIGTERM during a run: the first one aborts the hold and reverts at
 * once (the run ends `aborted`); the second prints the manual revert commands
 * from the ledger; the third exits at once and leaves the rest to the dead-men.
 */
import {manualRevert, type LedgerEntry} from '../safety/ledger.js'

export interface SignalGuard {
  /** Fires on the first signal. */
  signal: AbortSignal
  /** Told every time the ledger changes, for the manual commands of a second signal. */
  onLedger(entry: LedgerEntry | undefined): void
  /** Reverts now as the first signal would (e.g. the chaos lease was lost). */
  abort(): void
  release(): void
}

export function guardSignals(write: (s: string) => void = (s) => process.stderr.write(s)): SignalGuard {
  const ac = new AbortController()
  let ledger: LedgerEntry | undefined
  let signals = 0
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++
    if (signals === 1) {
      write(`\nhacheck chaos: ${sig}: reverting the fault now (again to print the manual revert commands)\n`)
      ac.abort()
    } else if (signals === 2) {
      write(`\nhacheck chaos: still reverting. If you must stop hacheck, undo the fault by hand:\n\n`)
      for (const c of ledger ? manualRevert(ledger) : ['# nothing is in place (no ledger)']) write(`${c}\n\n`)
      write('(a third signal exits at once; the dead-man timers then revert on their own)\n')
    } else {
      process.exit(3)
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: ac.signal,
    onLedger: (e) => {
      ledger = e
    },
    abort: () => ac.abort(),
    release: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
