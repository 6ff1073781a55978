/**
 * The pg-write workload against a REAL PostgreSQL 15 (a throwaway server on
 * 127.0.0.1, see test/support/postgres.ts), crashed mid-run with
 * `pg_ctl stop -m immediate` and started again. No lab, no SSH: the server is
 * this test's own, and only it is stopped (pg_ctl with its data directory).
 *
 * What is checked is the accounting, on both sides and independently: the
 * acknowledged writes come from the client's timeline, the rows from psql over
 * the unix socket (not the node client hacheck uses), and they must agree with
 * what readBackWrites/writeMetrics report, exactly.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeMetrics} from '../../src/chaos/workloads/writes.js'
import {preparePgWrites, readBackWrites, writesTable} from '../../src/chaos/workloads/pg/table.js'
import type {PgWriteSpec} from '../../src/chaos/workloads/pg/target.js'
import {startPgWrites} from '../../src/chaos/workloads/pg/writer.js'
import {newRunId, runExperiment} from '../../src/chaos/run/experiment.js'
import type {TimelineEvent, WriteEvent} from '../../src/chaos/timeline.js'
import type {FaultPlan, LocalStep} from '../../src/chaos/plan/types.js'
import type {CommandRunner} from '../../src/core/types.js'
import {parseInventory} from '../../src/inventory/load.js'
import {runLocal} from '../../src/transport/local.js'
import {ackedSeqsOf, crossCheckLostWrites, parseSeqList} from '../support/pg-readback.js'
import {createTestPostgres, PG_BIN, postgresSkipReason, type TestPostgres} from '../support/postgres.js'

const skip = postgresSkipReason()
if (skip) console.warn(`pg-write integration test skipped: ${skip}`)

const PW_ENV = 'HACHECK_IT_PG_PASSWORD'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe.skipIf(skip !== undefined)('pg-write against a real PostgreSQL crashed mid-run', () => {
  let pg: TestPostgres
  let env: NodeJS.ProcessEnv
  const dirs: string[] = []

  beforeAll(async () => {
    pg = await createTestPostgres()
    env = {...process.env, [PW_ENV]: pg.password}
  })
  afterAll(() => {
    try {
      pg?.stop()
    } finally {
      pg?.remove()
      for (const d of dirs) rmSync(d, {recursive: true, force: true})
    }
  })

  const spec = (): PgWriteSpec => ({
    kind: 'pg-write',
    target: {host: pg.host, port: pg.port, database: pg.database, user: pg.user, passwordEnv: PW_ENV},
    ratePerS: 50,
    timeoutMs: 1000,
  })

  const exists = (table: string): boolean =>
    pg.psql(`SELECT to_regclass('${table}') IS NOT NULL;`).trim() === 't'

  it('every acknowledged write survives a crash; acked, failed, unknown and read-back counts agree exactly; the table is dropped', async () => {
    const runId = newRunId()
    const table = writesTable(runId)
    const info = await preparePgWrites(spec(), table, env)
    expect(info.inRecovery).toBe(false)
    expect(exists(table)).toBe(true)

    const events: WriteEvent[] = []
    const running = startPgWrites(spec(), table, runId, (e) => events.push(e), env)
    await sleep(2000)
    pg.crash()
    await sleep(1500)
    pg.start()
    await sleep(2500)
    await running.stop()

    // Every attempt is on the timeline, once, in sequence.
    expect(events).toHaveLength(running.sent())
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({length: running.sent()}, (_, i) => i + 1),
    )
    const acked = events.filter((e) => e.ok)
    const failed = events.filter((e) => e.outcome === 'failed')
    const unknown = events.filter((e) => e.outcome === 'unknown')
    expect(acked.length + failed.length + unknown.length).toBe(events.length)
    expect(acked.length).toBeGreaterThan(100)
    // While the server was down, connections were refused: failed, never sent.
    expect(failed.length).toBeGreaterThan(20)
    expect(failed.every((e) => /ECONNREFUSED|ECONNRESET|57P03|timeout|terminated/i.test(e.error ?? ''))).toBe(
      true,
    )
    // The restart is a new server (postmaster start time): two primary identities, no split-brain.
    expect(acked.every((e) => typeof e.primary === 'string')).toBe(true)
    expect(new Set(acked.map((e) => e.primary)).size).toBe(2)

    // The independent side: psql over the unix socket, before hacheck reads anything back.
    const rows = parseSeqList(pg.psql(`SELECT seq FROM ${table} ORDER BY seq;`))
    const check = crossCheckLostWrites(ackedSeqsOf(events as TimelineEvent[]), rows)
    expect(check.lost).toEqual([]) // fsync on, synchronous_commit on: an acknowledged commit survives a crash
    // Unknown outcomes may have committed or not; failed ones never did.
    const unknownSeqs = new Set(unknown.map((e) => e.seq))
    expect(check.presentUnacked.every((s) => unknownSeqs.has(s))).toBe(true)

    // Remove three acknowledged rows behind hacheck's back: exactly those must be reported lost.
    const victims = [acked[10], acked[40], acked[acked.length - 5]].map((e) => e?.seq as number)
    pg.psql(`DELETE FROM ${table} WHERE seq IN (${victims.join(',')});`)

    const rb = await readBackWrites(spec(), table, {timeoutMs: 30_000, env})
    expect(rb.error).toBeUndefined()
    expect([...(rb.present?.keys() ?? [])].sort((a, b) => a - b)).toEqual(
      rows.filter((s) => !victims.includes(s)),
    )
    const m = writeMetrics(events, new Set(rb.present?.keys()))
    expect(m.acked).toBe(acked.length)
    expect(m.lost).toEqual([...victims].sort((a, b) => a - b))
    expect(m.present).toBe(rows.length - 3)
    expect(m.present).toBe(m.acked - m.lost.length + m.presentUnacked.length)
    expect(m.failedPresent).toEqual([])
    expect(m.unexpected).toEqual([])
    expect(m.splitBrain).toEqual([])
    expect(m.primaries).toHaveLength(2)
    expect(rb.readFrom).toBe(m.primaries[1])

    // Nothing left behind: the table is gone, and so are the connections.
    expect(rb.dropped).toBe(true)
    expect(exists(table)).toBe(false)
    await sleep(300)
    expect(
      pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hacheck-pg-write';").trim(),
    ).toBe('0')
  })

  it('a chaos experiment whose fault crashes the server reports ackedWrites, lostWrites 0 and rpo 0, and passes its write expectations', async () => {
    const state = mkdtempSync(join(tmpdir(), 'hacheck-pgw-state-'))
    dirs.push(state)
    const pgCtl = (...args: string[]): string[] => [
      'runuser',
      '-u',
      'postgres',
      '--',
      join(PG_BIN, 'pg_ctl'),
      '-D',
      pg.dataDir,
      ...args,
    ]
    const isReady = (up: boolean): LocalStep => ({
      kind: 'local',
      what: up ? 'PostgreSQL answers' : 'PostgreSQL is down',
      argv: ['bash', '-c', `${up ? '' : '! '}${join(PG_BIN, 'pg_isready')} -q -h 127.0.0.1 -p ${pg.port}`],
    })
    const plan: FaultPlan = {
      fault: 'kill-process',
      targets: ['db1'],
      summary: 'crash the test PostgreSQL (pg_ctl stop -m immediate)',
      notes: [],
      inject: [{kind: 'local', what: 'crash PostgreSQL', argv: pgCtl('-m', 'immediate', '-w', 'stop')}],
      verify: [isReady(false)],
      verifyTimeoutMs: 10_000,
      revert: [
        {
          kind: 'local',
          what: 'start PostgreSQL',
          argv: pgCtl('-l', join(pg.dir, 'postgres.log'), '-w', 'start'),
        },
      ],
      verifyReverted: [isReady(true)],
      revertTimeoutMs: 60_000,
      deadmen: [],
      holdMs: 2000,
      leavesMembership: [],
      expectFenced: [],
      defaultExpectations: [],
      reverts: true,
    }
    const inv = parseInventory(
      `cluster:
  name: pgtest
  stack: generic
  objectives: { rpo: 0s }
  database: { kind: postgresql, host: 127.0.0.1, port: ${pg.port}, name: ${pg.database}, user: ${pg.user}, passwordEnv: ${PW_ENV} }
nodes:
  - { name: db1, host: 127.0.0.1, roles: [db] }
`,
      join(state, 'inventory.yaml'),
    )
    const noSsh: CommandRunner = {
      run: () => Promise.reject(new Error('no SSH in this test')),
      close: () => Promise.resolve(),
    }
    const runId = newRunId()
    const {result, timeline} = await runExperiment(
      {
        runId,
        inventory: inv,
        plan,
        workload: {...spec(), ratePerS: 20},
        baselineMs: 1500,
        settleMs: 30_000,
        observe: false,
        readLogs: false,
        readBackTimeoutMs: 30_000,
      },
      {
        runner: noSsh,
        local: (argv, o) => runLocal(argv, {env: o.env, timeoutMs: o.timeoutMs}),
        env,
        stateDir: state,
        ledgerDir: join(state, 'ledger'),
      },
    )
    if (result.errors.length || result.metrics.clientOutageMs === null)
      console.error(
        JSON.stringify(
          {errors: result.errors, notes: result.notes, m: result.metrics, tail: timeline.slice(-30)},
          null,
          1,
        ),
      )
    expect(result.errors).toEqual([])
    const writes = timeline.filter((e): e is WriteEvent => e.kind === 'write')
    const ackedN = writes.filter((e) => e.ok).length
    expect(result.metrics).toMatchObject({
      ackedWrites: ackedN,
      lostWrites: 0,
      rpoMs: 0,
      firstLostSeq: null,
      lastLostSeq: null,
      splitBrainWrites: 0,
    })
    expect(result.metrics.writes).toMatchObject({attempted: writes.length, dropped: true})
    expect(result.metrics.failedProbes).toBeGreaterThan(0) // the crash is an outage on the writes
    expect(result.metrics.clientOutageMs).not.toBeNull()
    expect(result.workload).toMatch(
      /^pg-write postgres:\/\/hacheck_test@127\.0\.0\.1:\d+\/hacheck_test at 20\/s/,
    )
    expect(result.expectations.map((e) => [e.text, e.status])).toEqual([
      ['acked-writes > 0', 'pass'],
      ['split-brain-writes == 0', 'pass'],
      ['rpo <= 0ms', 'pass'],
    ])
    expect(result.status).toBe('pass')
    expect(exists(writesTable(runId))).toBe(false)
    // The password is in no result and no timeline event.
    expect(JSON.stringify(result)).not.toContain(pg.password)
    expect(JSON.stringify(timeline)).not.toContain(pg.password)
  })
})
