/**
 * An audit of one of the lab captures in examples/ (verbatim outputs of the
 * real tools, replayed through the same path as a live audit), optionally
 * under another cluster name and start time: real runs for tests of what
 * consumes runs (history, trend, metrics).
 */
import {join} from 'node:path'

import {loadChecklist, planFromChecklist} from '../../src/audit/checklist.js'
import {runAudit} from '../../src/audit/run.js'
import {CaptureFactSource} from '../../src/audit/sources.js'
import {catalog} from '../../src/checks/index.js'
import type {AuditRun} from '../../src/core/results.js'
import {repoRoot} from './paths.js'

export async function auditCapture(
  name: string,
  opts: {
    cluster?: string
    at?: string
    /** As `audit --from` does: with the chaos history the capture carries, judged as of its capture time. */
    asCommand?: boolean
  } = {},
): Promise<AuditRun> {
  const source = await CaptureFactSource.open(join(repoRoot, 'examples', name))
  const checks = catalog()
  const checklist = await loadChecklist('ha-baseline', checks)
  const inv = source.inventory()
  const {run} = await runAudit({
    inventory: opts.cluster ? {...inv, cluster: {...inv.cluster, name: opts.cluster}} : inv,
    checklist,
    planned: planFromChecklist(checklist, checks),
    source,
    sourceInfo: {mode: 'capture', capture: name},
    concurrency: 4,
    version: 'test',
    ...(opts.at ? {now: new Date(opts.at)} : {}),
    ...(opts.asCommand ? {history: await source.history(), now: source.capturedAt()} : {}),
  })
  if (!opts.at) return run
  return {...run, startedAt: opts.at, finishedAt: new Date(Date.parse(opts.at) + 1000).toISOString()}
}
