/**
 * The seeded fuzz suite of issue 16: generated damage to every kind of input
 * hacheck takes from a person or a file (inventories, checklists, game days,
 * saved audit runs, capture manifests and capture directories), a few
 * thousand cases in all. Each input starts from a real one of the repository
 * (test/fixtures, checklists/, examples/) and is damaged the way files get
 * damaged: a value of the wrong type, a hostile string (NUL, ANSI, U+FFFE,
 * lone surrogates, `../`), a key dropped or added, the text cut off or a byte
 * inserted. Every case must end in a result or in a HacheckError of the
 * documented exit code 2 whose message has no raw control character — never a
 * TypeError (what the CLI turns into "internal error") and never a hang (each
 * block has a time budget). Reproduce a failure with the seed and path
 * fast-check prints.
 */
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import YAML from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {loadChecklist, parseChecklist, planFromChecklist} from '../../../src/audit/checklist.js'
import {checkManifest} from '../../../src/audit/capture-manifest.js'
import {runAudit} from '../../../src/audit/run.js'
import {parseSavedRun} from '../../../src/audit/saved-run.js'
import {CaptureFactSource} from '../../../src/audit/sources.js'
import {parseGameDay} from '../../../src/chaos/gameday/file.js'
import {catalog} from '../../../src/checks/index.js'
import {HacheckError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {visibleText} from '../../../src/core/sanitize.js'
import {AUDIT_FORMATS, renderAudit} from '../../../src/reporters/index.js'
import {fixturesDir, repoRoot} from '../../support/paths.js'

const SEED = 20_161
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/
const tmp = mkdtempSync(join(tmpdir(), 'hacheck-fuzz-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
type Seg = string | number

/** Strings that break terminals, XML, paths and parsers. */
const hostileString = fc.oneof(
  fc.string({unit: 'binary', maxLength: 30}),
  fc.constantFrom(
    '',
    ' ',
    '../../../etc/passwd',
    '/etc/shadow',
    '\u0000',
    '\u001b[2J',
    '\uFFFE',
    '\uD800',
    'a'.repeat(5000),
  ),
  fc.constantFrom(
    '-1',
    '1e400',
    'NaN',
    '0x10',
    '999999999999999999999',
    '10s',
    'yes',
    'null',
    '::ffff:198.18.0.1',
  ),
)
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  hostileString,
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -0, 65536, [], {}),
  fc.integer(),
  fc.array(hostileString, {maxLength: 3}),
  fc.dictionary(hostileString, hostileString, {maxKeys: 3}),
)

/** Every path to a value of `v` (the root included). */
function paths(v: Json, at: Seg[] = [], out: Seg[][] = []): Seg[][] {
  out.push(at)
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out))
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out)
  return out
}

type Mutation = {kind: 'set' | 'delete' | 'add'; pick: number; value: Json; key: string}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'delete', 'add'),
  pick: fc.nat(),
  value: anyValue,
  key: fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'name', 'host', 'roles')),
})

function mutate(base: Json, ms: readonly Mutation[]): Json {
  let doc = structuredClone(base)
  for (const m of ms) {
    const all = paths(doc)
    const path = all[m.pick % all.length] ?? []
    if (path.length === 0) {
      if (m.kind === 'set') doc = m.value
      continue
    }
    const parent = path
      .slice(0, -1)
      .reduce<Json>((o, s) => (o as Record<string, Json>)[s as string] as Json, doc)
    const last = path[path.length - 1] as Seg
    if (Array.isArray(parent)) {
      if (m.kind === 'delete') parent.splice(Number(last), 1)
      else if (m.kind === 'add') parent.push(m.value)
      else parent[Number(last)] = m.value
    } else if (parent && typeof parent === 'object') {
      if (m.kind === 'delete') delete parent[last]
      else if (m.kind === 'add')
        Object.defineProperty(parent, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      else parent[last] = m.value
    }
  }
  return doc
}

/** The text a person or a tool could hand hacheck: the damaged document as YAML or JSON, maybe cut or spliced. */
const textOf = (base: Json): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(mutation, {minLength: 1, maxLength: 4}),
      fc.constantFrom('yaml', 'json'),
      fc.option(fc.tuple(fc.nat(), fc.constantFrom('cut', 'splice')), {freq: 4}),
      hostileString,
    )
    .map(([ms, form, damage, junk]) => {
      const doc = mutate(base, ms)
      let text = form === 'json' ? JSON.stringify(doc, null, 2) : YAML.stringify(doc)
      if (damage) {
        const at = damage[0] % Math.max(1, text.length)
        text = damage[1] === 'cut' ? text.slice(0, at) : text.slice(0, at) + junk + text.slice(at)
      }
      return text
    })

/** The outcome contract: a value, or an exit-2 HacheckError with a printable message. */
function expectClean(fn: () => unknown): 'ok' | 'refused' {
  try {
    fn()
    return 'ok'
  } catch (err) {
    if (!(err instanceof HacheckError)) throw err
    expect(err.exit).toBe(ExitCode.invalidInput)
    expect(err.message).not.toBe('')
    expect(err.message).not.toMatch(/internal error/)
    // What the CLI prints (src/cli/base-command.ts catch: the boundary) carries no raw control character.
    expect(visibleText(err.message)).not.toMatch(RAW_CONTROL)
    return 'refused'
  }
}

const yamlOf = (file: string): Json => YAML.parse(readFileSync(file, 'utf8')) as Json
const checks = catalog()

describe('generated damage to the inputs hacheck reads', () => {
  it('inventories: parsed or refused with exit 2, never a crash (800 cases)', () => {
    const base = yamlOf(join(fixturesDir, 'inventory', 'valid', 'full.yaml'))
    const seen = {ok: 0, refused: 0}
    fc.assert(
      fc.property(textOf(base), (text) => {
        seen[expectClean(() => parseInventory(text, join(tmp, 'inventory.yaml')))]++
      }),
      {seed: SEED, numRuns: 800},
    )
    expect(seen.refused).toBeGreaterThan(100)
  })

  it('checklists: parsed and planned, or refused with exit 2 (600 cases)', () => {
    const base = yamlOf(join(repoRoot, 'checklists', 'ha-baseline.yaml'))
    fc.assert(
      fc.property(textOf(base), (text) => {
        expectClean(() => planFromChecklist(parseChecklist(text, 'fuzz.yaml', checks), checks))
      }),
      {seed: SEED, numRuns: 600},
    )
  })

  it('game days: parsed or refused with exit 2 (600 cases)', () => {
    const base = yamlOf(join(repoRoot, 'examples', 'gamedays', 'split-brain.yaml'))
    fc.assert(
      fc.property(textOf(base), (text) => {
        expectClean(() => parseGameDay(text, 'fuzz.yaml'))
      }),
      {seed: SEED, numRuns: 600},
    )
  })

  it('saved audit runs: refused with exit 2, or rendered well-formed in every format (400 cases)', () => {
    const base = JSON.parse(readFileSync(join(fixturesDir, 'reports', 'audit-run.json'), 'utf8')) as Json
    let rendered = 0
    fc.assert(
      fc.property(textOf(base), (text) => {
        let saved: ReturnType<typeof parseSavedRun> | undefined
        expectClean(() => (saved = parseSavedRun(text, 'run.json')))
        if (saved?.kind !== 'audit') return
        rendered++
        for (const format of AUDIT_FORMATS) {
          const out = renderAudit(format, saved.run, {color: false})
          if (format === 'json') JSON.parse(out)
          else expect(out).not.toMatch(RAW_CONTROL)
        }
      }),
      {seed: SEED, numRuns: 400},
    )
    expect(rendered).toBeGreaterThan(3)
  })

  it('capture manifests: accepted or refused with exit 2, and an accepted one names no path (1000 cases)', () => {
    const base = JSON.parse(
      readFileSync(join(repoRoot, 'examples', 'lab-healthy', 'capture.json'), 'utf8'),
    ) as Json
    fc.assert(
      fc.property(
        fc.array(mutation, {minLength: 1, maxLength: 4}).map((ms) => mutate(base, ms)),
        (doc) => {
          let m: ReturnType<typeof checkManifest> | undefined
          expectClean(() => (m = checkManifest(doc, 'capture.json')))
          for (const n of m?.inventory.nodes ?? []) expect(n.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
        },
      ),
      {seed: SEED, numRuns: 1000},
    )
  })

  it('capture directories: audited to the end or refused with exit 2, never a local file in the run (40 cases)', async () => {
    const checklist = await loadChecklist('ha-baseline', checks)
    const planned = planFromChecklist(checklist, checks)
    const lab = join(repoRoot, 'examples', 'lab-healthy')
    const secret = join(tmp, 'secret.txt')
    writeFileSync(secret, 'fuzz-local-secret-7d2e\n')
    const files = [
      'n1/crm-mon.out',
      'n2/cibadmin.out',
      'n3/corosync-cmapctl.out',
      'n1/exit-codes.json',
      'capture.json',
    ]
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.constantFrom('cut', 'splice', 'link-out', 'empty'),
        fc.nat(),
        hostileString,
        async (file, how, at, junk) => {
          const d = join(tmp, `cap${n++}`)
          cpSync(lab, d, {recursive: true})
          const f = join(d, file)
          const text = readFileSync(f, 'utf8')
          const cut = at % Math.max(1, text.length)
          if (how === 'cut') writeFileSync(f, text.slice(0, cut))
          else if (how === 'splice') writeFileSync(f, text.slice(0, cut) + junk + text.slice(cut))
          else if (how === 'empty') writeFileSync(f, '')
          else {
            rmSync(f)
            const {symlinkSync} = await import('node:fs')
            symlinkSync(secret, f)
          }
          try {
            const source = await CaptureFactSource.open(d)
            const {run} = await runAudit({
              inventory: source.inventory(),
              checklist,
              planned,
              source,
              sourceInfo: {mode: 'capture', capture: d},
              concurrency: 4,
              version: 'fuzz',
            })
            const json = JSON.stringify(run)
            expect(json).not.toContain('fuzz-local-secret')
            for (const format of AUDIT_FORMATS)
              expect(renderAudit(format, run, {color: false})).not.toContain('fuzz-local-secret')
          } catch (err) {
            if (!(err instanceof HacheckError)) throw err
            expect(err.exit).toBe(ExitCode.invalidInput)
            expect(err.message).not.toContain('fuzz-local-secret')
          } finally {
            rmSync(d, {recursive: true, force: true})
          }
        },
      ),
      {seed: SEED, numRuns: 40},
    )
  }, 120_000)
})
