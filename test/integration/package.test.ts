/**
 * The npm package as a user gets it: `npm pack` of this checkout (built by
 * scripts/test.sh), `npm install` of the tarball into an empty prefix, then
 * the installed `hacheck` run from a directory outside the checkout. The
 * tarball must hold every file README.md and `--help` point at. No lab, no
 * root: dependencies come from the npm cache that `npm ci` filled, else the
 * registry.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {repoRoot} from '../support/paths.js'

const tmp = mkdtempSync(join(tmpdir(), 'hacheck-pack-'))
const prefix = join(tmp, 'prefix')
const installed = join(prefix, 'node_modules', 'hacheck')
const bin = join(prefix, 'node_modules', '.bin', 'hacheck')
let packed: string[] = []

afterAll(() => rmSync(tmp, {recursive: true, force: true}))

beforeAll(() => {
  expect(existsSync(join(repoRoot, 'dist', 'commands', 'audit.js')), 'dist/ is built (npm run build)').toBe(
    true,
  )
  // --ignore-scripts: no prepack rebuild, scripts/test.sh has just built dist/.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const [info] = JSON.parse(out) as {filename: string; files: {path: string}[]}[]
  packed = (info?.files ?? []).map((f) => f.path)
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(tmp, info?.filename ?? ''),
    ],
    {cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'], timeout: 280_000},
  )
}, 300_000)

/** A user's environment: no NODE_ENV (vitest's "test" puts oclif in development mode). */
function hacheck(...args: string[]): {status: number | null; stdout: string; stderr: string} {
  const env = {...process.env}
  delete env.NODE_ENV
  delete env.HACHECK_DEBUG
  return spawnSync(bin, [...args], {cwd: tmp, encoding: 'utf8', env})
}

/** Repository paths a text points at: markdown links and paths under the folders the package ships. */
function pathsIn(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)#\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((p) => !/^\w+:/.test(p))
  const bare = [
    ...text.matchAll(
      /(?<![\w/.$-])((?:examples|docs|schemas|checklists|lab|scripts|bin|deploy)\/[\w./-]*[\w/])/g,
    ),
  ].map((m) => m[1] as string)
  return [...new Set([...links, ...bare])]
}

const inPackage = (p: string): boolean => packed.some((f) => f === p || f.startsWith(p.replace(/\/?$/, '/')))

describe('the npm package', () => {
  it('holds the LICENSE and every file README.md and --help refer to', () => {
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/run.js']))
    const readme = pathsIn(readFileSync(join(repoRoot, 'README.md'), 'utf8'))
    expect(readme).toEqual(expect.arrayContaining(['examples/lab-healthy', 'docs/inventory.md']))
    const manifest = readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')
    const help = pathsIn(manifest.replace(/\\n/g, '\n'))
    expect(help).toEqual(
      expect.arrayContaining(['scripts/install-deps.sh', 'examples/gamedays/heartbeat-failover.yaml']),
    )
    const missing = [...readme, ...help].filter((p) => !inPackage(p))
    expect(missing, 'referred to but not in the tarball').toEqual([])
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
  })

  it('runs --version, -h and a saved audit from the install', () => {
    const version = hacheck('--version')
    expect(version.stdout).toMatch(/^hacheck\/\d+\.\d+\.\d+ /)
    const help = hacheck('audit', '-h')
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/USAGE\n {2}\$ hacheck audit/)
    const audit = hacheck('audit', '--from', join(installed, 'examples', 'lab-healthy'), '--log-file', 'none')
    expect(audit.stderr).not.toMatch(/^ {4}at /m)
    expect(audit.stdout).toMatch(/PASSED .*\(exit 0\)/)
    expect(audit.status).toBe(0)
  })

  it('lists the lab packages with lab deps, the install script beside them', () => {
    const r = hacheck('lab', 'deps', '--json', '--log-file', 'none')
    expect([0, 3]).toContain(r.status)
    const deps = JSON.parse(r.stdout) as {packages: {name: string}[]; missing: string[]}
    expect(deps.packages.map((p) => p.name)).toEqual(
      readFileSync(join(repoRoot, 'lab', 'packages.txt'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    )
    expect(r.status).toBe(deps.missing.length ? 3 : 0)
    expect(existsSync(join(installed, 'scripts', 'install-deps.sh'))).toBe(true)
    // The README says up front how many Debian packages the set-up installs.
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(
      `**${deps.packages.length} Debian packages**`,
    )
  })

  it('says which command was meant for a typo, with exit 2', () => {
    const r = hacheck('chaos', 'power-of')
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(
      'error: "hacheck chaos power-of" is not a command (did you mean "hacheck chaos power-off"?)\n',
    )
  })

  it('completes commands and flags in bash', () => {
    const setup = hacheck('autocomplete', 'bash')
    expect(setup.status, setup.stderr).toBe(0)
    const cache = process.env.XDG_CACHE_HOME as string
    const fn = join(cache, 'hacheck', 'autocomplete', 'functions', 'bash', 'hacheck.bash')
    const complete = (words: string): string =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _hacheck_autocomplete; echo "\${COMPREPLY[@]}"`,
          'complete',
          fn,
        ],
        {encoding: 'utf8'},
      ).trim()
    expect(complete('hacheck ch').split(' ')).toEqual(expect.arrayContaining(['chaos', 'checks']))
    expect(complete('hacheck audit --conn')).toBe('--connect-timeout')
    expect(complete('hacheck chaos link')).toBe('link-pull')
  })
})
