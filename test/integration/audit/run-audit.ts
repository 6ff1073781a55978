import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type {AuditRun} from '../../../src/core/results.js'
import {repoRoot} from '../../support/paths.js'

const run = promisify(execFile)

/** Runs `hacheck audit -i INV --format json` as an operator would (the built CLI); returns exit code and report. */
export async function audit(
  inventory: string,
  ...extra: string[]
): Promise<{code: number; report: AuditRun; stderr: string}> {
  return auditWith({}, inventory, ...extra)
}

/** The same, with extra environment (e.g. XDG_STATE_HOME holding a chaos run history). */
export async function auditWith(
  env: Record<string, string>,
  inventory: string,
  ...extra: string[]
): Promise<{code: number; report: AuditRun; stderr: string}> {
  const argv = [
    join(repoRoot, 'bin', 'run.js'),
    'audit',
    '-i',
    inventory,
    '--format',
    'json',
    '-q',
    '--log-file',
    'none',
    ...extra,
  ]
  try {
    const r = await run('node', argv, {maxBuffer: 64 * 1024 * 1024, env: {...process.env, ...env}})
    return {code: 0, report: JSON.parse(r.stdout) as AuditRun, stderr: r.stderr}
  } catch (err) {
    const e = err as {code?: number; stdout?: string; stderr?: string}
    if (typeof e.code !== 'number' || !e.stdout) throw err
    return {code: e.code, report: JSON.parse(e.stdout) as AuditRun, stderr: e.stderr ?? ''}
  }
}
