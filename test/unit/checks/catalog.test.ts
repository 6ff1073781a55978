import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadChecklist} from '../../../src/audit/checklist.js'
import {gatherersOf} from '../../../src/audit/engine.js'
import {ALL_CHECKS, catalog} from '../../../src/checks/index.js'
import {repoRoot} from '../../support/paths.js'

const checksDir = join(repoRoot, 'src', 'checks')
const HELPERS = new Set([
  'define.ts',
  'define-grouped.ts',
  'define-system.ts',
  'evidence.ts',
  'index.ts',
  'common.ts',
  'authority.ts',
])

function checkFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory()
      ? checkFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !HELPERS.has(e.name)
        ? [join(dir, e.name)]
        : [],
  )
}

describe('the check catalogue', () => {
  it('lists every check file, and each id matches its path', async () => {
    const files = checkFiles(checksDir).map((f) => relative(checksDir, f))
    const ids = files.map((f) => f.replace(/\.ts$/, '').replace('/', '.'))
    expect([...catalog().keys()].sort()).toEqual(ids.sort())
    for (const f of files) {
      const mod = (await import(join(checksDir, f))) as {default: {id: string}}
      expect(mod.default.id).toBe(f.replace(/\.ts$/, '').replace('/', '.'))
    }
  })

  it('gives every check a rationale and a remediation with the fixed sections', () => {
    for (const c of ALL_CHECKS) {
      expect(c.rationale.length, c.id).toBeGreaterThan(40)
      expect(c.remediation, c.id).toMatch(/^## Abstract\n[\s\S]+\n## Remediation\n/)
    }
  })

  it('keeps every gatherer read-only on its face', () => {
    const writes =
      /(^|[\s;|&])(rm|mv|cp|tee|truncate|dd|mkfs|iptables\s+-[AIDF]|pcs\s+(resource|property|stonith|constraint)\s+\w+|crm\s+configure|cibadmin\s+-[RCDMU]|systemctl\s+(start|stop|restart|reload|enable|disable))\b|>\s*\/(?!dev\/(null|tcp\/))/
    for (const c of ALL_CHECKS)
      for (const g of gatherersOf(c)) expect(g.script, `${c.id} → ${g.id}`).not.toMatch(writes)
  })

  it('puts every check of the catalogue in the default checklist, each once', async () => {
    const cl = await loadChecklist('ha-baseline', catalog())
    const listed = cl.items.flatMap((i) => i.checks.map((e) => e.check))
    expect(new Set(listed).size).toBe(listed.length)
    expect([...listed].sort()).toEqual([...catalog().keys()].sort())
    for (const ref of ['1', '2', '3', '4', '6', '7', '8', '9', '10'])
      expect(cl.items.map((i) => i.ref)).toContain(ref)
  })

  it('ships a checklist that validates against its schema', () => {
    expect(readFileSync(join(repoRoot, 'checklists', 'ha-baseline.yaml'), 'utf8')).toMatch(
      /^id: ha-baseline/m,
    )
  })
})
