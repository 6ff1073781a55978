/**
 * Runs a hacheck command from the sources (for unit tests; cli.ts runs the
 * built CLI for the integration tests), as a user would type it
 * (`hacheck(['report', 'render', FILE])`), in a child process: the command
 * class is loaded by test/integration/chaos/launch.ts through tsx, because
 * bin/run.js would load dist/ (stale until the next build). Errors are
 * printed and mapped to exit codes by oclif's own handler, as in the real CLI.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {execa} from 'execa'

import {repoRoot} from './paths.js'

export interface CliResult {
  /** Exit code; -1 when the process was killed (see `timedOut`). */
  code: number
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface CliOptions {
  cwd?: string
  /** Added to the environment (undefined removes a variable). */
  env?: Record<string, string | undefined>
  timeoutMs?: number
  /** Written to stdin; stdin is closed (ignore) otherwise. */
  input?: string
}

/** `['report', 'render', …]` → the command id `report/render` and its arguments; `['audit', …]` → `audit`. */
export function commandOf(args: readonly string[]): {id: string; argv: string[]} {
  const [first = '', second = '', ...rest] = args
  const commands = join(repoRoot, 'src', 'commands')
  if (first.includes('/')) return {id: first, argv: args.slice(1)}
  if (second !== '' && !second.startsWith('-') && existsSync(join(commands, first, `${second}.ts`)))
    return {id: `${first}/${second}`, argv: rest}
  return {id: first, argv: args.slice(1)}
}

// Resolved here: the child may run in another directory (cwd), where `tsx` alone is not found.
const TSX = import.meta.resolve('tsx')

export async function hacheck(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const {id, argv} = commandOf(args)
  const r = await execa(
    process.execPath,
    ['--import', TSX, join(repoRoot, 'test', 'integration', 'chaos', 'launch.ts'), id, ...argv],
    {
      reject: false,
      cwd: opts.cwd ?? repoRoot,
      env: {HACHECK_DEBUG: undefined, ...opts.env},
      ...(opts.input === undefined ? {stdin: 'ignore' as const} : {input: opts.input}),
      timeout: opts.timeoutMs ?? 60_000,
    },
  )
  return {
    code: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    timedOut: Boolean(r.timedOut),
  }
}
