/**
 * `npx tsx bench/validate.ts`: does validating a large input grow linearly
 * with its size (issue 16: validating a 5 MB inventory took 4-7 s)? For each
 * kind of input, generated in code at three sizes (the largest just under
 * the documented 5 MiB limit, or 256 MiB for a saved run at 64 MB), the CPU
 * time of hacheck's validation against the least any reader does with the
 * same text (js-yaml's load of the YAML, JSON.parse of the JSON), measured
 * alternately in this process; medians. The ratio hacheck / baseline is the
 * result: it must stay flat from the smallest size to the largest (a growing
 * ratio is super-linear work). No lab, no lock: one core for a minute.
 * Writes docs/benchmarks-validation.md.
 *
 *   npx tsx bench/validate.ts [--runs=3]
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import type * as JsYaml from 'js-yaml'

import {checkManifest} from '../src/audit/capture-manifest.js'
import {parseChecklist} from '../src/audit/checklist.js'
import {parseSavedRun} from '../src/audit/saved-run.js'
import {catalog} from '../src/checks/index.js'
import {parseInventory} from '../src/inventory/load.js'

const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? '3')
const repo = new URL('..', import.meta.url).pathname
const jsYaml = createRequire(import.meta.url)('js-yaml') as typeof JsYaml

/** An inventory of n nodes; one node in 16 has a problem of one of 8 kinds (duplicates, typos, types, …). */
function inventory(n: number): string {
  const lines = ['cluster: {name: big, stack: pacemaker, vip: 198.18.0.5}', 'nodes:']
  for (let i = 0; i < n; i++) {
    const k = i % 16
    const addr = `${(i >> 8) & 255}.${i & 255}`
    lines.push(`  - name: ${k === 3 ? 'node-0' : `node-${i}`}`)
    lines.push(`    host: ${k === 5 ? '198.18.0.0' : `198.18.${addr}`}`)
    if (k === 7) lines.push('    hots: 1')
    lines.push(k === 9 ? '    roles: [clustr, db, db]' : '    roles: [cluster]')
    if (k === 11) lines.push('    port: -3')
    if (k === 13) lines.push('    ssh: {user: 5, identityFile: [a, b], passwrd: x}')
    lines.push(`    labels: {rack: r${i % 40}, zone: z${i % 3}, note: "a label long enough to be realistic"}`)
    lines.push(`    bmc: {host: 198.19.${k === 15 ? '0.0' : addr}, user: admin, passwordEnv: BMC_PW}`)
  }
  return `${lines.join('\n')}\n`
}

/** A checklist of n items; one check in 8 has a parameter of the wrong type. */
function checklist(n: number): string {
  const lines = ['id: big', 'title: A large checklist', 'version: 1', 'items:']
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - ref: "${i}"`,
      `    title: Item ${i} with a title long enough to be realistic`,
      '    checks:',
    )
    lines.push(
      i % 8 === 0
        ? '      - {check: fencing.timeout, params: {maxTimeoutS: "sixty"}}'
        : '      - fencing.timeout',
    )
  }
  return `${lines.join('\n')}\n`
}

/** A saved audit run with n results copied from the published example; one in 1000 has an unknown status. */
function savedRun(n: number): string {
  const run = JSON.parse(readFileSync(`${repo}test/fixtures/reports/audit-run.json`, 'utf8')) as {
    results: Record<string, unknown>[]
  }
  const base = run.results
  run.results = Array.from({length: n}, (_, i) => ({
    ...base[i % base.length],
    ...(i % 1000 === 999 ? {status: 'maybe'} : {}),
  }))
  return JSON.stringify(run, null, 2)
}

/** A capture.json of n nodes from the lab-healthy example; one node name in 100 is a path. */
function captureManifest(n: number): string {
  const cap = JSON.parse(readFileSync(`${repo}examples/lab-healthy/capture.json`, 'utf8')) as {
    inventory: {nodes: {name: string}[]}
    nodes: Record<string, unknown>
  }
  const node = cap.inventory.nodes[0]
  cap.inventory.nodes = Array.from({length: n}, (_, i) => ({
    ...node,
    name: i % 100 === 99 ? `../n${i}` : `n${i}`,
  }))
  cap.nodes = Object.fromEntries(cap.inventory.nodes.map((x) => [x.name, {reachable: true}]))
  return JSON.stringify(cap, null, 2)
}

const catalogue = catalog()
const refuses = (fn: () => unknown): void => {
  try {
    fn()
  } catch {
    return
  }
  throw new Error('the generated input was accepted: it must have problems')
}

interface Kind {
  name: string
  sizes: number[]
  make(n: number): string
  hacheck(text: string): void
  baseline: {name: string; run(text: string): unknown}
}

const yamlBaseline = {name: 'js-yaml load', run: (t: string) => jsYaml.load(t)}
const jsonBaseline = {name: 'JSON.parse', run: (t: string) => JSON.parse(t)}
const KINDS: Kind[] = [
  {
    name: 'inventory (YAML, 1 node in 16 with a problem)',
    sizes: [5000, 10000, 20000],
    make: inventory,
    hacheck: (t) => refuses(() => parseInventory(t, 'big.yaml')),
    baseline: yamlBaseline,
  },
  {
    name: 'inventory (JSON, same nodes)',
    sizes: [5000, 10000, 20000],
    make: (n) => JSON.stringify(jsYaml.load(inventory(n)), null, 2),
    hacheck: (t) => refuses(() => parseInventory(t, 'big.json')),
    baseline: jsonBaseline,
  },
  {
    name: 'checklist (1 check in 8 with a parameter of the wrong type)',
    sizes: [10000, 20000, 40000],
    make: checklist,
    hacheck: (t) => refuses(() => parseChecklist(t, 'big.yaml', catalogue)),
    baseline: yamlBaseline,
  },
  {
    name: 'saved audit run (report render; 1 result in 1000 with an unknown status)',
    sizes: [20000, 40000, 80000],
    make: savedRun,
    hacheck: (t) => refuses(() => parseSavedRun(t, 'run.json')),
    baseline: jsonBaseline,
  },
  {
    name: 'capture.json (1 node name in 100 a path)',
    sizes: [2000, 4000, 8000],
    make: captureManifest,
    hacheck: (t) => refuses(() => checkManifest(JSON.parse(t), 'capture.json')),
    baseline: jsonBaseline,
  },
]

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const rows: string[] = []
for (const kind of KINDS) {
  const ratios: number[] = []
  for (const n of kind.sizes) {
    const text = kind.make(n)
    const ours: number[] = []
    const base: number[] = []
    for (let r = 0; r < RUNS; r++) {
      // Alternate, the order rotating each round.
      const pair = [
        () => ours.push(cpuMs(() => kind.hacheck(text))),
        () => base.push(cpuMs(() => kind.baseline.run(text))),
      ]
      if (r % 2) pair.reverse()
      for (const f of pair) f()
    }
    const ratio = median(ours) / median(base)
    ratios.push(ratio)
    const mb = (Buffer.byteLength(text) / 1e6).toFixed(1)
    const row = `| ${kind.name} | ${mb} MB | ${median(ours).toFixed(0)} | ${kind.baseline.name} ${median(base).toFixed(0)} | ${ratio.toFixed(1)} |`
    rows.push(row)
    console.log(row)
  }
  const growth = (ratios[ratios.length - 1] ?? NaN) / (ratios[0] ?? NaN)
  rows.push(`| ↳ ratio growth, largest / smallest size | | | | **${growth.toFixed(2)}** |`)
  console.log(`growth ${growth.toFixed(2)}`)
}

writeFileSync(
  `${repo}docs/benchmarks-validation.md`,
  `# Validating large inputs (bench/validate.ts)

Generated by \`npx tsx bench/validate.ts\` (${RUNS} alternating runs, medians of CPU time in one
process, ${new Date().toISOString().slice(0, 10)}). Each input is generated with problems spread through it, so
every problem must be found and placed (line and column). The baseline is the least any reader does
with the same text. Linear validation keeps the ratio flat as the size grows: the growth row is the
ratio at the largest size over the ratio at the smallest (about 1 is linear; 2 would be quadratic
over a 4x range). Absolute times depend on the machine; only the ratios are the result. The pretty-printed
JSON inventory's largest size is over the 5 MiB limit a file is refused at; parsed in process, it shows the growth.

| input | size | hacheck CPU ms | baseline CPU ms | ratio |
|---|---|---|---|---|
${rows.join('\n')}
`,
)
