/**
 * The lab's mysql profile (MariaDB source m1 + replica m2, GTID replication, lossless semi-sync, no
 * Galera), audited on the MySQL/MariaDB replication checks: all pass when healthy, and each variant,
 * applied live, fails exactly its check on exactly its node. A write on the source is read back on the
 * replica over SSH (the mariadb client, nothing of src/), so "replication runs" is not taken on trust.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CheckResult} from '../../../src/core/results.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import {GALERA_DB} from '../../../src/lab/galera-topology.js'
import type {VariantName} from '../../../src/lab/topology.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {SshPool} from '../../../src/transport/index.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants} from '../lab/helpers.js'

const lab = labContext()
const CHECKS = ['replication.mode-vs-rpo', 'replication.current-lag', 'replication.read-only']
const only = CHECKS.flatMap((c) => ['--only', c])

/** check@node → status, for the three checks (skip is a node the check does not apply to). */
const byNode = (results: CheckResult[]): Record<string, string> =>
  Object.fromEntries(
    results.filter((r) => CHECKS.includes(r.id)).map((r) => [`${r.id}@${r.node ?? '-'}`, r.status]),
  )

const notPassing = (results: CheckResult[]): string[] =>
  Object.entries(byNode(results))
    .filter(([, s]) => s !== 'pass' && s !== 'skip')
    .map(([k, s]) => `${k}:${s}`)
    .sort()

describe.skipIf(!lab.available)(labTitle('the mysql lab profile, audited healthy and per variant'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: (name: string) => NodeSpec
  const sql = (n: string, q: string): Promise<string> => sh(runner, node(n), ['mariadb', '-N', '-B', '-e', q])

  beforeAll(async () => {
    status = await ensureLab('mysql')
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
  })

  it('comes up with m2 replicating from m1 under semi-sync: a write on m1 is read back on m2', async () => {
    expect(status.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual(['m1:mysql', 'm2:mysql'])
    await sql(
      'm1',
      `CREATE TABLE IF NOT EXISTS ${GALERA_DB}.smoke (id INT PRIMARY KEY); REPLACE INTO ${GALERA_DB}.smoke VALUES (7)`,
    )
    expect((await sql('m1', "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'")).trim()).toBe(
      'Rpl_semi_sync_master_status\tON',
    )
    let seen = ''
    for (let i = 0; i < 20 && seen !== '7'; i++) {
      seen = (await sql('m2', `SELECT id FROM ${GALERA_DB}.smoke`).catch(() => '')).trim()
      if (seen !== '7') await new Promise((r) => setTimeout(r, 250))
    }
    expect(seen).toBe('7')
    expect((await sql('m2', 'SELECT @@read_only')).trim()).toBe('1')
    await sql('m1', `DROP TABLE ${GALERA_DB}.smoke`)
  })

  it('passes the three replication checks when healthy (read-only skips the source)', async () => {
    const {code, report} = await audit(status.inventory as string, ...only)
    expect(byNode(report.results)).toEqual({
      'replication.mode-vs-rpo@m1': 'pass',
      'replication.current-lag@m1': 'pass',
      'replication.current-lag@m2': 'pass',
      'replication.read-only@m1': 'skip',
      'replication.read-only@m2': 'pass',
    })
    expect(code).toBe(0)
  })

  const cases: [VariantName, string, RegExp][] = [
    [
      'mysql-writable-replica',
      'replication.read-only@m2',
      /m2 .*replica of 198\.18\.4\.11:3306, accepts writes \(read_only=OFF\)/,
    ],
    [
      'mysql-sql-stopped',
      'replication.current-lag@m2',
      /m2 .*← 198\.18\.4\.11:3306: IO thread Yes, SQL thread No/,
    ],
    [
      'mysql-async',
      'replication.mode-vs-rpo@m1',
      /MariaDB source on m1 .* is asynchronous \(semi-sync not enabled\), but the RPO is 0/,
    ],
  ]
  for (const [variant, check, message] of cases) {
    it(`fails exactly ${check} with variant ${variant} (applied live)`, async () => {
      status = await useVariants([variant])
      const {code, report} = await audit(status.inventory as string, ...only)
      expect(notPassing(report.results)).toEqual([`${check}:fail`])
      const [id, n] = check.split('@')
      expect(report.results.find((r) => r.id === id && r.node === n)?.message).toMatch(message)
      expect(code).toBe(1)
    })
  }

  it('fails exactly replication.current-lag on m2 with variant mysql-delayed, once a write waits out the RPO', async () => {
    status = await useVariants(['mysql-delayed'])
    await sql(
      'm1',
      `CREATE TABLE IF NOT EXISTS ${GALERA_DB}.delayed (id INT PRIMARY KEY); REPLACE INTO ${GALERA_DB}.delayed VALUES (1)`,
    )
    // The RPO is 0: the check allows 5 s of lag; the replica applies the write 60 s late.
    await new Promise((r) => setTimeout(r, 7000))
    const {code, report} = await audit(status.inventory as string, ...only)
    expect(notPassing(report.results)).toEqual(['replication.current-lag@m2:fail'])
    expect(
      report.results.find((r) => r.id === 'replication.current-lag' && r.node === 'm2')?.message,
    ).toMatch(/m2 .*← 198\.18\.4\.11:3306: \d+ s behind, over 5 s/)
    expect(code).toBe(1)
  })

  it('back to healthy: the three checks pass again', async () => {
    status = await useVariants([])
    await sql('m1', `DROP TABLE IF EXISTS ${GALERA_DB}.delayed`)
    const {code, report} = await audit(status.inventory as string, ...only)
    expect(notPassing(report.results)).toEqual([])
    expect(code).toBe(0)
  })
})
