/**
 * Process exit codes. They are part of hacheck's contract with CI pipelines,
 * so they never change meaning. Documented in README.md and in `--help`.
 */
export const ExitCode = {
  /** Everything ran and every result passed (warn and skip do not fail a run). */
  ok: 0,
  /** The run completed and at least one result is `fail` (audit) or an expectation failed (chaos). */
  findingsFailed: 1,
  /** The input was invalid: bad flags, unreadable or malformed inventory/checklist/game-day file. */
  invalidInput: 2,
  /** hacheck could not complete: unreachable nodes, timeouts, a result in `error`, or an internal error. */
  incomplete: 3,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODES_HELP = `EXIT CODES
  0  success: every result passed (warn/skip do not fail)
  1  findings failed: at least one check or expectation failed
  2  invalid input or usage: bad flags, inventory, checklist or game-day file
  3  could not complete: unreachable node, timeout, a result in error, internal error`
