import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'

import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'

import {findOnPath} from '../../src/inventory/ansible.js'

/**
 * The inventory commands as operators run them: `node bin/run.js …` on the
 * build in dist/ (scripts/test.sh builds first; this file rebuilds when dist/
 * is older than the inventory sources).
 */

const ROOT = resolve(import.meta.dirname, '../..')
const RUN = join(ROOT, 'bin/run.js')
const FIXTURES = join(ROOT, 'test/fixtures/inventory')
const VALID = join(FIXTURES, 'valid')
const INVALID = join(FIXTURES, 'invalid')
const ANSIBLE = join(FIXTURES, 'ansible')
const STATE = mkdtempSync(join(tmpdir(), 'hacheck-cli-state-'))

const corpus = readdirSync(INVALID)
  .filter((f) => !f.endsWith('.expected'))
  .sort()
const expectedOf = (f: string): string => readFileSync(join(INVALID, `${f}.expected`), 'utf8').trimEnd()

interface Run {
  exitCode: number | undefined
  stdout: string
  stderr: string
}

async function hacheck(
  args: string[],
  opts: {cwd?: string; env?: Record<string, string | undefined>} = {},
): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    XDG_STATE_HOME: STATE,
    HACHECK_INVENTORY: undefined,
    HACHECK_DEBUG: undefined,
    NODE_ENV: undefined,
    ...opts.env,
  }
  const res = await execa('node', [RUN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: env as Record<string, string>,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: 120_000,
  })
  return {exitCode: res.exitCode, stdout: String(res.stdout), stderr: String(res.stderr)}
}

/** No stack trace, whatever happened. */
function expectNoStack(r: Run): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^ {4}at /m)
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs))
}

beforeAll(() => {
  const built = join(ROOT, 'dist/commands/inventory/validate.js')
  const sources = Math.max(
    newestMtime(join(ROOT, 'src/inventory')),
    newestMtime(join(ROOT, 'src/commands/inventory')),
    newestMtime(join(ROOT, 'src/core')),
    newestMtime(join(ROOT, 'src/cli')),
  )
  if (
    !existsSync(built) ||
    statSync(built).mtimeMs < sources ||
    !existsSync(join(ROOT, 'dist/inventory/load.js'))
  ) {
    try {
      // Not `npm run build` (rm -rf dist): others may be using dist/. Type errors elsewhere still emit.
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: ROOT, stdio: 'ignore'})
    } catch {
      // checked below
    }
  }
  expect(existsSync(built), 'dist/ has the inventory commands (npm run build)').toBe(true)
}, 180_000)

describe.concurrent('hacheck inventory validate on the invalid corpus', () => {
  it.each(corpus)('rejects %s with exit 2 and its one-line message on stderr, no stack trace', async (f) => {
    const r = await hacheck(['inventory', 'validate', f], {cwd: INVALID})
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trimEnd()).toBe(expectedOf(f))
    expect(r.stdout).toBe('')
    expectNoStack(r)
  })

  // Every CLI start costs seconds on a busy 2-core CI box: --json on a sample of each kind of failure.
  const jsonSample = [
    'bad-duration.yaml',
    'bmc-plaintext-password.yaml',
    'duplicate-node-name.yaml',
    'empty.yaml',
    'json-syntax-error.json',
    'yaml-syntax-error.yaml',
  ]
  it.each(jsonSample)('reports %s as JSON with --json, exit 2, nothing else on stdout', async (f) => {
    const r = await hacheck(['inventory', 'validate', f, '--json'], {cwd: INVALID})
    expect(r.exitCode).toBe(2)
    const out = JSON.parse(r.stdout) as {valid: boolean; problems: {text: string}[]}
    expect(out.valid).toBe(false)
    expect(out.problems.map((p) => p.text).join('\n')).toBe(expectedOf(f))
    expectNoStack(r)
  })
})

describe('hacheck inventory validate', () => {
  it('says the example inventory is valid, and notes the unset BMC password variable', async () => {
    const r = await hacheck(['inventory', 'validate', 'lab.yaml'], {
      cwd: VALID,
      env: {LAB_BMC_PASSWORD: undefined},
    })
    // The key and known_hosts it names are not in the fixtures: warnings (the audit may run elsewhere), still valid.
    const missing = (key: string, file: string, path: string): string =>
      `warning: lab.yaml: ${path}: ${key} ${join(VALID, file)} does not exist on this machine (fine only if the audit runs on another controller that has it)\n`
    expect(r).toEqual({
      exitCode: 0,
      stdout: 'lab.yaml: valid (1 node: n1)\n',
      stderr:
        missing('identityFile', 'id_lab', 'nodes[0].ssh.identityFile[0]') +
        missing('knownHosts', 'known_hosts', 'nodes[0].ssh.knownHosts[0]') +
        'note: n1: LAB_BMC_PASSWORD is not set; power faults on this node will need it\n',
    })
  })

  it('prints no note when the BMC password variable is set', async () => {
    const r = await hacheck(['inventory', 'validate', 'lab.json'], {cwd: VALID, env: {LAB_BMC_PASSWORD: 'x'}})
    expect(r).toMatchObject({exitCode: 0, stdout: 'lab.json: valid (3 nodes: n1, n2, witness)\n'})
    expect(r.stderr).not.toMatch(/^note:/m)
  })

  it('reads the file from HACHECK_INVENTORY when none is given', async () => {
    const r = await hacheck(['inventory', 'validate', '--json'], {
      env: {HACHECK_INVENTORY: join(VALID, 'full.yaml')},
    })
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({valid: true, nodes: ['lb1', 'lb2', 'db1', 'db2', 'qdevice']})
  })

  it('names a missing file, exit 2, no stack trace', async () => {
    const r = await hacheck(['inventory', 'validate', 'nope.yaml'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toBe('nope.yaml: cannot read the inventory: no such file\n')
    expectNoStack(r)
  })

  it('asks for a file when there is neither an argument nor HACHECK_INVENTORY', async () => {
    const r = await hacheck(['inventory', 'validate'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('missing FILE: give the inventory file, set HACHECK_INVENTORY')
    expectNoStack(r)
  })
})

describe('hacheck inventory show', () => {
  const SECRET = 'sup3r-s3cret-bmc-value'

  it('prints the resolved inventory with the BMC password variable named, never its value', async () => {
    const r = await hacheck(['inventory', 'show', join(VALID, 'lab.yaml')], {env: {LAB_BMC_PASSWORD: SECRET}})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('passwordEnv: LAB_BMC_PASSWORD\n      passwordEnvSet: true\n')
    expect(r.stdout).toContain(`- ${join(VALID, 'id_lab')}`)
    expect(r.stdout).toContain('rtoMs: 30000')
    expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET)
  })

  it('returns the same view as JSON, saying when the variable is unset', async () => {
    const r = await hacheck(['inventory', 'show', join(VALID, 'full.yaml'), '--json'], {
      env: {SHOP_BMC_PASSWORD: undefined, HACHECK_KEY_PASSPHRASE: SECRET},
    })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).not.toContain(SECRET)
    const view = JSON.parse(r.stdout) as {
      cluster: {objectives: unknown}
      nodes: {name: string; bmc?: unknown; ssh: {passphraseEnvSet?: boolean}}[]
    }
    expect(view.cluster.objectives).toEqual({rtoMs: 90_000, rpoMs: 500})
    const db1 = view.nodes.find((n) => n.name === 'db1')
    expect(db1?.bmc).toEqual({
      host: '198.18.3.131',
      port: 6230,
      user: 'admin',
      passwordEnv: 'SHOP_BMC_PASSWORD',
      interface: 'lanplus',
      cipher: 17,
      passwordEnvSet: false,
    })
    expect(db1?.ssh.passphraseEnvSet).toBe(true)
  })

  it('refuses an invalid inventory with the same one-line message as validate', async () => {
    const r = await hacheck(['inventory', 'show', 'bad-duration.yaml'], {cwd: INVALID})
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trimEnd()).toBe(expectedOf('bad-duration.yaml'))
    expectNoStack(r)
  })
})

describe('hacheck inventory import', () => {
  it('writes a valid hacheck inventory from an Ansible INI file with the built-in parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-import-'))
    const out = join(dir, 'shop.yaml')
    const r = await hacheck([
      'inventory',
      'import',
      '--ansible',
      join(ANSIBLE, 'hosts.ini'),
      '--parser',
      'builtin',
      '--name',
      'shop',
      '-o',
      out,
    ])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`${out}: written (9 nodes: lb1, lb2, node1, node2, node3,`)
    // The golden file differs only in where the key path is relative to.
    const golden = readFileSync(join(ANSIBLE, 'hosts.ini.hacheck.yaml'), 'utf8')
    expect(readFileSync(out, 'utf8')).toBe(
      golden.replace(
        'identityFile: ./keys/id_hacheck',
        `identityFile: ${relative(dir, join(ANSIBLE, 'keys/id_hacheck'))}`,
      ),
    )
    const v = await hacheck(['inventory', 'validate', out])
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toBe(
      `${out}: valid (9 nodes: lb1, lb2, node1, node2, node3, app-a.shop.example, app-b.shop.example, 198.18.2.40, witness.shop.example)\n`,
    )
  })

  it('prints the inventory on stdout from an Ansible YAML file, and it validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-import-'))
    const r = await hacheck([
      'inventory',
      'import',
      '--ansible',
      join(ANSIBLE, 'hosts.yml'),
      '--parser',
      'builtin',
      '--name',
      'billing',
    ])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(ANSIBLE, 'hosts.yml.hacheck.yaml'), 'utf8'))
    writeFileSync(join(dir, 'billing.yaml'), r.stdout)
    expect((await hacheck(['inventory', 'validate', join(dir, 'billing.yaml')])).exitCode).toBe(0)
  })

  it('applies --user to hosts without ansible_user and warns about ignored passwords on stderr', async () => {
    const r = await hacheck([
      'inventory',
      'import',
      '--ansible',
      join(ANSIBLE, 'edge.ini'),
      '--parser',
      'builtin',
      '--name',
      'edge',
      '--user',
      'ops',
    ])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('ssh:\n  user: ops\n')
    expect(r.stdout).not.toContain('hunter2')
    expect(r.stderr).toContain('warning: host w1: ansible_password ignored')
  })

  it('refuses to overwrite an existing --output without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-import-'))
    const out = join(dir, 'lab.yaml')
    writeFileSync(out, 'keep me\n')
    const args = [
      'inventory',
      'import',
      '--ansible',
      join(ANSIBLE, 'hosts.yml'),
      '--parser',
      'builtin',
      '-o',
      out,
    ]
    const r = await hacheck(args)
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain(`${out} already exists; use --force to overwrite it`)
    expect(readFileSync(out, 'utf8')).toBe('keep me\n')
    expectNoStack(r)
    expect((await hacheck([...args, '--force'])).exitCode).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('name: lb1')
  })

  it('reports an unreadable Ansible line with exit 2 and no stack trace', async () => {
    const r = await hacheck(['inventory', 'import', '--ansible', 'broken.ini', '--parser', 'builtin'], {
      cwd: ANSIBLE,
    })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('broken.ini:3: expected key=value, found "ansible_host"')
    expectNoStack(r)
  })

  it('reads the Ansible file through ansible-inventory when it is installed', async (ctx) => {
    if (!findOnPath('ansible-inventory'))
      ctx.skip('ansible-inventory is not on the PATH (Debian: apt-get install ansible-core)')
    const r = await hacheck([
      'inventory',
      'import',
      '--ansible',
      join(ANSIBLE, 'hosts.yml'),
      '--name',
      'billing',
      '--json',
    ])
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout) as {parser: string; yaml: string}
    expect(out.parser).toBe('ansible-inventory')
    expect(out.yaml).toBe(readFileSync(join(ANSIBLE, 'hosts.yml.hacheck.yaml'), 'utf8'))
  })
})

describe('inventory command help', () => {
  it.each(['validate', 'show', 'import'])('documents inventory %s with examples', async (cmd) => {
    const r = await hacheck(['inventory', cmd, '--help'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('EXAMPLES')
    expect(r.stdout).toContain(`$ hacheck inventory ${cmd}`)
  })
})
