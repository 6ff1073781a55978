/**
 * The lab's db profile (PostgreSQL primary + standby under the Pacemaker pgsql
 * resource agent, VIP on the primary, a monitoring node with Prometheus lag
 * rules) and `hacheck audit` item 5 on it: healthy, with the lag rule above the
 * RPO, without a lag rule, and with asynchronous replication while the RPO is 0.
 *
 * The profile is built once (one lab rebuild) for this folder; every variant is
 * applied live. failover.test.ts runs next on the same lab: the switch to the
 * async variant (which restarts the clone, 1-2 min) is done once, there, where
 * audit item 5 is also checked on it.
 */
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {LabStatus} from '../../../src/lab/lab.js'
import {DB_NAME, DB_USER, PG_PORT} from '../../../src/lab/render-db.js'
import {VIP} from '../../../src/lab/topology.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants, waitFor} from '../lab/helpers.js'
import {audit} from '../audit/run-audit.js'
import {item5, messages, primaryOf, psql, replicationRows, said} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('the db lab profile and audit item 5 on it'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: Awaited<ReturnType<typeof labRunner>>['node']

  beforeAll(async () => {
    status = await ensureLab('db')
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
  })

  it('comes up with one promoted PostgreSQL streaming synchronously to the standby, the VIP on the primary, writes through the VIP replicated', async () => {
    expect(status.profile).toBe('db')
    expect(status.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual([
      'db1:cluster+db',
      'db2:cluster+db',
      'mon1:cluster+monitor',
    ])
    expect(status.vip).toBe(VIP)
    const primary = await primaryOf(runner, node)
    const standby = primary === 'db1' ? 'db2' : 'db1'
    expect(await sh(runner, node(primary), ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).toContain(
      `${VIP}/24`,
    )
    expect(await sh(runner, node(standby), ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).not.toContain(
      VIP,
    )
    expect(await replicationRows(runner, node(primary))).toEqual([
      {name: standby, state: 'streaming', sync: 'sync'},
    ])

    // A client of the database through the VIP (trust from the public network), read back on the standby.
    const client = new pg.Client({host: VIP, port: PG_PORT, user: DB_USER, database: DB_NAME})
    await client.connect()
    const token = `t${Date.now()}`
    try {
      await client.query('CREATE TABLE IF NOT EXISTS lab_probe (token text PRIMARY KEY)')
      await client.query('INSERT INTO lab_probe VALUES ($1)', [token])
      const who = await client.query<{r: boolean}>('SELECT pg_is_in_recovery() AS r')
      expect(who.rows[0]?.r).toBe(false)
    } finally {
      await client.end()
    }
    // Synchronous commit waited for the standby's flush; replay follows within a moment.
    await waitFor('the row replayed on the standby', 10_000, async () => {
      const out = await psql(
        runner,
        node(standby),
        `SELECT count(*) FROM lab_probe WHERE token = '${token}'`,
        DB_NAME,
      )
      return out.trim() === '1' ? true : undefined
    })
  })

  it('audit item 5 passes on the synchronous lab with a lag alert that fires within the RPO budget', async () => {
    const {report} = await audit(status.inventory as string)
    expect(item5(report), said(report)).toEqual({
      'replication.lag-alert': ['pass'],
      'replication.mode-vs-rpo': ['pass'],
      'replication.current-lag': ['pass', 'pass'],
    })
    expect(messages(report, 'replication.lag-alert')).toMatch(/PostgresqlReplicationLag/)
    expect(messages(report, 'replication.mode-vs-rpo')).toMatch(/synchronous/)
  })

  it('audit item 5 fails when the lag alert fires later than the RPO allows (lag-rule-above-rpo)', async () => {
    status = await useVariants(['lag-rule-above-rpo'])
    const {code, report} = await audit(status.inventory as string)
    const r = item5(report)
    expect(r['replication.lag-alert'], said(report)).toEqual(['fail'])
    expect(messages(report, 'replication.lag-alert')).toMatch(/fires 120 s after the lag starts, later than/)
    expect(r['replication.mode-vs-rpo'], said(report)).toEqual(['pass'])
    expect(code).not.toBe(0)
  })

  it('audit item 5 fails when the monitoring node has no replication-lag rule (no-lag-rule)', async () => {
    status = await useVariants(['no-lag-rule'])
    const {report} = await audit(status.inventory as string)
    const r = item5(report)
    expect(r['replication.lag-alert'], said(report)).toEqual(['fail'])
    expect(messages(report, 'replication.lag-alert')).toMatch(/no alert rule on replication lag/)
    expect(r['replication.mode-vs-rpo'], said(report)).toEqual(['pass'])
  })
})
