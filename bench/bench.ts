/**
 * `npm run bench`: `hacheck audit` against the raw ssh2 floor (bench/floor.ts)
 * on fleets of N sshd-only namespace nodes (bench/fleet.ts), plus start-up
 * costs. Every tool runs the very command line and script hacheck sends to a
 * node; runs alternate tool by tool (the order rotates each round); medians of
 * wall time, controller CPU (user+sys, GNU time) and peak RSS; the measured
 * process is pinned to one core and the whole fleet to the other. Ratios are
 * hacheck / floor from the same run. Writes docs/benchmarks.md and the raw
 * samples to bench/results/.
 *
 *   npx tsx bench/bench.ts [--sizes=50,200,500] [--runs=5,5,3] [--startup-runs=10]
 *
 * Each size's medians are kept in bench/results/size-N.json and the start-up
 * rows in startup.json; docs/benchmarks.md is written from all of them, so a
 * size can be measured in its own run (its own hold of the machine lock):
 * --startup-runs=0 keeps the saved start-up rows.
 */
import {spawnSync} from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import ts from 'typescript'

import {loadChecklist, planFromChecklist} from '../src/audit/checklist.js'
import {buildGatherPlan} from '../src/audit/engine.js'
import {composeGatherScript} from '../src/audit/gather-script.js'
import {catalog} from '../src/checks/index.js'
import type {Inventory} from '../src/core/types.js'
import {buildRemoteCommand} from '../src/transport/remote-command.js'
import {CONTROLLER_CPU, type Fleet, fleetDown, fleetUp, sh} from './fleet.js'

const arg = (name: string, dflt: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt
const sizes = arg('sizes', '50,200,500').split(',').map(Number)
const runsArg = arg('runs', '5,5,3').split(',').map(Number)
const runsFor = (i: number): number => runsArg[i] ?? runsArg[runsArg.length - 1] ?? 3
const STARTUP_RUNS = Number(arg('startup-runs', '10'))
const repo = new URL('..', import.meta.url).pathname
const results = join(repo, 'bench', 'results')
/** hacheck's defaults, which the floor copies. */
const CONCURRENCY = 32
const GATHER_TIMEOUT_MS = 60_000

interface Sample {
  wall: number
  cpu: number
  rssMb: number
}

/** Wall, CPU (user+sys) and peak RSS of one command pinned to the controller core, from GNU time. */
function measure(argv: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Sample & {status: number} {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore'
  try {
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '@@time %e %U %S %M', 'taskset', '-c', CONTROLLER_CPU, ...argv],
      {
        encoding: 'utf8',
        env,
        cwd: repo,
        stdio: ['ignore', out, 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    )
    const line = (r.stderr ?? '').split('\n').find((l) => l.startsWith('@@time ')) ?? ''
    const [wall, user, sys, rss] = line.slice(7).split(' ').map(Number)
    if (![wall, user, sys, rss].every((x) => Number.isFinite(x)))
      throw new Error(`${argv.join(' ')} could not be measured: ${(r.stderr ?? '').slice(-800)}`)
    const status = Number(/Command exited with non-zero status (\d+)/.exec(r.stderr ?? '')?.[1] ?? 0)
    return {
      wall: wall as number,
      cpu: (user as number) + (sys as number),
      rssMb: (rss as number) / 1024,
      status,
    }
  } finally {
    if (typeof out === 'number') closeSync(out)
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Tool {
  name: string
  run: () => Sample
}

/** Runs the tools alternately, rotating which goes first each round; returns the samples per tool. */
function alternate(tools: Tool[], rounds: number): Map<string, Sample[]> {
  const samples = new Map<string, Sample[]>(tools.map((t) => [t.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < tools.length; k++) {
      const t = tools[(r + k) % tools.length] as Tool
      samples.get(t.name)?.push(t.run())
    }
  }
  return samples
}

const summary = (s: Sample[]): Sample => ({
  wall: median(s.map((x) => x.wall)),
  cpu: median(s.map((x) => x.cpu)),
  rssMb: median(s.map((x) => x.rssMb)),
})

/** The floor as plain JavaScript, so the measured process runs on node alone (no tsx loader). */
export function floorScript(): string {
  const src = readFileSync(join(repo, 'bench', 'floor.ts'), 'utf8')
  const js = ts.transpileModule(src, {
    compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true},
  }).outputText
  const file = join(results, 'floor.mjs')
  writeFileSync(file, js)
  return file
}

/** The command line and stdin hacheck sends to each node for the ha-baseline checklist (root: no sudo). */
export async function gatherJob(fleet: Fleet): Promise<{command: string; stdin: string}> {
  const inv: Inventory = {
    cluster: {name: 'bench', stack: 'pacemaker', objectives: {}},
    networks: {public: '198.18.8.0/22'},
    nodes: fleet.hosts.map((h, i) => ({name: `b${i}`, host: h, roles: ['cluster'], ssh: {user: 'root'}})),
  }
  const checks = catalog()
  const planned = planFromChecklist(await loadChecklist('ha-baseline', checks), checks)
  const plan = buildGatherPlan(planned, {inventory: inv, now: new Date()})
  const gs = composeGatherScript(plan.node.get('b0') ?? [], {
    perGathererTimeoutS: Math.max(5, Math.floor(GATHER_TIMEOUT_MS / 1000 / 3)),
  })
  return buildRemoteCommand(
    {script: gs.script},
    {sudo: false, timeoutMs: GATHER_TIMEOUT_MS, killAfterMs: 2_000, runId: 'b0b0b0b0b0b0b0b0'},
  )
}

/** Writes DIR/job.json, the floor's input for this fleet; returns its path. */
export async function writeFloorJob(f: Fleet): Promise<string> {
  const jobFile = join(f.dir, 'job.json')
  const job = {hosts: f.hosts, user: 'root', identityFile: f.identityFile, knownHosts: f.knownHosts}
  writeFileSync(jobFile, JSON.stringify({...job, concurrency: CONCURRENCY, ...(await gatherJob(f))}))
  return jobFile
}

/** Throws unless the run's JSON log shows one successful gather command per node. */
function checkLog(logFile: string, n: number, what: string): void {
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : []
  let ok = 0
  for (const l of lines) {
    if (!l.includes('"remote command"')) continue
    const rec = JSON.parse(l) as {exitCode?: number}
    if (rec.exitCode === 0) ok++
  }
  if (ok !== n) throw new Error(`${what}: ${ok} of ${n} nodes gathered successfully (see ${logFile})`)
}

interface SizeResult {
  n: number
  /** When it was measured (ISO); each size may come from its own run. */
  date?: string
  runs: number
  floor: Sample
  json: Sample
  console: Sample
}

async function benchSize(n: number, runs: number, floorJs: string): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hacheck-bench-'))
  let fleet: Fleet | undefined
  try {
    fleet = await fleetUp(n, dir)
    const f = fleet
    const jobFile = await writeFloorJob(f)
    const env = {
      ...process.env,
      HOME: dir,
      XDG_STATE_HOME: join(dir, 'state'),
      SSH_AUTH_SOCK: '',
      NO_COLOR: '1',
    }
    const logFile = join(dir, 'state', 'hacheck', 'hacheck.log')
    const hacheck = (extra: string[], what: string) => (): Sample => {
      rmSync(logFile, {force: true})
      const s = measure(
        ['node', join(repo, 'bin', 'run.js'), 'audit', '-i', f.inventoryFile, ...extra],
        env,
        join(dir, `${what}.stdout`),
      )
      checkLog(logFile, n, `hacheck ${what}`)
      return s
    }
    const samples = alternate(
      [
        {
          name: 'floor',
          run: () => {
            const s = measure(['node', floorJs, jobFile], env, join(dir, 'floor.stdout'))
            if (s.status !== 0)
              throw new Error(
                `floor failed on ${n} nodes: ${readFileSync(join(dir, 'floor.stdout'), 'utf8')}`,
              )
            return s
          },
        },
        {name: 'json', run: hacheck(['--format', 'json', '--output', join(dir, 'audit.json')], 'json')},
        {name: 'console', run: hacheck([], 'console')},
      ],
      runs,
    )
    writeFileSync(join(results, `samples-${n}.json`), JSON.stringify(Object.fromEntries(samples), null, 1))
    return {
      n,
      runs,
      floor: summary(samples.get('floor') ?? []),
      json: summary(samples.get('json') ?? []),
      console: summary(samples.get('console') ?? []),
    }
  } finally {
    fleetDown(fleet?.pids ?? [])
    rmSync(dir, {recursive: true, force: true})
  }
}

function startup(): {name: string; s: Sample}[] {
  const env = {...process.env, HOME: tmpdir(), XDG_STATE_HOME: join(results, 'state'), NO_COLOR: '1'}
  const run = (argv: string[]) => (): Sample => {
    const s = measure(argv, env)
    if (s.status !== 0 && s.status !== 1) throw new Error(`${argv.join(' ')} exited ${s.status}`)
    return s
  }
  const cmds: Record<string, string[]> = {
    'node -e 0': ['node', '-e', '0'],
    'import @oclif/core': ['node', '--input-type=module', '-e', "await import('@oclif/core')"],
    'hacheck --version': ['node', 'bin/run.js', '--version'],
    'hacheck --help': ['node', 'bin/run.js', '--help'],
    'hacheck audit --from (4-node capture)': [
      'node',
      'bin/run.js',
      'audit',
      '--from',
      'examples/lab-healthy',
    ],
    // The same through oclif, as before the audit fast path (src/entry/fast-audit.ts).
    'the same through oclif': ['node', 'bench/oclif-path.js', 'audit', '--from', 'examples/lab-healthy'],
  }
  const samples = alternate(
    Object.entries(cmds).map(([name, argv]) => ({name, run: run(argv)})),
    STARTUP_RUNS,
  )
  return [...samples].map(([name, s]) => ({name, s: summary(s)}))
}

const f2 = (x: number): string => x.toFixed(2)
const ratio = (a: number, b: number): string => `**${(a / b).toFixed(2)}**`

function fleetRows(r: SizeResult): string[] {
  return (['json', 'console'] as const).map((mode) => {
    const h = r[mode]
    const label = mode === 'json' ? '`-f json -o FILE`' : 'console'
    return `| ${r.n} | ${label} | ${f2(h.wall)} | ${f2(r.floor.wall)} | ${ratio(h.wall, r.floor.wall)} | ${f2(h.cpu)} | ${f2(r.floor.cpu)} | ${ratio(h.cpu, r.floor.cpu)} | ${h.rssMb.toFixed(0)} | ${r.floor.rssMb.toFixed(0)} | ${r.runs} |`
  })
}

/** Per-size and start-up summaries kept in bench/results/, so sizes measured in separate runs (separate lock holds) share one report. */
const sizeFile = (n: number): string => join(results, `size-${n}.json`)
const startupFile = join(results, 'startup.json')

function savedSizes(): SizeResult[] {
  return readdirSync(results)
    .filter((f) => /^size-\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')) as SizeResult)
    .sort((a, b) => a.n - b.n)
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench needs root (network namespaces)')
  mkdirSync(results, {recursive: true})
  fleetDown([])
  const floorJs = floorScript()
  const ssh2Version = (createRequire(import.meta.url)('ssh2/package.json') as {version: string}).version
  const sshd = spawnSync('/usr/sbin/sshd', ['-V'], {encoding: 'utf8'}).stderr.trim().split('\n')[0] ?? ''
  if (STARTUP_RUNS > 0)
    writeFileSync(startupFile, JSON.stringify({runs: STARTUP_RUNS, rows: startup()}, null, 1))
  const saved = existsSync(startupFile)
    ? (JSON.parse(readFileSync(startupFile, 'utf8')) as {runs: number; rows: {name: string; s: Sample}[]})
    : {runs: 0, rows: []}
  const startRows = saved.rows
  const base = startRows.find((r) => r.name === 'import @oclif/core')?.s.cpu ?? 1
  for (const r of startRows) console.log(`${r.name}: wall ${f2(r.s.wall)} s, CPU ${f2(r.s.cpu)} s`)
  for (const [i, n] of sizes.entries()) {
    const r = {...(await benchSize(n, runsFor(i), floorJs)), date: new Date().toISOString()}
    writeFileSync(sizeFile(n), JSON.stringify(r, null, 1))
    for (const l of fleetRows(r)) console.log(l)
  }
  const measured = savedSizes()
  const rows = measured.flatMap(fleetRows)
  const dates = [...new Set(measured.map((r) => r.date?.slice(0, 16).replace('T', ' ')))].join(', ')
  const doc = `# Benchmarks

Measured by \`npm run bench\` (bench/bench.ts) on ${dates} UTC: this machine (${sh('nproc', []).trim()} cores), Node ${process.version}, ssh2 ${ssh2Version}, ${sshd}.

## hacheck audit against the raw ssh2 floor

N sshd-only nodes (network namespaces, each with its own sshd, host key and PID namespace; bench/fleet.ts). The **floor** (bench/floor.ts) is the least a Node program does to run one script per node with the same ssh2: one connection per node (Nagle off, curve25519, key parsed once), one exec of the **very command line and script hacheck sends** (the ha-baseline gather script), output kept in memory, ${CONCURRENCY} nodes at once like hacheck. **hacheck** is the whole \`hacheck audit -i INVENTORY\` process: start-up, inventory and checklist, known_hosts, gathering, parsing every fact, evaluating every check, the JSON log file (default location) and the report — once as \`--format json --output FILE\` (which also prints the console report on stdout) and once with the console report only. The measured process is pinned to core ${CONTROLLER_CPU} and every node to the other core; tools alternate run by run (the order rotates each round); medians of the runs column. A run only counts if every node was gathered (the JSON log shows one successful command per node; the floor checks every exit code). Ratios are hacheck / floor: at most 1.2 is the goal (issue 14).

The nodes share the host's /usr: the cluster tools are installed but no cluster runs, so most gatherers answer "not connected" quickly, and wall time is bound by the one core all sshds share. Controller CPU is what hacheck adds.

| N nodes | hacheck output | hacheck wall s | floor wall s | wall ratio | hacheck CPU s | floor CPU s | CPU ratio | hacheck peak RSS MB | floor peak RSS MB | runs |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

## Start-up

Medians of ${saved.runs} alternating runs, pinned to one core. The oclif import floor is \`node -e "await import('@oclif/core')"\`.

| command | wall s | CPU s | CPU vs oclif import |
| --- | --- | --- | --- |
${startRows.map((r) => `| ${r.name} | ${f2(r.s.wall)} | ${f2(r.s.cpu)} | ${(r.s.cpu / base).toFixed(2)} |`).join('\n')}
`
  writeFileSync(join(repo, 'docs', 'benchmarks.md'), doc)
  console.log('wrote docs/benchmarks.md')
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  main().catch((err: unknown) => {
    console.error(`bench: ${(err as Error).message}`)
    fleetDown([])
    process.exit(1)
  })
}
