/**
 * The lab captures shipped in examples/ (verbatim outputs of the real tools on
 * the lab, taken with `hacheck facts --save`): every gatherer output parses,
 * and `audit --from` judges each capture as the live lab was judged.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadChecklist, planFromChecklist} from '../../../src/audit/checklist.js'
import {gatherersOf} from '../../../src/audit/engine.js'
import {toFact} from '../../../src/audit/facts.js'
import {runAudit} from '../../../src/audit/run.js'
import {CaptureFactSource} from '../../../src/audit/sources.js'
import {catalog} from '../../../src/checks/index.js'
import type {AuditRun} from '../../../src/core/results.js'
import type {Gatherer} from '../../../src/facts/gatherer.js'
import {repoRoot} from '../../support/paths.js'

const examples = join(repoRoot, 'examples')
const captures = readdirSync(examples).filter((d) => d.startsWith('lab-'))
const gatherers = new Map<string, Gatherer<unknown>>()
for (const c of catalog().values()) for (const g of gatherersOf(c)) gatherers.set(g.id, g)

async function auditCapture(name: string): Promise<AuditRun> {
  const source = await CaptureFactSource.open(join(examples, name))
  const checks = catalog()
  const checklist = await loadChecklist('ha-baseline', checks)
  const {run} = await runAudit({
    inventory: source.inventory(),
    checklist,
    planned: planFromChecklist(checklist, checks),
    source,
    sourceInfo: {mode: 'capture', capture: name},
    concurrency: 4,
    version: 'test',
  })
  return run
}

const failing = (r: AuditRun): string[] =>
  [...new Set(r.results.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => x.id))].sort()

describe('the lab captures in examples/', () => {
  it('exist: a healthy one and misconfigured ones', () => {
    expect(captures).toContain('lab-healthy')
    expect(captures.length).toBeGreaterThanOrEqual(3)
  })

  for (const cap of captures) {
    it(`parse without error, gatherer by gatherer, in ${cap}`, () => {
      for (const node of readdirSync(join(examples, cap), {withFileTypes: true}).filter((d) =>
        d.isDirectory(),
      )) {
        const dir = join(examples, cap, node.name)
        const codes = JSON.parse(readFileSync(join(dir, 'exit-codes.json'), 'utf8')) as Record<
          string,
          number | null
        >
        for (const [id, exitCode] of Object.entries(codes)) {
          const g = gatherers.get(id)
          if (!g) continue
          const read = (ext: string): string => {
            try {
              return readFileSync(join(dir, `${id}.${ext}`), 'utf8')
            } catch {
              return ''
            }
          }
          const f = toFact(node.name, g, {stdout: read('out'), stderr: read('err'), exitCode})
          if (!f.ok)
            expect(f.error.code, `${cap}/${node.name}/${id}: ${f.error.message}`).not.toBe('parse-error')
        }
      }
    })
  }

  it('judge the healthy capture as passing, with item 4 skipped for lack of shared storage', async () => {
    const run = await auditCapture('lab-healthy')
    expect(failing(run)).toEqual([])
    expect(
      run.results
        .filter((r) => r.checklistRef === '4')
        .every((r) => r.status === 'skip' && r.message.startsWith('no shared storage')),
    ).toBe(true)
    for (const ref of ['1', '2', '3', '8', '10'])
      expect(
        run.results.some((r) => r.checklistRef === ref && r.status === 'pass'),
        ref,
      ).toBe(true)
  })

  it('find exactly the disabled fencing in the stonith-disabled capture', async () => {
    expect(failing(await auditCapture('lab-stonith-disabled'))).toEqual(['fencing.enabled'])
  })

  it('find exactly the heartbeat on the public interface in the hb-public capture', async () => {
    expect(failing(await auditCapture('lab-hb-public'))).toEqual(['heartbeat.separate-interface'])
  })

  it('hold no secret: CIB passwords are scrubbed and no private key is captured', () => {
    for (const cap of captures) {
      const cib = readFileSync(join(examples, cap, 'n1', 'cibadmin.out'), 'utf8')
      expect(cib).toMatch(/name="password" value="\*\*\*scrubbed\*\*\*"/)
      expect(cib).not.toMatch(/name="password" value="(?!\*\*\*scrubbed)/)
      const all = readdirSync(join(examples, cap, 'n1'))
        .map((f) => readFileSync(join(examples, cap, 'n1', f), 'utf8'))
        .join('\n')
      expect(all).not.toMatch(/PRIVATE KEY/)
    }
  })
})
