/**
 * The hacheck CLI run as an operator runs it, for the integration tests: the built CLI (`node bin/run.js`),
 * where a non-zero exit is a result (its code, stdout and stderr) and not a rejection, and the JSON report a
 * run printed with --format json (the same for `hacheck chaos` run from the sources, chaos/helpers.ts).
 */
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {repoRoot} from './paths.js'

const run = promisify(execFile)

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** `node bin/run.js ARGS` with env (default: this process's); rejects only when the CLI could not run. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  maxBuffer = 64 * 1024 * 1024,
): Promise<CliRun> {
  try {
    const r = await run('node', [join(repoRoot, 'bin', 'run.js'), ...args], {env, maxBuffer})
    return {code: 0, stdout: r.stdout, stderr: r.stderr}
  } catch (err) {
    const e = err as {code?: unknown; stdout?: string; stderr?: string}
    if (typeof e.code !== 'number') throw err
    return {code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? ''}
  }
}

/** The JSON report on a run's stdout; a run that printed none throws, with what it said on stderr. */
export function jsonReport<T>(r: {stdout: string; stderr: string}, what = 'hacheck'): T {
  if (!r.stdout.trimStart().startsWith('{'))
    throw new Error(`${what} printed no JSON report; stderr: ${r.stderr.trim() || '(empty)'}`)
  return JSON.parse(r.stdout) as T
}

/** runCli, then its JSON report. */
export async function runCliJson<T>(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  maxBuffer?: number,
): Promise<{code: number; report: T; stderr: string}> {
  const r = await runCli(args, env, maxBuffer)
  return {code: r.code, report: jsonReport<T>(r, `hacheck ${args.slice(0, 2).join(' ')}`), stderr: r.stderr}
}
