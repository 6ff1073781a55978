/** The chaos commands as an operator runs them, where no cluster is needed. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {newLedger, writeLedger} from '../../../src/chaos/safety/ledger.js'
import {repoRoot} from '../../support/paths.js'
import {hacheck as run, type CliResult} from '../../support/source-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-chaos-cli-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const inv = join(dir, 'self.yaml')
writeFileSync(
  inv,
  'cluster: {name: self, stack: pacemaker}\nnodes:\n  - {name: me, host: 127.0.0.1, roles: [cluster]}\n',
)

/** From the sources (bin/dev.js would load dist/ through a possibly stale oclif.manifest.json), with a state dir of its own. */
const hacheck = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  run(args, {env: {XDG_STATE_HOME: join(dir, 'state'), HACHECK_INVENTORY: '', ...env}})

describe('hacheck chaos (no cluster needed)', () => {
  it('--workload pg-write without a database, with a password in --pg-url or without its password variable, and a write expectation without it, are exit 2 before anything runs', async () => {
    const noDb = await hacheck([
      'chaos',
      'power-off',
      '-i',
      inv,
      '--node',
      'me',
      '--workload',
      'pg-write',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(noDb.code).toBe(2)
    expect(noDb.stderr).toMatch(/describes no database .*--pg-url/)
    const pw = await hacheck([
      'chaos',
      'power-off',
      '-i',
      inv,
      '--node',
      'me',
      '--workload',
      'pg-write',
      '--pg-url',
      'postgres://app:Sekr1t-pw@127.0.0.1:5432/app',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(pw.code).toBe(2)
    expect(pw.stderr).toMatch(/a password in the URL would show in process lists/)
    expect(pw.stderr).not.toContain('Sekr1t-pw')
    const dbInv = join(dir, 'db.yaml')
    writeFileSync(
      dbInv,
      'cluster: {name: self, stack: pacemaker, vip: 127.0.0.9, database: {kind: postgresql, user: app, passwordEnv: HACHECK_TEST_DB_PW}}\nnodes:\n  - {name: me, host: 127.0.0.1, roles: [cluster, db]}\n',
    )
    const env = await hacheck([
      'chaos',
      'power-off',
      '-i',
      dbInv,
      '--node',
      'me',
      '--workload',
      'pg-write',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(env.code).toBe(2)
    const noWrites = await hacheck([
      'chaos',
      'power-off',
      '-i',
      inv,
      '--node',
      'me',
      '--expect',
      'rpo <= 0s',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(noWrites.code).toBe(2)
    expect(noWrites.stderr).toMatch(/--expect rpo <= 0s: needs a write workload \(--workload pg-write\)/)
    expect(env.stderr).toMatch(/\$HACHECK_TEST_DB_PW \(cluster\.database\.passwordEnv\), which is not set/)
  })

  it('refuses a fault on the controller itself, with exit 2 and one clear line', async () => {
    const r = await hacheck([
      'chaos',
      'link-pull',
      '-i',
      inv,
      '--node',
      'me',
      '--network',
      'heartbeat',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /refusing: node me \(127\.0\.0\.1\) is this machine: 127\.0\.0\.1 is a loopback address of this machine/,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('bad input is exit 2 without a stack trace', async () => {
    const bad = await hacheck([
      'chaos',
      'netem',
      '-i',
      inv,
      '--node',
      'me',
      '--network',
      'x',
      '--loss',
      'lots',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--loss: expected a percentage/)
    const exp = await hacheck([
      'chaos',
      'power-off',
      '-i',
      inv,
      '--node',
      'me',
      '--expect',
      'rto is short',
      '--yes',
      '--log-file',
      'none',
    ])
    expect(exp.code).toBe(2)
    expect(exp.stderr).toMatch(/invalid expectation "rto is short"/)
    const gd = await hacheck([
      'chaos',
      'run',
      join(repoRoot, 'test', 'fixtures', 'chaos', 'gameday', 'invalid-many.yaml'),
      '-i',
      inv,
      '--log-file',
      'none',
    ])
    expect(gd.code).toBe(2)
    expect(gd.stderr).toMatch(/invalid-many\.yaml:4:3: workload\.rat: unknown key "rat"/)
  })

  it('revert with nothing left says so and exits 0', async () => {
    const r = await hacheck(['chaos', 'revert', '--log-file', 'none'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/no leftover ledger/)
  })

  it('revert keeps a ledger it cannot replay and exits 3', async () => {
    const e = newLedger({
      runId: 'cli-left',
      fault: 'link-pull',
      targets: ['n9'],
      summary: 'pretend',
      nodes: [{name: 'n9', host: '127.0.0.1', port: 1, roles: [], ssh: {user: 'root'}}],
      revert: [{kind: 'node', node: 'n9', what: 'undo on n9', script: 'true'}],
      verifyReverted: [],
      deadmen: [],
    })
    e.controller.pid = 999_999_999
    writeLedger(e, join(dir, 'state', 'hacheck', 'ledger'))
    const r = await hacheck([
      'chaos',
      'revert',
      '--retry-timeout',
      '0',
      '--format',
      'json',
      '--log-file',
      'none',
    ])
    expect(r.code).toBe(3)
    const j = JSON.parse(r.stdout) as {found: number; cleaned: number; left: number}
    expect(j).toMatchObject({found: 1, cleaned: 0, left: 1})
  })
})
