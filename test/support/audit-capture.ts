/** The audit of a capture in examples/ (no SSH), as the tests of reporters and waivers start from it. */
import {join} from 'node:path'

import {loadChecklist, planFromChecklist} from '../../src/audit/checklist.js'
import {runAudit} from '../../src/audit/run.js'
import {CaptureFactSource} from '../../src/audit/sources.js'
import {catalog} from '../../src/checks/index.js'
import type {AuditRun} from '../../src/core/results.js'
import {repoRoot} from './paths.js'

export async function auditCapture(name: string): Promise<AuditRun> {
  const source = await CaptureFactSource.open(join(repoRoot, 'examples', name))
  const checks = catalog()
  const checklist = await loadChecklist('ha-baseline', checks)
  const {run} = await runAudit({
    inventory: source.inventory(),
    checklist,
    planned: planFromChecklist(checklist, checks),
    source,
    sourceInfo: {mode: 'capture', capture: `examples/${name}`},
    concurrency: 4,
    version: 'test',
  })
  return run
}
