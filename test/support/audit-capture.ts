/** `hacheck audit --from DIR --only …` in-process, for tests judging checks on real captures. */
import {loadChecklist, planFromChecklist} from '../../src/audit/checklist.js'
import {runAudit} from '../../src/audit/run.js'
import {CaptureFactSource} from '../../src/audit/sources.js'
import {catalog} from '../../src/checks/index.js'
import type {AuditRun} from '../../src/core/results.js'
import type {Inventory} from '../../src/core/types.js'

/** Audits a capture directory; `edit` changes the captured inventory (the facts stay the real ones). */
export async function auditCaptureDir(
  dir: string,
  only: string[],
  edit?: (inv: Inventory) => Inventory,
): Promise<AuditRun> {
  const source = await CaptureFactSource.open(dir)
  const checks = catalog()
  const checklist = await loadChecklist('ha-baseline', checks)
  const inventory = edit ? edit(source.inventory()) : source.inventory()
  const {run} = await runAudit({
    inventory,
    checklist,
    planned: planFromChecklist(checklist, checks, {only}),
    source,
    sourceInfo: {mode: 'capture', capture: dir},
    concurrency: 4,
    version: 'test',
    history: [],
    now: source.capturedAt(),
  })
  return run
}
