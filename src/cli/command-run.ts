/**
 * What every hacheck command does around its run, without @oclif/core's
 * runtime: BaseCommand (the oclif path) and the audit start-up fast path
 * (src/entry/fast-audit.ts) both do it through these functions, so that a
 * command behaves the same whichever way it was started.
 */
import type {Errors} from '@oclif/core'

import type {HacheckConfig} from './config.js'
import {createLogger, log, type LogLevel} from './logger.js'
import type {HacheckError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {visibleText} from '../core/sanitize.js'

type OclifErrors = typeof Errors

/** The common flags this file reads (src/cli/flags.ts). */
export interface RunFlags {
  format?: string | string[]
  output?: string | string[]
  'log-file'?: string
  /** One of LOG_LEVELS (the flag's options). */
  'log-level'?: string
  verbose?: boolean
}

/**
 * A lone `--format json` is JSON mode (the same as --json); `--format json -o a.json` of a command that
 * pairs its formats with files (audit, `ownsOutput`) is one file, not JSON mode.
 */
export function jsonFormatMode(flags: RunFlags, ownsOutput: boolean): boolean {
  const formats = flags.format === undefined ? [] : [flags.format].flat()
  const outputs = flags.output === undefined ? [] : [flags.output].flat()
  const paired = ownsOutput && outputs.length > 0 && Array.isArray(flags.format)
  return formats.length === 1 && formats[0] === 'json' && !paired
}

/**
 * Starts the log of a run: the log file (or none), then one record of what was asked: the command, its
 * arguments and the config file in force. A URL's password is masked. `(?<!\w)`: a scheme starts only
 * where a word starts (without it, a 100 kB argument of letters took 9 s: each position tried the whole
 * word again).
 */
export function startRunLog(
  id: string,
  argv: readonly string[],
  flags: RunFlags,
  settings: HacheckConfig | undefined,
): void {
  const logFile = flags['log-file']
  createLogger({
    file: logFile === 'none' ? false : logFile,
    verbose: flags.verbose,
    level: flags['log-level'] as LogLevel | undefined,
  })
  const argvLogged = argv.map((a) => a.replace(/(?<!\w)(\w+:\/\/[^/:@\s]*):[^@\s/]*@/g, '$1:***@'))
  const cmd = id.replace(/:/g, ' ')
  log().info({cmd, argv: argvLogged, ...(settings ? {config: settings.file} : {})}, `hacheck ${cmd}`)
}

/**
 * An operator's error (HacheckError): its message, one line per problem, and its hints, on stderr, or the
 * JSON error document on stdout in JSON mode; sets the exit code. Printed as is: oclif's pretty printer
 * would re-wrap the one-line-per-problem messages. The message must already be sanitised.
 */
export function printHacheckError(err: HacheckError, json: boolean, configHint?: string): void {
  process.exitCode = err.exit
  const actions = (configHint ? [...err.actions, configHint] : err.actions).map(visibleText)
  if (json) {
    const body = {error: {code: err.code, message: err.message, actions, exit: err.exit}}
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
  } else {
    process.stderr.write(`${err.message.replace(/^/gm, 'error: ')}\n`)
    for (const a of actions) process.stderr.write(`hint: ${a}\n`)
  }
}

/**
 * Any other error as oclif prints it (its handler, or printUsageErrorJson): oclif's own parse and usage
 * errors keep their exit code (2) and message; anything else is a bug, said so, exit 3. `Errors` is
 * @oclif/core's, passed in: the fast path loads it only when it gets here.
 */
export function toCliError(
  err: Error & {oclif?: {exit?: number}},
  Errors: OclifErrors,
  configHint?: string,
): Errors.CLIError {
  let cli: Errors.CLIError
  if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) {
    // oclif parse/usage errors already carry exit 2 and a readable message.
    cli = err as Errors.CLIError
    if (err.oclif?.exit === undefined) (cli as {oclif: {exit: number}}).oclif = {exit: ExitCode.incomplete}
    if (configHint) cli.message += `\n${configHint}`
  } else {
    cli = new Errors.CLIError(
      `internal error: ${err.message} (run with HACHECK_DEBUG=1 for the stack trace)`,
      {exit: ExitCode.incomplete},
    )
  }
  // oclif/core#1423: in --json mode catch() ignores err.oclif.exit; copy it into exitCode.
  ;(cli as {exitCode?: number}).exitCode = cli.oclif.exit
  return cli
}

/** toCliError's error in JSON mode: the JSON error document on stdout, and its exit code. */
export function printUsageErrorJson(cli: Errors.CLIError): void {
  process.exitCode = cli.oclif.exit
  const body = {error: {code: 'usage', message: cli.message, actions: [], exit: cli.oclif.exit}}
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
}
