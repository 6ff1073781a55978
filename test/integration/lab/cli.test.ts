import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'

import {ensureLab, labContext, labTitle} from './helpers.js'

/** The lab commands as operators run them: `node bin/run.js lab …` on the build in dist/. */

const ROOT = resolve(import.meta.dirname, '../../..')
const RUN = join(ROOT, 'bin/run.js')
const STATE = mkdtempSync(join(tmpdir(), 'hacheck-lab-cli-'))
const lab = labContext()

interface Run {
  exitCode: number | undefined
  stdout: string
  stderr: string
}

async function hacheck(args: string[], opts: {asNobody?: boolean} = {}): Promise<Run> {
  const argv = opts.asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'node', RUN, ...args]
    : ['node', RUN, ...args]
  const r = await execa(argv[0] as string, argv.slice(1), {
    cwd: ROOT,
    env: {XDG_STATE_HOME: STATE, HACHECK_DEBUG: undefined},
    reject: false,
    stdin: 'ignore',
    timeout: 240_000,
  })
  return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr)}
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs))
}

describe.skipIf(!lab.available)(labTitle('hacheck lab commands'), () => {
  beforeAll(async () => {
    const built = join(ROOT, 'dist/commands/lab/status.js')
    const sources = Math.max(newestMtime(join(ROOT, 'src/lab')), newestMtime(join(ROOT, 'src/commands/lab')))
    if (!existsSync(built) || statSync(built).mtimeMs < sources) {
      try {
        // Not `npm run build` (rm -rf dist): others may be using dist/.
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: ROOT, stdio: 'ignore'})
      } catch {
        // type errors elsewhere still emit; checked below
      }
    }
    expect(existsSync(built), 'dist/ has the lab commands (npm run build)').toBe(true)
    await ensureLab()
  }, 300_000)

  it('prints the status contract with lab status --json: up, profile, variants, inventory, env, nodes', async () => {
    const r = await hacheck(['lab', 'status', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as {
      up: boolean
      profile: string
      variants: string[]
      inventory: string
      env: Record<string, string>
      nodes: {name: string; host: string; state: string}[]
    }
    expect(s.up).toBe(true)
    expect(s.profile).toBe('pacemaker3')
    expect(s.variants).toEqual([])
    expect(s.inventory).toMatch(/^\/.*\/inventory\.yaml$/)
    expect(existsSync(s.inventory)).toBe(true)
    expect(s.env.LAB_BMC_PASSWORD).toMatch(/^lab-/)
    expect(s.nodes.map((n) => `${n.name}@${n.host}:${n.state}`)).toEqual([
      'n1@198.18.2.11:running',
      'n2@198.18.2.12:running',
      'n3@198.18.2.13:running',
      'log@198.18.2.31:running',
    ])
    // The inventory never holds the password, only the variable's name.
    expect(readFileSync(s.inventory, 'utf8')).not.toContain(s.env.LAB_BMC_PASSWORD)
    expect(readFileSync(s.inventory, 'utf8')).toContain('passwordEnv: LAB_BMC_PASSWORD')
  })

  it('prints the next commands after lab up and keeps the BMC password out of the log file', async () => {
    const logFile = join(STATE, 'up.log')
    const r = await hacheck(['lab', 'up', '--log-file', logFile, '--verbose'])
    expect(r.exitCode, r.stderr).toBe(0)
    const pw = (
      JSON.parse((await hacheck(['lab', 'status', '--json'])).stdout) as {env: {LAB_BMC_PASSWORD: string}}
    ).env.LAB_BMC_PASSWORD
    expect(r.stdout).toContain(`export LAB_BMC_PASSWORD=${pw}`)
    expect(r.stdout).toMatch(/hacheck audit -i \/\S+\/inventory\.yaml/)
    expect(readFileSync(logFile, 'utf8')).toContain('lab exec')
    expect(readFileSync(logFile, 'utf8')).not.toContain(pw)
    expect(r.stderr).not.toContain(pw)
  })

  it('refuses unknown variants and variants of another profile with exit 2, before touching the lab', async () => {
    const unknown = await hacheck(['lab', 'up', '--variant', 'no-such-defect'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toMatch(/unknown lab variant "no-such-defect"/)
    const wrong = await hacheck(['lab', 'up', '--profile', 'web', '--variant', 'stonith-disabled'])
    expect(wrong.exitCode).toBe(2)
    expect(wrong.stderr).toMatch(/does not apply to profile web/)
    expect(`${unknown.stderr}${wrong.stderr}`).not.toMatch(/^ {4}at /m)
    const s = JSON.parse((await hacheck(['lab', 'status', '--json'])).stdout) as {
      profile: string
      up: boolean
    }
    expect(s).toMatchObject({profile: 'pacemaker3', up: true})
  })

  it('refuses to run as a non-root user with one clear line and exit 2', async () => {
    const r = await hacheck(['lab', 'status'], {asNobody: true})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/must run as root/)
    expect(r.stderr).not.toMatch(/^ {4}at /m)
  })

  it('lists every package of lab/packages.txt as installed with lab deps', async () => {
    const r = await hacheck(['lab', 'deps', '--json'])
    expect(r.exitCode).toBe(0)
    const d = JSON.parse(r.stdout) as {packages: {name: string; installed: boolean}[]; missing: string[]}
    const listed = readFileSync(join(ROOT, 'lab/packages.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
    expect(d.packages.map((p) => p.name)).toEqual(listed)
    expect(d.missing).toEqual([])
  })

  it('shows examples in --help of every lab command', async () => {
    for (const cmd of ['up', 'down', 'status', 'deps']) {
      const r = await hacheck(['lab', cmd, '--help'])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toMatch(/EXAMPLES/)
    }
  })
})
