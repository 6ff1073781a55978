import type {AuditRun} from '../../../src/core/results.js'
import {runCliJson} from '../../support/cli.js'

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
  return runCliJson<AuditRun>(
    ['audit', '-i', inventory, '--format', 'json', '-q', '--log-file', 'none', ...extra],
    {...process.env, ...env},
  )
}
