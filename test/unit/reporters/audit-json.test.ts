import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadChecklist, planFromChecklist} from '../../../src/audit/checklist.js'
import {runAudit} from '../../../src/audit/run.js'
import {CaptureFactSource} from '../../../src/audit/sources.js'
import {catalog} from '../../../src/checks/index.js'
import type {AuditRun} from '../../../src/core/results.js'
import {renderAudit} from '../../../src/reporters/index.js'
import {auditJsonChunks, writeAuditJson} from '../../../src/reporters/json.js'
import {fixturesDir, repoRoot} from '../../support/paths.js'

async function auditCapture(dir: string): Promise<AuditRun> {
  const source = await CaptureFactSource.open(dir)
  const checks = catalog()
  const checklist = await loadChecklist('ha-baseline', checks)
  const {run} = await runAudit({
    inventory: source.inventory(),
    checklist,
    planned: planFromChecklist(checklist, checks),
    source,
    sourceInfo: {mode: 'capture', capture: dir},
    concurrency: 4,
    version: 'test',
    history: await source.history(),
    now: source.capturedAt(),
  })
  return run
}

describe('JSON report written in pieces', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hacheck-json-'))
  afterAll(() => rmSync(tmp, {recursive: true, force: true}))
  const examples = join(repoRoot, 'examples')

  it('is byte for byte the JSON report of every example capture', async () => {
    const captures = readdirSync(examples).filter((d) => d.startsWith('lab-'))
    expect(captures.length).toBeGreaterThan(0)
    for (const c of captures) {
      const run = await auditCapture(join(examples, c))
      expect([...auditJsonChunks(run)].join(''), c).toBe(
        renderAudit('json', run, {color: false, itemTitles: {}}),
      )
    }
  })

  it('is byte for byte the JSON report of a saved run, and of a run without results', () => {
    const run = JSON.parse(readFileSync(join(fixturesDir, 'reports', 'audit-run.json'), 'utf8')) as AuditRun
    for (const r of [run, {...run, results: []}]) {
      expect([...auditJsonChunks(r)].join('')).toBe(JSON.stringify(r, null, 2) + '\n')
    }
  })

  it('is byte for byte the JSON report whatever the number of results', async () => {
    const run = await auditCapture(join(examples, 'lab-healthy'))
    for (const n of [1, 99, 100, 101, 250]) {
      const results = Array.from(
        {length: n},
        (_, i) => run.results[i % run.results.length] as AuditRun['results'][number],
      )
      const big = {...run, results}
      expect([...auditJsonChunks(big)].join(''), `${n} results`).toBe(JSON.stringify(big, null, 2) + '\n')
    }
  })

  it('writes the same bytes to a file, replacing what was there', async () => {
    const run = await auditCapture(join(examples, 'lab-healthy'))
    const file = join(tmp, 'audit.json')
    await writeAuditJson(file, {...run, results: [...run.results, ...run.results, ...run.results]})
    await writeAuditJson(file, run)
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(run, null, 2) + '\n')
  })
})
