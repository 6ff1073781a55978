import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * An error meant for the operator: a one-line message, optional follow-up lines
 * (`actions`) and a stable exit code. Commands print these without a stack trace.
 */
export class HacheckError extends Error {
  readonly exit: ExitCodeValue
  readonly code: string
  readonly actions: string[]

  constructor(
    message: string,
    opts: {code: string; exit: ExitCodeValue; actions?: string[]; cause?: unknown},
  ) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'HacheckError'
    this.exit = opts.exit
    this.code = opts.code
    this.actions = opts.actions ?? []
  }
}

/** Invalid input: a file, flag or value the operator must fix (exit 2). */
export class InputError extends HacheckError {
  constructor(message: string, opts: {code?: string; actions?: string[]; cause?: unknown} = {}) {
    super(message, {
      code: opts.code ?? 'invalid-input',
      exit: ExitCode.invalidInput,
      actions: opts.actions,
      cause: opts.cause,
    })
    this.name = 'InputError'
  }
}

/** hacheck could not complete what was asked (exit 3): unreachable, timeout, environment. */
export class IncompleteError extends HacheckError {
  constructor(message: string, opts: {code?: string; actions?: string[]; cause?: unknown} = {}) {
    super(message, {
      code: opts.code ?? 'incomplete',
      exit: ExitCode.incomplete,
      actions: opts.actions,
      cause: opts.cause,
    })
    this.name = 'IncompleteError'
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
