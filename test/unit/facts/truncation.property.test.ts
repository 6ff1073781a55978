/**
 * Issue 16, deliverable 4: a document cut at any point is an error, or gives
 * the same result as the whole document — never a different result presented
 * as complete. Every verbatim capture (the lab captures in examples/, and
 * ../shared/fixtures when present) is cut at many points (every line end,
 * plus seeded points inside lines) and parsed again.
 *
 * Formats that close what they open (XML, JSON, `{ }` configuration blocks)
 * must detect every cut. Line-per-record outputs (`key = value`, one row per
 * interface) cannot: a cut at a line end is a shorter valid output. Those are
 * protected by the gather script's framing instead (a gatherer's output is
 * only complete with its end marker and exit code; a cut stream is "cut
 * short", see gather-script.ts), which the last test checks for every
 * gatherer; and a cut inside a line must never change a value into another.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {toFact} from '../../../src/audit/facts.js'
import {splitGatherOutput} from '../../../src/audit/gather-script.js'
import type {Gatherer, GathererOutput} from '../../../src/facts/gatherer.js'
import {haveShared, repoRoot} from '../../support/paths.js'
import {fixtureFiles, fixturesRoot} from './fixtures.js'
import {seededRandom} from '../../support/seeded.js'

type AnyGatherer = Gatherer<unknown>

/** Every gatherer of src/facts, by id. */
async function gatherers(): Promise<Map<string, AnyGatherer>> {
  const out = new Map<string, AnyGatherer>()
  const dir = join(repoRoot, 'src', 'facts')
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const mod = (await import(join(dir, f))) as Record<string, unknown>
    for (const v of Object.values(mod)) {
      const g = v as Partial<AnyGatherer> | null
      if (g && typeof g === 'object' && typeof g.id === 'string' && typeof g.parse === 'function')
        out.set(g.id, g as AnyGatherer)
    }
  }
  return out
}

/** Where to cut: line ends (at most 60, spread) and 40 seeded points inside lines. */
function cutPoints(text: string, seed: number): number[] {
  const ends: number[] = []
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) ends.push(i + 1)
  const step = Math.max(1, Math.ceil(ends.length / 60))
  const points = new Set(ends.filter((_, i) => i % step === 0))
  const r = seededRandom(seed)
  for (let k = 0; k < 40; k++) points.add(Math.floor(r() * text.length))
  points.add(0)
  return [...points].filter((p) => p < text.length).sort((a, b) => a - b)
}

type Outcome = 'error' | 'same' | 'different'

function outcome(parse: () => unknown, complete: unknown): {kind: Outcome; value?: unknown} {
  let value: unknown
  try {
    value = parse()
  } catch {
    return {kind: 'error'}
  }
  return JSON.stringify(value) === JSON.stringify(complete) ? {kind: 'same'} : {kind: 'different', value}
}

interface Sample {
  what: string
  gatherer: AnyGatherer
  out: GathererOutput
}

/** Lab captures: examples/lab-*\/<node>/<gatherer>.out with exit-codes.json. */
function labSamples(byId: Map<string, AnyGatherer>): Sample[] {
  const samples: Sample[] = []
  const examples = join(repoRoot, 'examples')
  for (const cap of readdirSync(examples).filter((n) => n.startsWith('lab-'))) {
    for (const node of readdirSync(join(examples, cap))) {
      const dir = join(examples, cap, node)
      if (!statSync(dir).isDirectory() || node === 'log') continue
      const codes = JSON.parse(readFileSync(join(dir, 'exit-codes.json'), 'utf8')) as Record<
        string,
        number | null
      >
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.out'))) {
        const id = f.slice(0, -4)
        const g = byId.get(id)
        if (!g) continue
        let stderr = ''
        try {
          stderr = readFileSync(join(dir, `${id}.err`), 'utf8')
        } catch {
          // no stderr file: empty stderr
        }
        const out = {stdout: readFileSync(join(dir, f), 'utf8'), stderr, exitCode: codes[id] ?? 0}
        samples.push({what: `${cap}/${node}/${f}`, gatherer: g, out})
      }
    }
  }
  return samples
}

const atLineEnd = (prefix: string): boolean => prefix === '' || prefix.endsWith('\n')

/** Between two top-level statements (each ending with one of `ends`), blanks and comments aside. */
function betweenTopLevel(ends: string): (prefix: string) => boolean {
  return (prefix) => {
    const lines = prefix.split('\n').map((l) => l.replace(/#.*/, '').trim())
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
    let depth = 0
    for (const l of lines) for (const c of l) depth += c === '{' ? 1 : c === '}' ? -1 : 0
    const last = (lines[lines.length - 1] ?? '').slice(-1)
    return depth === 0 && (lines.length === 0 || ends.includes(last))
  }
}

/**
 * Cuts a parser cannot see, by gatherer: a line-per-record output cut at a
 * line end is a shorter valid output; a configuration file cut between two
 * top-level blocks is a shorter valid file. Every other cut must be seen.
 */
const UNSEEABLE: Record<string, (prefix: string) => boolean> = {
  'corosync-cfgtool': atLineEnd,
  'corosync-cmapctl': atLineEnd,
  'corosync-quorumtool': atLineEnd,
  'log-reach': atLineEnd,
  multipath: atLineEnd,
  'corosync-conf': betweenTopLevel('}'),
  nginx: betweenTopLevel('};'),
}

/** Cuts of `text` that give a different result presented as complete, and how many cuts were tried. */
function wrongCuts(
  what: string,
  id: string,
  text: string,
  seed: number,
  parse: (text: string) => unknown,
): {tried: number; wrong: string[]} | undefined {
  let complete: unknown
  try {
    complete = parse(text)
  } catch {
    return undefined // not a document this parser takes whole: nothing to compare with
  }
  const wrong: string[] = []
  const cuts = cutPoints(text, seed)
  for (const cut of cuts) {
    const prefix = text.slice(0, cut)
    if (UNSEEABLE[id]?.(prefix)) continue
    if (outcome(() => parse(prefix), complete).kind === 'different')
      wrong.push(`${what} cut at ${cut}/${text.length} after ${JSON.stringify(prefix.slice(-30))}`)
  }
  return {tried: cuts.length, wrong}
}

/** Shared fixture folders of tool outputs, and the gatherer that reads each. */
const SHARED: Record<string, string> = {
  'crm_mon-xml': 'crm-mon',
  'cibadmin-cib': 'cibadmin',
  'corosync-conf': 'corosync-conf',
  'corosync-quorumtool': 'corosync-quorumtool',
  'corosync-cfgtool': 'corosync-cfgtool',
  'corosync-cmapctl': 'corosync-cmapctl',
  multipath: 'multipath',
  drbd: 'drbd',
  'ip-json': 'ip-addr',
  nginx: 'nginx',
}

describe('parsers given a document cut short', () => {
  it('give an error or the whole result, never a different result, for every cut of every lab capture', async () => {
    const byId = await gatherers()
    const samples = labSamples(byId)
    expect(samples.length).toBeGreaterThan(100)
    let tried = 0
    const wrong: string[] = []
    for (const [n, s] of samples.entries()) {
      if (!toFact('n', s.gatherer, s.out).ok) continue
      const r = wrongCuts(s.what, s.gatherer.id, s.out.stdout, n + 1, (stdout) =>
        s.gatherer.parse({...s.out, stdout}),
      )
      tried += r?.tried ?? 0
      wrong.push(...(r?.wrong ?? []))
    }
    expect(tried).toBeGreaterThan(10000)
    expect(wrong).toEqual([])
  })

  it.skipIf(!haveShared)(
    'give an error or the whole result for every cut of the shared verbatim tool outputs (../shared/fixtures)',
    async () => {
      const byId = await gatherers()
      let tried = 0
      const wrong: string[] = []
      for (const [dir, id] of Object.entries(SHARED)) {
        const g = byId.get(id)
        expect(g, id).toBeDefined()
        for (const [n, f] of fixtureFiles(join(fixturesRoot, dir)).entries()) {
          const text = readFileSync(join(fixturesRoot, dir, f), 'utf8')
          const r = wrongCuts(`${dir}/${f}`, id, text, n + 7, (stdout) =>
            g?.parse({stdout, stderr: '', exitCode: 0}),
          )
          tried += r?.tried ?? 0
          wrong.push(...(r?.wrong ?? []))
        }
      }
      expect(tried).toBeGreaterThan(2000)
      expect(wrong).toEqual([])
    },
  )

  it('make every fact of a node "cut short" or whole when the framed stream of the gather script is cut anywhere', async () => {
    const byId = await gatherers()
    const byNode = new Map<string, Sample[]>()
    for (const s of labSamples(byId)) {
      const node = s.what.split('/').slice(0, 2).join('/')
      byNode.set(node, [...(byNode.get(node) ?? []), s])
    }
    const nonce = 'c0ffee'
    const wrong: string[] = []
    let tried = 0
    for (const [n, [node, samples]] of [...byNode].entries()) {
      const stream = samples
        .map(
          (s) =>
            `@@hk:${nonce}:begin:${s.gatherer.id}@@\n${s.out.stdout}\n@@hk:${nonce}:end:${s.gatherer.id}:${s.out.exitCode}@@\n`,
        )
        .join('')
      const whole = new Map(
        samples.map((s) => [s.gatherer.id, JSON.stringify(toFact('n', s.gatherer, s.out))]),
      )
      for (const cut of cutPoints(stream, n + 100)) {
        tried++
        const outs = splitGatherOutput(stream.slice(0, cut), '', nonce)
        for (const s of samples) {
          const out = outs.get(s.gatherer.id)
          if (!out) continue // never began: the audit reports it missing
          const fact = toFact('n', s.gatherer, {...out, stderr: s.out.stderr})
          if (fact.ok && JSON.stringify(fact) !== whole.get(s.gatherer.id))
            wrong.push(`${node} ${s.gatherer.id}: stream cut at ${cut}/${stream.length}`)
        }
      }
    }
    expect(tried).toBeGreaterThan(1000)
    expect(wrong).toEqual([])
  })
})
