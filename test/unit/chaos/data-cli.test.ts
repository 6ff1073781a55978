/**
 * `hacheck chaos data` refusals, run from the sources as an operator types them: each one before anything
 * connects to a node, with exit 2 and a message naming what to change.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {hacheck} from '../../support/source-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-data-cli-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const inventory = (name: string, g3Host: string): string => {
  const file = join(dir, name)
  writeFileSync(
    file,
    [
      'cluster: { name: g, stack: generic, objectives: { rto: 30s, rpo: 0s } }',
      'ssh: { user: root }',
      'nodes:',
      '  - { name: g1, host: 198.18.4.11, roles: [galera] }',
      '  - { name: g2, host: 198.18.4.12, roles: [galera] }',
      `  - { name: g3, host: ${g3Host}, roles: [galera] }`,
      '',
    ].join('\n'),
  )
  return file
}

describe('hacheck chaos data refuses before touching a node', () => {
  const ok = inventory('galera.yaml', '198.18.4.13')

  it('asks for --yes without a terminal, naming the experiment and its target', async () => {
    const r = await hacheck([
      'chaos',
      'data',
      'galera-partition',
      '-i',
      ok,
      '--database',
      'd',
      '--db-user',
      'u',
    ])
    expect(r.stderr).toMatch(/refusing to run galera-partition on g3 without confirmation: .*pass --yes/)
    expect(r.code).toBe(2)
  })

  it('refuses a system node that is this machine (the controller)', async () => {
    const self = inventory('self.yaml', '127.0.0.1')
    const r = await hacheck([
      'chaos',
      'data',
      'galera-partition',
      '-i',
      self,
      '--database',
      'd',
      '--db-user',
      'u',
      '--yes',
    ])
    expect(r.stderr).toMatch(/refusing: node g3 \(127\.0\.0\.1\) is this machine/)
    expect(r.code).toBe(2)
  })

  it('names the missing database and the password variable, and a Patroni experiment on a Galera inventory', async () => {
    const db = await hacheck(['chaos', 'data', 'galera-partition', '-i', ok, '--yes'])
    expect(db.stderr).toMatch(/pass --database and --db-user .*MYSQL_PWD/)
    expect(db.code).toBe(2)
    const pg = await hacheck([
      'chaos',
      'data',
      'patroni-kill-leader',
      '-i',
      ok,
      '--database',
      'd',
      '--db-user',
      'u',
      '--yes',
    ])
    expect(pg.stderr).toMatch(
      /needs the patroni nodes of the cluster in the inventory \(role patroni\); found none/,
    )
    expect(pg.code).toBe(2)
  })
})
