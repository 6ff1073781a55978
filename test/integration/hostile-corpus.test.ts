/**
 * Issue 16's acceptance corpus: ~200 malformed and hostile inputs —
 * inventories, checklists, game days, saved reports, capture directories,
 * command-line flags and node outputs — run through the built CLI
 * (bin/run.js over dist/, as `npm test` builds it) as an operator would.
 * Every case must end within its time limit, with an exit code of the
 * documented set (0 ok, 1 findings, 2 input, 3 could not complete), no stack
 * trace, no "internal error", no raw ESC or NUL on the terminal, every
 * report it wrote well-formed (JSON parses; JUnit valid against junit-10.xsd
 * when ../shared is here, else well-formed XML), and no local file's content
 * in any output (a secret file is planted and pointed at in many ways).
 *
 * Most inputs are generated from the repository's own valid inputs by a
 * seeded generator: a failure names the case and its seed. No lab, no
 * network: game days run --dry-run against an inventory of closed local
 * ports (127.0.0.1:1), captures are read with --from.
 */
import {spawnSync} from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {haveJunitXsd, junitXsd, repoRoot} from '../support/paths.js'
import {seededRandom} from '../support/seeded.js'

const SEED = 16_2026
const RUN = join(repoRoot, 'bin', 'run.js')
const dir = mkdtempSync(join(tmpdir(), 'hacheck-hostile-corpus-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** What must never come back: a line of a local file hacheck was pointed at. */
const LEAK = 'HOSTILE-LEAK-7f3a9c'
const HASH =
  '$6$saltsalt$Vq9kP3mZ2xL7wR4tY8uE1oI6aS5dF0gH3jK9lZ2xC7vB4nM1qW8eR5tY2uI0oP3aS6dF9gH2jK5lZ8xC1vB4nM7q'
const SECRET = join(dir, 'secret.txt')
/** Local files with nothing secret-looking in them: their content must not come back either. */
const NOTE = join(dir, 'note.txt')
const ENV_FILE = join(dir, 'app.env')

const rand = seededRandom(SEED)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T

/** Strings a node or a hand-edited file can hold that break terminals, XML, Markdown or HTML. */
const HOSTILE = [
  '\u0000',
  '\u001b[2J\u001b[31mPASSED\u001b[0m',
  '\ufffe\uffff',
  '\ud800',
  '\u202eevil',
  '\r',
  ']]><x>&amp;</x>',
  '</script><script>alert(1)</script>',
  '| --- |\n# heading',
  '\u0007\u0008\u007f\u0085',
  '{{template}} ${HOME} $(id)',
  'x'.repeat(20_000),
]

/** A damaged copy of `text`: cut, hostile characters, a value replaced, random bytes. */
function damage(text: string): string {
  const at = Math.floor(rand() * text.length)
  switch (Math.floor(rand() * 6)) {
    case 0:
      return text.slice(0, at)
    case 1:
      return text.slice(0, at) + pick(HOSTILE) + text.slice(at)
    case 2: {
      // Replace the value after a random colon with something of another kind.
      const colon = text.indexOf(': ', at)
      if (colon < 0) return text + pick(HOSTILE)
      const end = text.indexOf('\n', colon)
      const value = pick([
        '{',
        '[',
        '*nope',
        '!!binary x',
        '&a [*a]',
        '1e400',
        '-1',
        'null',
        '{a: {b: {c: [}}}',
        '"\\u0000"',
        '~',
      ])
      return text.slice(0, colon + 2) + value + (end < 0 ? '' : text.slice(end))
    }
    case 3:
      return (
        text.slice(0, at) +
        String.fromCharCode(...Array.from({length: 64}, () => Math.floor(rand() * 256))) +
        text.slice(at)
      )
    case 4:
      return text.replace(/\n/g, () => (rand() < 0.1 ? '\n\t' : '\n'))
    default:
      return text.slice(0, at) + text.slice(at, at + 200).repeat(50) + text.slice(at + 200)
  }
}

/** A JSON value with hostile strings in random places, wrong types and missing keys. */
function damageJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(damageJson)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const r = rand()
      if (r < 0.03) continue
      if (r < 0.06) out[k] = pick([null, 42, 'text', [], {}, true, -1])
      else out[k] = damageJson(v)
    }
    return out
  }
  if (typeof value === 'string') return rand() < 0.25 ? value + pick(HOSTILE) : value
  return value
}

/** Rows of (name, content), typed as such. */
const table = (rows: [string, string][]): [string, string][] => rows

interface Case {
  name: string
  args: string[]
  /** Report files the command may write; each must be well-formed when present. */
  reports?: {file: string; kind: 'json' | 'junit' | 'html' | 'text'}[]
  env?: Record<string, string>
}

const cases: Case[] = []
const files = join(dir, 'in')
let n = 0
function file(name: string, content: string | Buffer): string {
  const f = join(files, `${n++}-${name}`)
  writeFileSync(f, content)
  return f
}
function out(ext: string): string {
  return join(dir, 'out', `${n++}.${ext}`)
}

function inventoryCases(): void {
  const validDir = join(repoRoot, 'test', 'fixtures', 'inventory', 'valid')
  const bases = readdirSync(validDir).map((f) => readFileSync(join(validDir, f), 'utf8'))
  for (let i = 0; i < 36; i++) {
    const f = file('inventory.yaml', damage(pick(bases)))
    const args = i % 2 ? ['inventory', 'validate', f] : ['inventory', 'show', f]
    if (i % 3 === 0) args.push('--json')
    cases.push({name: `damaged inventory ${i}`, args})
  }
  const special: [string, string | Buffer][] = [
    ['empty', ''],
    ['bom only', '\ufeff'],
    ['deep nesting', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    ['deep mapping', `${'{a: '.repeat(5000)}1${'}'.repeat(5000)}`],
    [
      'alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n`,
    ],
    ['two documents', 'cluster: {name: a, stack: pacemaker}\n---\nnodes: []\n'],
    ['binary', Buffer.from(Array.from({length: 4096}, () => Math.floor(rand() * 256)))],
    ['utf-16', Buffer.from('\ufeffcluster: {name: a, stack: pacemaker}\nnodes: []\n', 'utf16le')],
    ['shadow-like', `root:${HASH}:19000:0:99999:7:::\n${LEAK}:x:1000:1000::/home/u:/bin/sh\n`],
    [
      'private key',
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${LEAK}AAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END OPENSSH PRIVATE KEY-----\n`,
    ],
    [
      'json cut',
      '{"cluster": {"name": "a", "stack": "pacemaker"}, "nodes": [{"name": "n1", "host": "198.18.0.1"',
    ],
    [
      'ansi key',
      'cluster: {name: a, stack: pacemaker}\nnodes:\n  - name: n1\n    host: 198.18.0.1\n    "\u001b[2Jevil": 1\n',
    ],
    [
      'same ipv6 twice',
      'cluster: {name: a, stack: pacemaker}\nnodes:\n  - {name: a, host: "2001:db8::1"}\n  - {name: b, host: "2001:db8:0:0::1"}\n',
    ],
    ['huge value', `cluster: {name: ${'a'.repeat(1_000_000)}, stack: pacemaker}\nnodes: []\n`],
  ]
  for (const [name, content] of special) {
    const f = file('inventory.yaml', content)
    cases.push({name: `inventory: ${name}`, args: ['inventory', 'validate', f, '--json']})
  }
  for (const [name, f] of [
    ['a directory', dir],
    ['/dev/zero', '/dev/zero'],
    ['a missing file', join(dir, 'nope.yaml')],
    ['the secret file', SECRET],
    ['a plain note', NOTE],
    ['a mapping of other keys', ENV_FILE],
    ['/proc/self/environ', '/proc/self/environ'],
  ] as const) {
    cases.push({name: `inventory: ${name}`, args: ['inventory', 'validate', f]})
  }
}

function checklistCases(): void {
  const base = readFileSync(join(repoRoot, 'checklists', 'ha-baseline.yaml'), 'utf8')
  const capture = join(repoRoot, 'examples', 'lab-healthy')
  for (let i = 0; i < 22; i++) {
    const f = file('checklist.yaml', damage(base))
    const o = out('json')
    cases.push({
      name: `damaged checklist ${i}`,
      args: ['audit', '--from', capture, '--checklist', f, '--format', 'json', '-o', o, '--log-file', 'none'],
      reports: [{file: o, kind: 'json'}],
    })
  }
  for (const [name, content] of table([
    [
      'params of the wrong type',
      'id: x\ntitle: x\nversion: 1\nitems:\n  - ref: "1"\n    title: t\n    checks:\n      - {check: fencing.timeout, params: {maxTimeoutS: {a: 1}}}\n',
    ],
    [
      'unknown check with ESC',
      'id: x\ntitle: x\nversion: 1\nitems:\n  - ref: "1"\n    title: t\n    checks: ["\u001b[2Jnope"]\n',
    ],
  ])) {
    cases.push({
      name: `checklist: ${name}`,
      args: [
        'audit',
        '--from',
        capture,
        '--checklist',
        file('checklist.yaml', content),
        '--log-file',
        'none',
      ],
    })
  }
  cases.push({name: 'checklist: the secret file', args: ['audit', '--from', capture, '--checklist', SECRET]})
  cases.push({name: 'checklist: a directory', args: ['audit', '--from', capture, '--checklist', dir]})
}

function gamedayCases(): void {
  const gd = join(repoRoot, 'examples', 'gamedays')
  const bases = readdirSync(gd).map((f) => readFileSync(join(gd, f), 'utf8'))
  const inv = file(
    'inventory.yaml',
    'cluster: {name: c, stack: pacemaker}\nnetworks: {heartbeat: 198.18.1.0/24}\nnodes:\n  - {name: n1, host: 127.0.0.1, port: 1, roles: [cluster]}\n  - {name: n2, host: 127.0.0.2, port: 1, roles: [cluster]}\n',
  )
  for (let i = 0; i < 22; i++) {
    const f = file('gameday.yaml', damage(pick(bases)))
    cases.push({
      name: `damaged game day ${i}`,
      args: ['chaos', 'run', f, '-i', inv, '--dry-run', '--log-file', 'none'],
    })
  }
  const step = (s: string): string => `name: x\nsteps:\n  - name: a\n${s}`
  for (const [name, content] of table([
    ['unknown node', step('    fault: power-off\n    target: nosuch\n    duration: 10s\n')],
    [
      'unknown network',
      step('    fault: link-pull\n    target: n1\n    with: {network: nosuch}\n    duration: 10s\n'),
    ],
    [
      'port out of range',
      step('    fault: lb-drain\n    target: n1\n    with: {port: 70000}\n    duration: 10s\n'),
    ],
    [
      'overflowing duration',
      step('    fault: link-pull\n    target: n1\n    duration: 99999999999999999999h\n'),
    ],
  ])) {
    cases.push({
      name: `game day: ${name}`,
      args: ['chaos', 'run', file('gameday.yaml', content), '-i', inv, '--dry-run'],
    })
  }
  cases.push({name: 'game day: the secret file', args: ['chaos', 'run', SECRET, '-i', inv, '--dry-run']})
}

function savedReportCases(): void {
  const base = JSON.parse(
    readFileSync(join(repoRoot, 'test', 'fixtures', 'reports', 'audit-run.json'), 'utf8'),
  ) as unknown
  const formats = ['junit', 'markdown', 'html', 'json', 'console'] as const
  for (let i = 0; i < 25; i++) {
    const text = i % 5 === 4 ? damage(JSON.stringify(base, null, 2)) : JSON.stringify(damageJson(base))
    const f = file('run.json', text)
    const format = formats[i % formats.length] as (typeof formats)[number]
    const o = out(format)
    const kind =
      format === 'junit' ? 'junit' : format === 'json' ? 'json' : format === 'html' ? 'html' : 'text'
    cases.push({
      name: `damaged saved report ${i} (${format})`,
      args: ['report', 'render', f, '--format', format, '-o', o, '--log-file', 'none'],
      reports: [{file: o, kind}],
    })
  }
  for (const [name, content] of table([
    ['null', 'null'],
    ['results not a list', '{"kind": "audit", "results": 5}'],
    ['chaos run without fields', '{"runId": "x"}'],
    ['the secret file', readFileSync(SECRET, 'utf8')],
  ])) {
    cases.push({name: `saved report: ${name}`, args: ['report', 'render', file('run.json', content)]})
  }
}

/** A copy of the healthy lab capture, damaged by `edit`. */
function captureCopy(edit: (d: string) => void): string {
  const d = join(dir, 'captures', String(n++))
  cpSync(join(repoRoot, 'examples', 'lab-healthy'), d, {recursive: true})
  edit(d)
  return d
}

function captureCases(): void {
  const nodeFiles = readdirSync(join(repoRoot, 'examples', 'lab-healthy', 'n1')).filter((f) =>
    f.endsWith('.out'),
  )
  const formats = ['junit', 'json', 'markdown', 'html'] as const
  for (let i = 0; i < 24; i++) {
    const target = pick(nodeFiles)
    const d = captureCopy((c) => {
      const f = join(c, pick(['n1', 'n2', 'n3']), target)
      const text = readFileSync(f, 'utf8')
      // Node output: hostile characters inside values (crm_mon attributes, quorum lines), cuts, garbage.
      writeFileSync(
        f,
        i % 3 === 0
          ? text.replace(/"([^"]{1,20})"/g, (m, v: string) => (rand() < 0.2 ? `"${v}${pick(HOSTILE)}"` : m))
          : damage(text),
      )
    })
    const format = formats[i % formats.length] as (typeof formats)[number]
    const o = out(format)
    cases.push({
      name: `capture with damaged node output ${target} ${i} (${format})`,
      args: ['audit', '--from', d, '--format', format, '-o', o, '--log-file', 'none'],
      reports: [
        {
          file: o,
          kind:
            format === 'junit' ? 'junit' : format === 'json' ? 'json' : format === 'html' ? 'html' : 'text',
        },
      ],
    })
  }
  const manifest = (
    edit: (
      m: Record<string, unknown> & {inventory: {nodes: {name: unknown}[]}; nodes: Record<string, unknown>},
    ) => void,
  ) =>
    captureCopy((c) => {
      const f = join(c, 'capture.json')
      const m = JSON.parse(readFileSync(f, 'utf8')) as Parameters<typeof edit>[0]
      edit(m)
      writeFileSync(f, JSON.stringify(m))
    })
  const special: [string, string][] = [
    [
      'node name is a path',
      manifest((m) => {
        const first = m.inventory.nodes[0]
        if (first) first.name = '../../etc'
      }),
    ],
    [
      'node is a number',
      manifest((m) => {
        m.inventory.nodes[0] = 5 as never
      }),
    ],
    [
      'no cluster',
      manifest((m) => {
        delete (m.inventory as Record<string, unknown>).cluster
      }),
    ],
    [
      'unreachable node with hostile message',
      manifest((m) => {
        m.nodes.n2 = {
          reachable: false,
          error: {code: 'unreachable', message: `\u0000\u001b[2J\ufffe${'y'.repeat(5000)}`},
        }
      }),
    ],
    [
      'symlink out to a local file',
      captureCopy((c) => {
        rmSync(join(c, 'n1', 'crm-mon.out'))
        symlinkSync(SECRET, join(c, 'n1', 'crm-mon.out'))
      }),
    ],
    [
      'symlinked node directory',
      captureCopy((c) => {
        rmSync(join(c, 'n3'), {recursive: true})
        symlinkSync(dir, join(c, 'n3'))
      }),
    ],
    [
      'exit codes not JSON',
      captureCopy((c) => writeFileSync(join(c, 'n1', 'exit-codes.json'), '{"crm-mon": ')),
    ],
    [
      'capture.json is binary',
      captureCopy((c) => writeFileSync(join(c, 'capture.json'), Buffer.from([0, 1, 2, 255, 254]))),
    ],
    [
      'huge node output',
      captureCopy((c) =>
        writeFileSync(join(c, 'n1', 'crm-mon.out'), `<crm_mon>${'<x a="1"/>'.repeat(500_000)}`),
      ),
    ],
    [
      'node output is a directory',
      captureCopy((c) => {
        rmSync(join(c, 'n2', 'cibadmin.out'))
        mkdirSync(join(c, 'n2', 'cibadmin.out'))
      }),
    ],
  ]
  for (const [name, d] of special) {
    const o = out('xml')
    cases.push({
      name: `capture: ${name}`,
      args: ['audit', '--from', d, '--format', 'junit', '-o', o, '--log-file', 'none'],
      reports: [{file: o, kind: 'junit'}],
    })
  }
}

function flagCases(): void {
  const capture = join(repoRoot, 'examples', 'lab-healthy')
  const a = (...args: string[]): string[] => ['audit', '--from', capture, ...args]
  const list: [string, string[]][] = [
    ['unknown flag', a('--nope')],
    ['bad format', a('--format', 'nope')],
    ['output in a missing directory', a('-o', join(dir, 'missing', 'x.json'), '--format', 'json')],
    ['output is a directory', a('-o', dir, '--format', 'json')],
    ['output through a file', a('-o', join(SECRET, 'x.json'))],
    ['output to /dev/full', a('-o', '/dev/full', '--format', 'json')],
    ['log file below /proc', a('--log-file', '/proc/1/nope/deeper/x.log')],
    ['log file is a directory', a('--log-file', dir)],
    ['config is the secret file', a('--config', SECRET)],
    ['config is a directory', a('--config', dir)],
    ['ANSI in an argument', a('--checklist', '\u001b[2J\u001b[31mevil')],
    ['a 100 kB argument', a('--checklist', 'x'.repeat(100_000))],
    ['capture is a file', ['audit', '--from', SECRET]],
    ['capture is missing', ['audit', '--from', join(dir, 'nope')]],
    ['capture is /proc', ['audit', '--from', '/proc']],
    ['waivers is the secret file', a('--waivers', SECRET)],
    ['waivers is /dev/zero', a('--waivers', '/dev/zero')],
    ['report render of a directory', ['report', 'render', dir]],
    ['report render of nothing', ['report', 'render']],
    ['report trend with a bad option', ['report', 'trend', '--format', 'nope']],
    ['checks explain of an unknown check', ['checks', 'explain', '\u001b[2Jnope']],
    ['unknown command', ['nope-command', '\u001b[2J']],
    ['inventory import of the secret file', ['inventory', 'import', SECRET]],
    ['fleet of the secret file', ['audit', '--fleet', SECRET]],
    ['negative concurrency', a('--concurrency', '-1')],
    ...[NOTE, ENV_FILE].flatMap((f, i): [string, string[]][] => [
      [`checklist is a local file ${i}`, a('--checklist', f)],
      [`waivers is a local file ${i}`, a('--waivers', f)],
      [`config is a local file ${i}`, a('--config', f)],
      [`game day is a local file ${i}`, ['chaos', 'run', f, '--dry-run', '-i', f]],
      [`saved report is a local file ${i}`, ['report', 'render', f]],
      [`fleet is a local file ${i}`, ['audit', '--fleet', f]],
    ]),
  ]
  for (const [name, args] of list) cases.push({name: `flags: ${name}`, args})
}

interface Outcome {
  code: number
  stdout: string
  stderr: string
  timedOut: boolean
  ms: number
}

async function run(c: Case): Promise<Outcome> {
  const start = Date.now()
  const r = await execa(process.execPath, [RUN, ...c.args], {
    reject: false,
    cwd: dir,
    env: {
      XDG_STATE_HOME: join(dir, 'state'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      HACHECK_INVENTORY: undefined,
      HACHECK_DEBUG: undefined,
      HACHECK_WAIVERS: undefined,
      HACHECK_HISTORY: undefined,
      NO_COLOR: '1',
      COLUMNS: '100',
      ...c.env,
    },
    stdin: 'ignore',
    timeout: 20_000,
    stripFinalNewline: false,
    encoding: 'utf8',
  })
  return {
    code: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    timedOut: Boolean(r.timedOut),
    ms: Date.now() - start,
  }
}

/** Everything wrong with one case's outcome (empty when it behaved). */
function problems(c: Case, o: Outcome): string[] {
  const p: string[] = []
  const both = `${o.stdout}\n${o.stderr}`
  if (o.timedOut) p.push('did not end within 20 s')
  else if (![0, 1, 2, 3].includes(o.code)) p.push(`exit code ${o.code}`)
  if (/internal error/i.test(both)) p.push('"internal error"')
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(both)) p.push('a stack trace')
  if (both.includes('\u0000') || both.includes('\u001b')) p.push('a raw ESC or NUL on the terminal')
  if (both.includes(LEAK) || both.includes(HASH.slice(0, 20))) p.push('content of a local file echoed')
  for (const r of c.reports ?? []) {
    if (!existsSync(r.file) || !statSync(r.file).isFile()) continue
    const text = readFileSync(r.file, 'utf8')
    if (text.includes(LEAK) || text.includes(HASH.slice(0, 20)))
      p.push(`content of a local file in ${r.kind}`)
    if (r.kind === 'json') {
      try {
        JSON.parse(text)
      } catch (err) {
        p.push(`JSON report does not parse: ${(err as Error).message}`)
      }
    }
    if (r.kind === 'junit') {
      const args = haveJunitXsd ? ['--noout', '--schema', junitXsd, r.file] : ['--noout', r.file]
      const x = spawnSync('xmllint', args, {encoding: 'utf8'})
      if (x.status !== 0) p.push(`JUnit report rejected by xmllint: ${x.stderr.split('\n')[0]}`)
    }
    if (r.kind !== 'json' && ['\u0000', '\u001b', '\ufffe', '\uffff'].some((ch) => text.includes(ch)))
      p.push(`raw ESC, NUL or U+FFFE in the ${r.kind} report`)
  }
  return p
}

beforeAll(() => {
  mkdirSync(files, {recursive: true})
  mkdirSync(join(dir, 'out'), {recursive: true})
  writeFileSync(SECRET, `${LEAK}\nroot:${HASH}:19000:0:99999:7:::\npassword=${LEAK}\n`)
  writeFileSync(NOTE, `remember ${LEAK} on friday\n`)
  writeFileSync(ENV_FILE, `${LEAK}: db.internal\nDB_USER: app\n`)
  inventoryCases()
  checklistCases()
  gamedayCases()
  savedReportCases()
  captureCases()
  flagCases()
})

describe('the hostile input corpus, through the built CLI', () => {
  it('ends every case in time with a documented exit code, no stack trace, no "internal error", well-formed reports and nothing of a local file', async () => {
    expect(
      existsSync(join(repoRoot, 'dist', 'commands')),
      'dist/ is missing: run `npm run build` (npm test does)',
    ).toBe(true)
    expect(cases.length).toBeGreaterThanOrEqual(190)
    const failures: string[] = []
    const codes = new Map<number, number>()
    let slowest = {name: '', ms: 0}
    const queue = [...cases]
    // Two cores: two cases at a time.
    await Promise.all(
      [0, 1].map(async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const o = await run(c)
          codes.set(o.code, (codes.get(o.code) ?? 0) + 1)
          if (o.ms > slowest.ms) slowest = {name: c.name, ms: o.ms}
          const p = problems(c, o)
          if (p.length > 0)
            failures.push(
              `${c.name} (seed ${SEED}): ${p.join('; ')}\n  exit ${o.code}; stderr: ${o.stderr.slice(0, 300)}`,
            )
        }
      }),
    )
    console.log(
      `hostile corpus: ${cases.length} cases; exit codes ${JSON.stringify(Object.fromEntries(codes))}; slowest ${slowest.name} ${slowest.ms} ms`,
    )
    expect(failures).toEqual([])
    // The corpus is mostly broken input: most cases must be refused as such, not pass.
    expect(codes.get(2) ?? 0).toBeGreaterThan(cases.length / 3)
  }, 300_000)
})
