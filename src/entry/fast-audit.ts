/**
 * The start-up fast path of `hacheck audit` (bin/run.js takes it when the first
 * word is `audit`): the audit's own flag declarations (src/entry/audit-cli.ts, the
 * common flags of src/cli/flags.ts) parsed by oclif's own parser, then the very
 * same run as the oclif command (src/commands/audit.ts), without importing
 * @oclif/core's command machinery: its import and configuration cost ~0.1 s of
 * CPU per run, the largest part of what an audit of 50 nodes spends above the
 * raw ssh2 floor (docs/performance.md, "Start-up"). The build bundles this file
 * with oclif's parser in it (scripts/bundle.ts).
 *
 * It only runs a command line it accepts as it is. Anything else is left to
 * oclif (it returns false before it has done anything): help (-h, --help), a
 * config file in force (reading one needs every command's flags from oclif's
 * manifest), and any command line the parser refuses, so that a bad flag gets
 * oclif's very message and exit code.
 */
import * as Flags from '@oclif/core/flags'
import {parse} from '@oclif/core/parser'
import {readFileSync} from 'node:fs'

import {
  jsonFormatMode,
  printHacheckError,
  printUsageErrorJson,
  startRunLog,
  toCliError,
} from '../cli/command-run.js'
import {configFileFor} from '../cli/config.js'
import {commonFlags} from '../cli/flags.js'
import {auditFlags, runAuditCli} from './audit-cli.js'
import {HacheckError} from '../core/errors.js'
import {visibleText} from '../core/sanitize.js'

/** oclif's --json flag, which its Command.parse adds to a command with enableJsonFlag (as BaseCommand has). */
const jsonFlag = Flags.boolean({description: 'Format output as json.', helpGroup: 'GLOBAL'})

/** The flags of `hacheck audit` as oclif parses them: --json, the common flags, the audit's (no help flag). */
export const fastAuditFlags = {json: jsonFlag, ...commonFlags, ...auditFlags}

/** Whether the fast path may try this command line (the words after `audit`) at all. */
export function fastPathApplies(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  // oclif shows help for -h or --help anywhere before `--` (main.ts helpAddition; -h is additionalHelpFlags).
  for (const a of argv) {
    if (a === '--') break
    if (a === '--help' || a === '-h') return false
  }
  return configFileFor(argv, env) === undefined
}

/** oclif's Command.jsonEnabled(): --json before any `--`, or $HACHECK_CONTENT_TYPE=json. */
export function jsonFlagEnabled(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env.HACHECK_CONTENT_TYPE?.toLowerCase() === 'json') return true
  const end = argv.indexOf('--')
  const json = argv.indexOf('--json')
  return json !== -1 && (end === -1 || json < end)
}

/** The flags of the command line, or undefined when oclif's parser refuses it (oclif will say why). */
export async function parseFastAudit(argv: readonly string[]) {
  try {
    const {flags} = await parse([...argv], {
      flags: fastAuditFlags,
      args: {},
      strict: true,
      context: undefined,
    })
    return flags
  } catch {
    return undefined
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

/**
 * Runs `hacheck audit ARGV` if the fast path takes it; false (nothing done, nothing printed) when oclif
 * must run it instead.
 */
export async function runFastAudit(argv: readonly string[], env = process.env): Promise<boolean> {
  if (!fastPathApplies(argv, env)) return false
  const flags = await parseFastAudit(argv)
  if (!flags) return false
  const json = jsonFormatMode(flags, true) || jsonFlagEnabled(argv, env)
  // As @oclif/core's command module does: a reader that closes stdout early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return
    throw err
  })
  try {
    startRunLog('audit', argv, flags, undefined)
    const result = await runAuditCli(flags, {
      json,
      chatty: !flags.quiet && !json,
      color: !flags['no-color'] && !env.NO_COLOR && process.stdout.isTTY === true,
      version: version(),
    })
    if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } catch (err) {
    await fail(err as Error, json)
  }
  return true
}

/** What BaseCommand.catch and oclif's handler do with an error of the run. */
async function fail(err: Error, json: boolean): Promise<void> {
  if (process.env.HACHECK_DEBUG === '1') console.error(err.stack)
  // The sanitising boundary for messages: they quote files and node output (docs/untrusted-input.md).
  err.message = visibleText(err.message)
  if (err instanceof HacheckError) {
    printHacheckError(err, json)
    return
  }
  // A bug: printed by oclif's own handler, loaded only now.
  const {Errors} = await import('@oclif/core')
  const cli = toCliError(err, Errors)
  if (json) {
    printUsageErrorJson(cli)
    return
  }
  process.exitCode = process.exitCode ?? (cli as {exitCode?: number}).exitCode ?? 1
  await Errors.handle(cli)
}
