/**
 * RPO measured as lost acknowledged writes, on the db lab (PostgreSQL primary +
 * standby under the Pacemaker pgsql RA, VIP on the primary): the contract
 * command `hacheck chaos power-off -i INV --node PRIMARY --duration 20s
 * --workload pg-write --yes --format json`, synchronous (nothing acknowledged
 * may be lost) and asynchronous with the WAL stream throttled (the writes the
 * standby never received are lost, and hacheck must count them exactly).
 *
 * Every count hacheck reports is cross-checked by code that shares nothing with
 * src/chaos: the acknowledged sequence numbers from the saved timeline, the rows
 * with psql on the new primary (test/support/pg-readback.ts).
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import {DB_NAME} from '../../../src/lab/render-db.js'
import type {SshPool} from '../../../src/transport/index.js'
import {
  ackedSeqsFromJsonl,
  crossCheckLostWrites,
  parseSeqList,
  psqlDropScript,
  psqlSeqsScript,
} from '../../support/pg-readback.js'
import {chaosEnv, hacheck} from '../chaos/helpers.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants, waitFor} from '../lab/helpers.js'
import {item5, messages, primaryOf, psql, replicationRows, said, type LabNode} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('chaos power-off of the PostgreSQL primary under pg-write'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: LabNode
  const state = mkdtempSync(join(tmpdir(), 'hacheck-chaos-db-'))

  const powerOff = async (
    primary: string,
    extra: string[],
    whileRunning?: () => Promise<void>,
  ): Promise<{res: ChaosResult; code: number; acked: number[]}> => {
    const run = hacheck(
      [
        'chaos',
        'power-off',
        '-i',
        status.inventory as string,
        '--node',
        primary,
        '--duration',
        '20s',
        '--workload',
        'pg-write',
        '--pg-keep-table',
        '--settle',
        '150s',
        '--yes',
        '--format',
        'json',
        '--log-file',
        'none',
        ...extra,
      ],
      chaosEnv(state, status),
      400_000,
    )
    await whileRunning?.()
    const r = await run
    let res: ChaosResult
    try {
      res = JSON.parse(String(r.stdout)) as ChaosResult
    } catch {
      throw new Error(`no JSON result (exit ${r.exitCode}):\n${String(r.stdout)}\n${String(r.stderr)}`)
    }
    const m = res.metrics
    console.warn(
      `[chaos db] ${res.status} exit ${r.exitCode}; phases ${res.phases.map((p) => `${p.name}${p.node ? ` ${p.node}` : ''}@${(p.atMs / 1000).toFixed(2)}s`).join(', ')}; writes acked ${m.ackedWrites}, lost ${m.lostWrites} (${m.firstLostSeq}..${m.lastLostSeq}), rpo ${m.rpoMs} ms, unknown ${m.writes?.unknown}, failed ${m.writes?.failed}, present ${m.writes?.present}; expectations ${res.expectations.map((e) => `${e.text}=${e.status}`).join(', ')}${res.errors.length ? `; errors ${res.errors.join(' | ')}` : ''}`,
    )
    const acked = ackedSeqsFromJsonl(readFileSync(join(res.runDir as string, 'timeline.jsonl'), 'utf8'))
    return {res, code: r.exitCode ?? -1, acked}
  }

  /** The rows of the kept table, read with psql on the node that now holds the primary; then the table is dropped. */
  const readBack = async (table: string): Promise<{from: string; rows: number[]}> => {
    const from = await primaryOf(runner, node)
    const r = await runner.run(node(from), {script: psqlSeqsScript(table, DB_NAME)})
    // A table whose CREATE never reached the new primary has no rows there.
    if (r.exitCode !== 0 && !/relation "[^"]+" does not exist/.test(r.stderr))
      throw new Error(`read-back on ${from} failed: ${r.stderr}`)
    const rows = r.exitCode === 0 ? parseSeqList(r.stdout) : []
    await sh(runner, node(from), ['bash', '-c', psqlDropScript(table, DB_NAME)])
    return {from, rows}
  }

  beforeAll(async () => {
    status = await ensureLab('db')
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
  })

  it('synchronous replication: the primary powered off through its BMC under write load fails over with 0 acknowledged writes lost', async () => {
    const primary = await primaryOf(runner, node)
    const standby = primary === 'db1' ? 'db2' : 'db1'
    expect(await replicationRows(runner, node(primary))).toEqual([
      {name: standby, state: 'streaming', sync: 'sync'},
    ])

    const {res, code, acked} = await powerOff(primary, [])
    expect(res.errors).toEqual([])
    expect(res.phases.some((p) => p.name === 'resource-started' && p.node === standby)).toBe(true)
    expect(typeof res.metrics.recoveryMs).toBe('number')
    expect(res.metrics.ackedWrites).toBeGreaterThan(100)
    expect(res.metrics.lostWrites).toBe(0)
    expect(res.metrics.rpoMs).toBe(0)
    expect(res.metrics.splitBrainWrites).toBe(0)
    expect(res.metrics.writes).toMatchObject({failedPresent: 0, unexpected: 0, readFrom: expect.any(String)})
    expect(res.expectations.find((e) => e.text.startsWith('rpo <='))?.status).toBe('pass')
    expect(res.revert).toMatchObject({planned: true, done: true, verified: true, ledgerRemoved: true})

    // Independently: every acknowledged sequence number is a row on the new primary.
    const {from, rows} = await readBack(res.metrics.writes?.table as string)
    expect(from).toBe(standby)
    const x = crossCheckLostWrites(acked, rows)
    expect(x.acked).toBe(res.metrics.ackedWrites)
    expect(x.lost).toEqual([])
    expect(rows.length).toBe(res.metrics.writes?.present)
    expect(res.metrics.writes?.dropped).toBe(false)
    // With the kept table dropped, nothing of the run remains in the database.
    const left = await psql(
      runner,
      node(from),
      `SELECT count(*) FROM pg_tables WHERE tablename = '${res.metrics.writes?.table as string}'`,
      DB_NAME,
    )
    expect(left.trim()).toBe('0')
    // RTO is reported and judged against the declared 30 s; the exit code follows the expectations.
    expect(res.expectations.find((e) => e.text.startsWith('rto <='))?.observed).toMatch(/\d/)
    expect(code).toBe(res.expectations.every((e) => e.status === 'pass') ? 0 : 1)
  })

  it('the async variant streams asynchronously, and audit item 5 fails it because the declared RPO is 0', async () => {
    status = await useVariants(['async'])
    const primary = await primaryOf(runner, node)
    const standby = primary === 'db1' ? 'db2' : 'db1'
    expect(await replicationRows(runner, node(primary))).toEqual([
      {name: standby, state: 'streaming', sync: 'async'},
    ])
    const {code, report} = await audit(status.inventory as string)
    const r = item5(report)
    expect(r['replication.mode-vs-rpo'], said(report)).toEqual(['fail'])
    expect(messages(report, 'replication.mode-vs-rpo')).toMatch(
      /asynchronous \(synchronous_standby_names is empty\), but the RPO is 0/,
    )
    expect(r['replication.lag-alert'], said(report)).toEqual(['pass'])
    expect(code).toBe(1)
  })

  it('asynchronous replication with the WAL stream throttled: the lost acknowledged writes are counted exactly', async () => {
    // The variant and audit item 5 on it were checked by the previous test.
    const primary = await primaryOf(runner, node)
    const standby = primary === 'db1' ? 'db2' : 'db1'
    await waitFor('the standby streaming asynchronously', 120_000, async () =>
      (await replicationRows(runner, node(primary))).some(
        (r) => r.name === standby && r.state === 'streaming' && r.sync === 'async',
      )
        ? true
        : undefined,
    )
    // Once the run's table and its first rows have reached the standby, throttle the WAL stream on
    // the primary's replication link (inside its namespace; the power-off clears it: a node boots
    // with default qdiscs). 50 writes/s make more WAL than 16 kbit/s carries, so from then on the
    // standby falls further behind with every acknowledged write: the rows before are kept, the
    // acknowledged rows after are lost.
    const tables = async (on: string): Promise<string[]> =>
      (
        await psql(
          runner,
          node(on),
          "SELECT tablename FROM pg_tables WHERE tablename LIKE 'hacheck_writes_%'",
          DB_NAME,
        )
      )
        .split('\n')
        .filter((t) => t !== '')
    const before = new Set(await tables(primary))
    const throttle = async (): Promise<void> => {
      await waitFor('the run table replicated with its first rows', 60_000, async () => {
        const table = (await tables(standby)).find((t) => !before.has(t))
        if (!table) return undefined
        return Number(await psql(runner, node(standby), `SELECT count(*) FROM ${table}`, DB_NAME)) >= 20
          ? true
          : undefined
      })
      await sh(runner, node(primary), [
        'tc',
        'qdisc',
        'add',
        'dev',
        'eth3',
        'root',
        'tbf',
        'rate',
        '16kbit',
        'burst',
        '4kb',
        'latency',
        '400ms',
      ])
    }
    try {
      const {res, code, acked} = await powerOff(primary, ['--rate', '50', '--baseline', '10s'], throttle)
      expect(res.errors).toEqual([])
      expect(res.phases.some((p) => p.name === 'resource-started' && p.node === standby)).toBe(true)
      const lost = res.metrics.lostWrites as number
      expect(lost).toBeGreaterThan(0)
      expect(res.metrics.rpoMs).toBeGreaterThan(0)
      expect(res.expectations.find((e) => e.text.startsWith('rpo <='))?.status).toBe('fail')
      expect(res.metrics.writes).toMatchObject({failedPresent: 0, unexpected: 0})

      // Independently, and exactly: the acknowledged writes the new primary does not have.
      const {from, rows} = await readBack(res.metrics.writes?.table as string)
      expect(from).toBe(standby)
      const x = crossCheckLostWrites(acked, rows)
      expect(x.acked).toBe(res.metrics.ackedWrites)
      expect(x.lost.length).toBe(lost)
      // The rows from before the throttle survived: a partial loss, counted exactly.
      expect(rows.length).toBeGreaterThanOrEqual(20)
      expect(x.lost[0]).toBe(res.metrics.firstLostSeq)
      expect(x.lost.at(-1)).toBe(res.metrics.lastLostSeq)
      if (lost <= 1000) expect(res.metrics.writes?.lostSeqs).toEqual(x.lost)
      expect(code).toBe(1)
    } finally {
      // If the power-off never happened, the throttle is still on the old primary.
      await sh(runner, node(primary), ['bash', '-c', 'tc qdisc del dev eth3 root 2>/dev/null; true']).catch(
        () => '',
      )
    }
  })
})
