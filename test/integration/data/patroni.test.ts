/**
 * The lab's patroni profile (3 PostgreSQL 15 nodes under Patroni, each an etcd member), audited: items
 * x.patroni and x.etcd healthy, each variant applied live failing exactly its check, an etcd member stopped
 * named as such, and `lab up` bringing it back.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runDataExperiment, type DataRunResult} from '../../../src/chaos/run/data-experiment.js'
import {planKillProcess} from '../../../src/chaos/faults/kill-process.js'
import {planPartition} from '../../../src/chaos/faults/partition.js'
import type {PlanInput} from '../../../src/chaos/faults/parts/common.js'
import {
  PATRONI_SETTLED_MS,
  parsePatroniList,
  patroniNotWhole,
  patroniObserver,
  settledFor,
  type PatroniMember,
} from '../../../src/chaos/observe/patroni.js'
import type {PlanResult} from '../../../src/chaos/plan/types.js'
import type {SystemObserver} from '../../../src/chaos/observe/data.js'
import {etcdObserver} from '../../../src/chaos/observe/etcd.js'
import {planStopService} from '../../../src/chaos/faults/stop-service.js'
import {renderDataRun} from '../../../src/chaos/report/data-run.js'
import {
  PgLeaderWrite,
  type PgLeaderWriteSpec,
  pgLeaderWritesTable,
} from '../../../src/chaos/workloads/pg-leader-write.js'
import {loadInventory} from '../../../src/inventory/load.js'
import {DB_NAME, DB_USER, PG_PORT} from '../../../src/lab/render-db.js'
import {PATRONI_REST_PORT} from '../../../src/lab/patroni-topology.js'

import type {CheckResult} from '../../../src/core/results.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {VariantName} from '../../../src/lab/topology.js'
import type {SshPool} from '../../../src/transport/index.js'
import type {NodeSpec} from '../../../src/core/types.js'
import {runCliJson} from '../../support/cli.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants} from '../lab/helpers.js'

const lab = labContext()

const notPassing = (results: CheckResult[]): string[] =>
  [
    ...new Set(
      results
        .filter((r) => /^(patroni|etcd)\./.test(r.id) && r.status !== 'pass')
        .map((r) => `${r.id}${r.node ? `@${r.node}` : ''}:${r.status}`),
    ),
  ].sort()

describe.skipIf(!lab.available)(labTitle('the patroni lab profile (Patroni + etcd), audited'), () => {
  let status: LabStatus
  let runner: SshPool
  let node: (name: string) => NodeSpec
  const run = (...only: string[]) => audit(status.inventory as string, ...only.flatMap((o) => ['--only', o]))

  beforeAll(async () => {
    status = await ensureLab('patroni')
    ;({runner, node} = await labRunner(status))
  })
  afterAll(async () => {
    await runner?.close()
    await useVariants([])
  })

  it('comes up with one Patroni leader, a Sync Standby, a replica and a healthy 3-member etcd', async () => {
    const list = JSON.parse(
      await sh(runner, node('p1'), ['patronictl', '-c', '/etc/patroni/config.yml', 'list', '-f', 'json']),
    ) as {Member: string; Role: string; State: string}[]
    expect(list.map((m) => m.Role).sort()).toEqual(['Leader', 'Replica', 'Sync Standby'])
    expect(list.every((m) => m.State === 'running' || m.State === 'streaming')).toBe(true)
    // etcdctl 3.4 prints the plain health lines on stderr; the JSON form is on stdout.
    const health = await sh(runner, node('p2'), ['etcdctl', 'endpoint', 'health', '--cluster', '-w', 'json'])
    expect((JSON.parse(health) as {health: boolean}[]).map((h) => h.health)).toEqual([true, true, true])
  })

  it('passes x.patroni and x.etcd when healthy, but etcd.tls (the lab runs etcd over plain HTTP)', async () => {
    const {code, report} = await run('x.patroni', 'x.etcd')
    expect(notPassing(report.results)).toEqual(['etcd.tls:warn'])
    expect(code).toBe(0)
    expect(report.view?.headline).toMatch(
      /etcd: primary component p1\+p2\+p3, leader p\d; patroni: primary component p1\+p2\+p3, leader p\d/,
    )
  })

  const quota = ['etcd.db-quota@p1:fail', 'etcd.db-quota@p2:fail', 'etcd.db-quota@p3:fail']
  const cases: [VariantName, string, string[], RegExp][] = [
    ['patroni-async', 'patronictl edit-config', ['patroni.sync-vs-rpo:fail'], /synchronous_mode is off/],
    ['patroni-timing', 'patronictl edit-config', ['patroni.timing:fail'], /^ttl 20 s < loop_wait 10/],
    [
      'patroni-max-lag',
      'patronictl edit-config',
      ['patroni.replication:fail'],
      /^synchronous_mode without synchronous_mode_strict .* maximum_lag_on_failover 1024\.0 MB then lets a failover lose that much \(limit 16 MB\)$/,
    ],
    [
      'etcd-small-quota',
      'etcd restarted member by member',
      quota,
      // the bbolt file's size is live (20 KiB on one machine, 24 KiB on another): the quota and the verdict are not
      /^DB (2[0-4]\.\d) KiB of quota 24\.0 KiB \((8\d|9\d|100)\.\d %\): above 80 %$/,
    ],
  ]
  for (const [variant, how, failing, message] of cases) {
    const check = (failing[0] ?? '').split(/[@:]/)[0] ?? ''
    it(`fails exactly ${check} with variant ${variant} (${how}, live)`, async () => {
      status = await useVariants([variant])
      const {code, report} = await run('x.patroni', 'x.etcd')
      expect(notPassing(report.results)).toEqual(['etcd.tls:warn', ...failing].sort())
      for (const r of report.results.filter((x) => x.id === check)) expect(r.message).toMatch(message)
      expect(code).toBe(1)
    })
  }

  const NODES = ['p1', 'p2', 'p3']
  const members = async (): Promise<PatroniMember[]> =>
    parsePatroniList(
      await sh(runner, node('p1'), ['patronictl', '-c', '/etc/patroni/config.yml', 'list', '-f', 'json']),
    ) ?? []
  const leaderOf = async (): Promise<string> => {
    const l = (await members()).find((m) => m.Role === 'Leader' && m.State === 'running')
    if (!l) throw new Error('no running leader')
    return l.Member
  }
  /** The rows of the run's table, read with psql over SSH on the current leader (shares nothing with src/chaos). */
  const psqlIds = async (table: string): Promise<number[]> => {
    const leader = await leaderOf()
    const out = await sh(runner, node(leader), [
      'runuser',
      '-u',
      'postgres',
      '--',
      'psql',
      '-d',
      DB_NAME,
      '-AtX',
      '-c',
      `SELECT id FROM ${table} ORDER BY id`,
    ])
    return out.split('\n').filter(Boolean).map(Number)
  }

  /** One experiment under pg-leader-write; returns the result and the independent read-back. */
  const experiment = async (
    plan: (input: PlanInput, leader: string) => PlanResult,
    holdMs: number,
    alsoObserve: SystemObserver[] = [],
    /** The old leader may stay out (a deposed asynchronous leader diverged: no pg_rewind in the lab). */
    oldLeaderMayStayOut = false,
  ): Promise<{res: DataRunResult; leader: string; rows: number[]}> => {
    const inv = await loadInventory(status.inventory as string)
    const leader = await leaderOf()
    const runId = `it${Date.now().toString(36)}`
    const settled = settledFor(PATRONI_SETTLED_MS)
    const table = pgLeaderWritesTable(runId)
    const spec: PgLeaderWriteSpec = {
      kind: 'pg-leader-write',
      endpoints: NODES.map((n) => ({
        name: n,
        host: node(n).host,
        port: PG_PORT,
        restPort: PATRONI_REST_PORT,
      })),
      database: DB_NAME,
      user: DB_USER,
      ratePerS: 20,
      timeoutMs: 3000,
      keepTable: true,
    }
    const res = await runDataExperiment(
      {
        runId,
        inventory: inv,
        nodes: NODES,
        plan: (input) => plan(input, leader),
        workload: (ctx) => new PgLeaderWrite(spec, ctx),
        observer: patroniObserver,
        alsoObserve,
        baselineMs: 3000,
        holdMs,
        recovered: async () =>
          settled(
            patroniNotWhole(await members().catch(() => []), {
              expected: 3,
              ...(oldLeaderMayStayOut ? {mayStayOut: leader} : {}),
            }),
            Date.now(),
          ),
        recoveryTimeoutMs: 150_000,
        tailMs: 3000,
      },
      runner,
    )
    console.warn(`[patroni experiment]\n${renderDataRun(res)}`)
    const rows = await psqlIds(table)
    await sh(runner, node(await leaderOf()), [
      'runuser',
      '-u',
      'postgres',
      '--',
      'psql',
      '-d',
      DB_NAME,
      '-qAtX',
      '-c',
      `DROP TABLE ${table}`,
    ])
    return {res, leader, rows}
  }
  const killPostgres = (input: PlanInput, leader: string): PlanResult =>
    planKillProcess(input, {node: leader, process: 'postgres', signal: 'KILL'})
  const isolateLeader = (input: PlanInput, leader: string): PlanResult =>
    planPartition(input, {spec: {kind: 'isolate', node: leader}, memberRoles: ['patroni']})

  const exact = (res: DataRunResult, rows: number[]): void => {
    const acked = [...new Set(res.history.filter((w) => w.outcome === 'acked').map((w) => w.seq))]
    expect(res.accounting?.lost).toEqual(acked.filter((id) => !rows.includes(id)))
    expect(res.accounting?.rows).toBe(rows.length)
    expect(res.accounting?.failedPresent).toEqual([])
    expect(res.accounting?.unexpected).toEqual([])
  }

  it('kill -9 of the leader’s postgres with synchronous_mode on: no acknowledged write lost, matching psql on the leader', async () => {
    status = await useVariants([])
    const {res, leader, rows} = await experiment(killPostgres, 5000)
    expect(res.errors).toEqual([])
    expect(res.accounting?.acked).toBeGreaterThan(50)
    expect(res.accounting?.lost).toEqual([])
    expect(res.accounting?.minorityAccepted).toEqual([])
    exact(res, rows)
    expect(res.polled.some((p) => p.node === leader)).toBe(true)
    expect(res.logged.some((p) => p.node === leader)).toBe(true)
  })

  it('kill -9 of the leader’s postgres with synchronous_mode off: losses (if any) counted exactly, matching psql on the leader', async () => {
    status = await useVariants(['patroni-async'])
    const {res, leader, rows} = await experiment(killPostgres, 5000)
    expect(res.errors).toEqual([])
    expect(res.accounting?.acked).toBeGreaterThan(50)
    exact(res, rows)
    // Not a partition: nothing is a minority, and the client outage counts every endpoint.
    expect(res.accounting?.minorityAccepted).toEqual([])
    expect(res.rto?.ms).toBeGreaterThan(0)
    expect(res.logged.some((p) => p.node === leader && p.what === 'PostgreSQL found not running')).toBe(true)
  })

  it('the leader cut off from etcd and the replicas with synchronous_mode off: losses counted exactly (psql read-back)', async () => {
    status = await useVariants(['patroni-async'])
    const {res, leader, rows} = await experiment(isolateLeader, 45_000, [], true)
    expect(res.errors).toEqual([])
    exact(res, rows)
    expect(res.logged.some((p) => p.what === 'promoted: acquired the leader lock' && p.node !== leader)).toBe(
      true,
    )
    // The old leader's REST API leaves `master running` (stopping, then replica: how far it gets while cut
    // off depends on Patroni's loop; its log has the demotion).
    expect(res.polled.some((p) => p.node === leader && /^master running/.test(p.what))).toBe(true)
    expect(res.logged.some((p) => p.node === leader && p.what === 'demoting self')).toBe(true)
    // The deposed leader rejoins, or (its timeline diverged by the writes it took alone) fails to start as a
    // replica until re-cloned: the next lab up does it (patronictl reinit).
    const old = (await members()).find((m) => m.Member === leader)
    expect(['running', 'streaming', 'start failed']).toContain(old?.State)
  })

  /** The node whose etcd member leads (its local endpoint status: member_id = leader, read as text: uint64). */
  const etcdLeader = async (): Promise<string> => {
    for (const n of NODES) {
      const j = await sh(runner, node(n), ['etcdctl', 'endpoint', 'status', '-w', 'json'])
      const id = /"member_id":(\d+)/.exec(j)?.[1]
      if (id && id === /"leader":(\d+)/.exec(j)?.[1]) return n
    }
    throw new Error('no etcd member is the leader')
  }

  /** `hacheck chaos data EXPERIMENT` through the built CLI on the lab, its JSON result and exit code. */
  const chaosData = async (experiment: string, ...flags: string[]) => {
    const started = Date.now()
    const out = await runCliJson<DataRunResult>(
      [
        'chaos',
        'data',
        experiment,
        '-i',
        status.inventory as string,
        '--baseline',
        '2s',
        '--rate',
        '10',
        '--database',
        DB_NAME,
        '--db-user',
        DB_USER,
        '--yes',
        '--format',
        'json',
        ...flags,
      ],
      {...process.env, ...status.env, HACHECK_INVENTORY: ''},
    )
    console.warn(`[patroni cli] chaos data ${experiment} took ${Date.now() - started} ms (exit ${out.code})`)
    return out
  }

  it('hacheck chaos data patroni-kill-leader through the built CLI: the current leader’s postgres killed, no acknowledged write lost, exit 0', async () => {
    status = await useVariants([])
    const leader = await leaderOf()
    const {code, report, stderr} = await chaosData('patroni-kill-leader', '--duration', '5s')
    expect(report.errors, stderr).toEqual([])
    expect(report.summary).toContain(leader)
    expect(report.accounting?.acked).toBeGreaterThan(20)
    expect(report.accounting?.lost).toEqual([])
    expect(report.logged.some((p) => p.node === leader)).toBe(true)
    expect(code).toBe(0)
  })

  it('hacheck chaos data patroni-cut-leader through the built CLI with synchronous_mode on: another member promoted, the old leader demoted (Patroni’s log), no acknowledged write lost, exit 0', async () => {
    status = await useVariants([])
    const leader = await leaderOf()
    const {code, report, stderr} = await chaosData('patroni-cut-leader', '--duration', '45s')
    expect(report.errors, stderr).toEqual([])
    expect(report.summary).toContain(leader)
    expect(report.accounting?.acked).toBeGreaterThan(50)
    expect(report.accounting?.lost).toEqual([])
    expect(report.accounting?.minorityAccepted).toEqual([])
    expect(
      report.logged.some((p) => p.what === 'promoted: acquired the leader lock' && p.node !== leader),
    ).toBe(true)
    expect(report.logged.some((p) => p.node === leader && p.what === 'demoting self')).toBe(true)
    expect(report.ledgerRemoved).toBe(true)
    expect(code).toBe(0)
  })

  it('hacheck chaos data etcd-stop-member through the built CLI: the etcd leader stopped, the others elect one (etcd’s log), no acknowledged write lost, exit 0', async () => {
    status = await useVariants([])
    const stopped = await etcdLeader()
    const {code, report, stderr} = await chaosData('etcd-stop-member', '--duration', '10s')
    expect(report.errors, stderr).toEqual([])
    expect(report.summary).toContain(stopped)
    expect(report.accounting?.acked).toBeGreaterThan(50)
    expect(report.accounting?.lost).toEqual([])
    expect(
      report.polled.some((p) => p.system === 'etcd' && p.node === stopped && /not answering/.test(p.what)),
    ).toBe(true)
    expect(
      report.logged.some((p) => p.system === 'etcd' && p.node !== stopped && /^elected leader /.test(p.what)),
    ).toBe(true)
    expect(report.ledgerRemoved).toBe(true)
    expect(code).toBe(0)
  })

  it('the etcd leader’s member stopped under pg-leader-write: no acknowledged write lost, the others elect a leader (etcd’s log), Patroni keeps its leader', async () => {
    status = await useVariants([])
    const stopped = await etcdLeader()
    const {res, leader, rows} = await experiment(
      (input) => planStopService(input, {node: stopped, unit: 'etcd'}),
      15_000,
      [etcdObserver],
    )
    expect(res.errors).toEqual([])
    expect(res.accounting?.acked).toBeGreaterThan(100)
    expect(res.accounting?.lost).toEqual([])
    exact(res, rows)
    expect(await leaderOf()).toBe(leader)
    expect(
      res.polled.some((p) => p.system === 'etcd' && p.node === stopped && /not answering/.test(p.what)),
    ).toBe(true)
    const elected = res.logged.filter(
      (p) => p.system === 'etcd' && p.node !== stopped && /^elected leader /.test(p.what),
    )
    expect(elected.length).toBeGreaterThan(0)
    expect(elected.every((p) => p.t >= Math.floor((res.injectedAt ?? 0) / 1000) * 1000 - 1000)).toBe(true)
    expect(await etcdLeader()).not.toBe(stopped)
  })

  it('names an etcd member that was stopped, and lab up starts it again', async () => {
    status = await useVariants([])
    await sh(runner, node('p2'), ['systemctl', 'stop', 'etcd'])
    const {report} = await run('x.etcd')
    expect(notPassing(report.results)).toEqual([
      'etcd.db-quota@p2:error',
      'etcd.members:fail',
      'etcd.tls:warn',
    ])
    expect(report.results.find((r) => r.id === 'etcd.members')?.message).toMatch(
      /p2's state could not be read/,
    )
    status = await useVariants([])
    expect(notPassing((await run('x.etcd')).report.results)).toEqual(['etcd.tls:warn'])
  })
})
