import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {XMLParser} from 'fast-xml-parser'
import {afterAll, describe, expect, it} from 'vitest'

import {workloadFrom, type CommonFlagValues} from '../../../src/chaos/cli/command.js'
import {
  evaluateExpectation,
  parseExpectation,
  type EvalContext,
} from '../../../src/chaos/measure/expectations.js'
import powerOff from '../../../src/chaos/faults/power-off.js'
import {parseGameDay} from '../../../src/chaos/gameday/file.js'
import {gameDayWorkload} from '../../../src/chaos/gameday/run.js'
import {historyEntry} from '../../../src/chaos/history.js'
import {failoverMetrics} from '../../../src/chaos/measure/metrics.js'
import {writeMetrics} from '../../../src/chaos/workloads/writes.js'
import {writesTable} from '../../../src/chaos/workloads/pg/table.js'
import {pgPassword, pgTargetFrom, type PgWriteSpec} from '../../../src/chaos/workloads/pg/target.js'
import {
  classifyWriteError,
  createTableSql,
  insertSql,
  MAX_CONNECTING,
  WriterPool,
} from '../../../src/chaos/workloads/pg/writer.js'
import {writeAccount} from '../../../src/chaos/workloads/writes.js'
import {renderChaosHtml} from '../../../src/chaos/report/html.js'
import {renderChaosJUnit} from '../../../src/chaos/report/junit.js'
import {renderResultText} from '../../../src/chaos/report/text.js'
import {buildResult, defaultExpectations} from '../../../src/chaos/measure/build.js'
import type {TimelineEvent, WriteEvent, WriteOutcome} from '../../../src/chaos/timeline.js'
import {InputError} from '../../../src/core/errors.js'
import {scrubSecrets} from '../../../src/core/secrets.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {sharedSchemasDir} from '../../support/paths.js'
import {INVENTORY_YAML, labInventory, planInput, RUN_ID, planOf} from './fixtures.js'

const T0 = Date.parse('2026-11-26T10:11:12Z')
const A = '7712340807511944026/tl00000001/1795669275.2'
const B = '7712340807511944026/tl00000002/1795669100.9'

function w(seq: number, outcome: WriteOutcome, dt: number, primary?: string, latencyMs = 5): WriteEvent {
  return {
    kind: 'write',
    t: T0 + dt,
    seq,
    ok: outcome === 'acked',
    outcome,
    latencyMs,
    ...(primary && outcome === 'acked' ? {primary} : {}),
    ...(outcome === 'acked' ? {} : {error: outcome === 'unknown' ? 'timeout' : 'ECONNREFUSED'}),
  }
}

const DB_INVENTORY = INVENTORY_YAML.replace(
  '  service: { url: "http://198.18.2.100/" }\n',
  '  database: { kind: postgresql, port: 5433, name: app, user: hacheck, passwordEnv: LAB_DB_PASSWORD }\n',
)

function flags(over: Partial<CommonFlagValues> = {}): CommonFlagValues {
  return {
    inventory: 'x',
    duration: '20s',
    rate: 20,
    'probe-timeout': '800ms',
    'write-timeout': '2s',
    'pg-keep-table': false,
    insecure: false,
    'no-load': false,
    baseline: '3s',
    settle: '90s',
    'lease-timeout': '10s',
    'no-observe': false,
    'no-logs': false,
    'allow-quorum-loss': false,
    'dry-run': false,
    yes: true,
    format: 'json',
    'accept-new-host-keys': false,
    ...over,
  }
}

describe('pg-write settings', () => {
  it('takes the database from the inventory cluster.database, the host from the VIP', () => {
    const inv = parseInventory(DB_INVENTORY, '/lab/inventory.yaml')
    expect(pgTargetFrom(inv)).toEqual({
      host: '198.18.2.100',
      port: 5433,
      database: 'app',
      user: 'hacheck',
      passwordEnv: 'LAB_DB_PASSWORD',
    })
  })

  it('falls back to the VIP on 5432 as postgres when nodes have the db role and no database section', () => {
    const inv = parseInventory(
      INVENTORY_YAML.replace('roles: [cluster]', 'roles: [cluster, db]'),
      '/lab/inventory.yaml',
    )
    expect(pgTargetFrom(inv)).toEqual({
      host: '198.18.2.100',
      port: 5432,
      database: 'postgres',
      user: 'postgres',
    })
  })

  it('refuses an inventory that describes no database, and says what to give', () => {
    expect(() => pgTargetFrom(labInventory())).toThrow(/describes no database.*--pg-url/)
  })

  it('lets --pg-url override the inventory, and refuses a password in it', () => {
    const inv = parseInventory(DB_INVENTORY, '/lab/inventory.yaml')
    expect(pgTargetFrom(inv, 'postgres://app@127.0.0.1:6543/shop')).toMatchObject({
      host: '127.0.0.1',
      port: 6543,
      database: 'shop',
      user: 'app',
    })
    expect(() => pgTargetFrom(inv, 'postgres://app:s3cret@127.0.0.1/shop')).toThrow(InputError)
    expect(() => pgTargetFrom(inv, 'http://127.0.0.1/')).toThrow(/postgres:\/\/USER@HOST/)
  })

  it('reads the password from the named variable only, and scrubs it from anything logged', () => {
    const t = {host: 'h', port: 5432, database: 'd', user: 'u', passwordEnv: 'HACHECK_TEST_PGPW'}
    expect(() => pgPassword(t, {})).toThrow(/\$HACHECK_TEST_PGPW .*not set/)
    expect(pgPassword(t, {HACHECK_TEST_PGPW: 'hunter2-pg'})).toBe('hunter2-pg')
    expect(scrubSecrets('auth failed for hunter2-pg')).toBe('auth failed for ***')
  })

  it('makes --workload pg-write a write workload with the write timeout, and checks the password variable first', () => {
    const inv = parseInventory(DB_INVENTORY, '/lab/inventory.yaml')
    expect(() => workloadFrom(flags({load: 'pg-write'}), inv, {})).toThrow(/LAB_DB_PASSWORD/)
    const spec = workloadFrom(flags({load: 'pg-write', rate: 50}), inv, {LAB_DB_PASSWORD: 'x-pw'})
    expect(spec).toMatchObject({kind: 'pg-write', ratePerS: 50, timeoutMs: 2000, target: {port: 5433}})
    expect(() =>
      workloadFrom(flags({load: 'http://198.18.2.100/', 'pg-url': 'postgres://a@b/c'}), inv),
    ).toThrow(/--pg-url is for --workload pg-write/)
    expect(() => workloadFrom(flags({load: 'postgres://a@b/c'}), inv)).toThrow(/--workload pg-write --pg-url/)
  })

  it('names the table after the run, as a plain identifier of at most 63 bytes', () => {
    expect(writesTable('20261126t101112z-ab12')).toBe('hacheck_writes_20261126t101112z_ab12')
    expect(writesTable('x'.repeat(100))).toHaveLength(63)
    expect(writesTable('a"; DROP TABLE x; --')).toMatch(/^[a-z0-9_]+$/)
    expect(createTableSql('t')).toMatch(/seq bigint PRIMARY KEY/)
    expect(insertSql('t')).toMatch(
      /^INSERT INTO t \(seq, run, primary_id\) VALUES \(\$1, \$2, .*RETURNING primary_id$/,
    )
  })
})

describe('write outcomes', () => {
  it('counts a write whose connection never opened as failed: it was never sent', () => {
    expect(
      classifyWriteError(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}), 'connect'),
    ).toBe('failed')
    expect(classifyWriteError(new Error('timeout'), 'connect')).toBe('failed')
  })

  it('counts an ERROR answer as failed (the transaction aborted) and a cut, a timeout or a FATAL as unknown', () => {
    expect(classifyWriteError({severity: 'ERROR', code: '25006'}, 'query')).toBe('failed')
    expect(classifyWriteError({severity: 'FATAL', code: '57P01'}, 'query')).toBe('unknown')
    expect(classifyWriteError(new Error('Connection terminated unexpectedly'), 'query')).toBe('unknown')
    expect(classifyWriteError(new Error('timeout'), 'query')).toBe('unknown')
  })
})

describe('lost-write accounting over literal timelines', () => {
  it('counts exactly: acked from the timeline, present from the read-back, unknown outcomes never acked', () => {
    const tl: TimelineEvent[] = [
      w(1, 'acked', 0, A),
      w(2, 'acked', 50, A),
      w(3, 'unknown', 100),
      w(4, 'failed', 150),
      w(5, 'acked', 200, B),
      w(6, 'unknown', 250),
    ]
    // 3 committed without an answer (present), 6 did not.
    const m = writeMetrics(tl, new Set([1, 2, 3, 5]))
    expect(m).toMatchObject({
      attempted: 6,
      acked: 3,
      failed: 3,
      unknown: 2,
      lost: [],
      present: 4,
      presentUnacked: [3],
      failedPresent: [],
      unexpected: [],
      splitBrain: [],
      primaries: [A, B],
      rpoMs: 0,
    })
  })

  it('reports the lost acknowledged writes, first and last, and the RPO from first sent to last acknowledged', () => {
    const tl = [
      w(10, 'acked', 0, A),
      w(11, 'acked', 50, A, 4),
      w(12, 'acked', 100, A, 6),
      w(13, 'acked', 150, A, 7),
      w(14, 'unknown', 200),
      w(15, 'acked', 9000, B),
    ]
    const m = writeMetrics(tl, new Set([10, 15]))
    expect(m.lost).toEqual([11, 12, 13])
    expect(m.rpoMs).toBe(150 + 7 - 50)
  })

  it("flags writes one primary acknowledged inside another primary's range as split-brain, not a clean failover", () => {
    const clean = [w(1, 'acked', 0, A), w(2, 'acked', 50, A), w(3, 'acked', 100, B), w(4, 'acked', 150, B)]
    expect(writeMetrics(clean, new Set([1, 2, 3, 4])).splitBrain).toEqual([])
    const both = [
      w(1, 'acked', 0, A),
      w(2, 'acked', 50, B),
      w(3, 'acked', 100, A),
      w(4, 'acked', 150, B),
      w(5, 'acked', 200, B),
    ]
    expect(writeMetrics(both, new Set([1, 2, 3, 4, 5])).splitBrain).toEqual([2, 3])
  })

  it('names rows that were reported failed yet read back, and rows this run never wrote', () => {
    const m = writeMetrics([w(1, 'acked', 0, A), w(2, 'failed', 50)], new Set([1, 2, 99]))
    expect(m.failedPresent).toEqual([2])
    expect(m.unexpected).toEqual([99])
  })

  it('measures the client outage on writes: the time no write was acknowledged', () => {
    const tl: TimelineEvent[] = [
      {kind: 'fault', t: T0, fault: 'power-off', phase: 'injected', target: ['n1']},
    ]
    for (let i = 0; i < 200; i++) {
      const dt = -2000 + i * 50
      tl.push(w(i + 1, dt >= 1000 && dt < 4000 ? 'unknown' : 'acked', dt, dt < 1000 ? A : B))
    }
    const m = failoverMetrics(tl)
    expect(m.probes).toBe(200)
    expect(m.failedProbes).toBe(60)
    expect(m.clientOutageMs).toBe(3050)
  })
})

describe('write expectations', () => {
  const ctx = (writes?: EvalContext['writes']): EvalContext => ({
    metrics: failoverMetrics([]),
    recoveryMs: null,
    timeline: [],
    expectFenced: [],
    observed: true,
    ...(writes ? {writes} : {}),
  })

  it('parses rpo <= 0s and lost-writes == 0', () => {
    expect(parseExpectation('rpo <= 0s')).toMatchObject({
      metric: 'write:rpoMs',
      op: '<=',
      value: 0,
      unit: 'ms',
    })
    expect(parseExpectation('lost-writes == 0')).toMatchObject({
      metric: 'write:lost',
      value: 0,
      unit: 'count',
    })
    expect(() => parseExpectation('lost-writes == none')).toThrow(/whole number/)
  })

  it('is an error that needs a write workload when none ran', () => {
    const r = evaluateExpectation(parseExpectation('lost-writes == 0'), ctx())
    expect(r.status).toBe('error')
    expect(r.message).toBe(
      'lost-writes == 0: needs a write workload (--workload pg-write); no write workload ran',
    )
    expect(evaluateExpectation(parseExpectation('rpo <= 0s'), ctx()).status).toBe('error')
  })

  it('is an error, never a pass, when the writes could not be read back', () => {
    const r = evaluateExpectation(parseExpectation('rpo <= 0s'), ctx({error: 'timeout'}))
    expect(r).toMatchObject({status: 'error', observed: 'not read back'})
  })

  it('passes with nothing lost and fails with lost writes', () => {
    const ok = writeMetrics([w(1, 'acked', 0, A), w(2, 'acked', 50, A)], new Set([1, 2]))
    const bad = writeMetrics([w(1, 'acked', 0, A), w(2, 'acked', 50, A, 3)], new Set([1]))
    expect(evaluateExpectation(parseExpectation('lost-writes == 0'), ctx(ok)).status).toBe('pass')
    expect(evaluateExpectation(parseExpectation('rpo <= 0s'), ctx(ok)).status).toBe('pass')
    expect(evaluateExpectation(parseExpectation('lost-writes == 0'), ctx(bad))).toMatchObject({
      status: 'fail',
      observed: '1',
    })
    expect(evaluateExpectation(parseExpectation('rpo <= 0s'), ctx(bad))).toMatchObject({
      status: 'fail',
      observed: '3ms',
    })
  })

  it('adds the RPO objective, acknowledged writes and no split-brain to the defaults of a write run', () => {
    const r = planOf(powerOff, 'n1')
    if (!r.ok) throw new Error(r.reason)
    const inv = labInventory()
    expect(defaultExpectations(r.plan, inv, true, true)).toEqual(
      expect.arrayContaining(['acked-writes > 0', 'split-brain-writes == 0', 'rpo <= 0ms']),
    )
    expect(defaultExpectations(r.plan, inv, true, false).some((e) => /writes|rpo/.test(e))).toBe(false)
  })
})

const SPEC: PgWriteSpec = {
  kind: 'pg-write',
  target: {
    host: '198.18.2.100',
    port: 5432,
    database: 'postgres',
    user: 'hacheck',
    passwordEnv: 'LAB_DB_PASSWORD',
  },
  ratePerS: 20,
  timeoutMs: 2000,
}

function run(present: number[] | undefined, error?: string): ReturnType<typeof buildResult> {
  const r = planOf(powerOff, 'n1')
  if (!r.ok) throw new Error(r.reason)
  const tl: TimelineEvent[] = [{kind: 'fault', t: T0, fault: 'power-off', phase: 'injected', target: ['n1']}]
  for (let i = 0; i < 400; i++) {
    const dt = -2000 + i * 50
    tl.push(w(i + 1, dt >= 1000 && dt < 6000 ? 'unknown' : 'acked', dt, dt < 1000 ? A : B))
  }
  tl.push({kind: 'fault', t: T0 + 20_000, fault: 'power-off', phase: 'reverted', target: ['n1']})
  const table = writesTable(RUN_ID)
  const tlSorted = tl.sort((a, b) => a.t - b.t)
  const writes = writeAccount(
    tlSorted,
    present
      ? {table, present: new Map(present.map((s) => [s, A])), readFrom: B, dropped: true}
      : {table, dropped: false, error: error ?? 'no primary'},
  )
  return buildResult(
    {
      runId: RUN_ID,
      inventory: planInput().inventory,
      plan: r.plan,
      observe: false,
      workload: SPEC,
      expectations: ['lost-writes == 0', 'rpo <= 0s'],
    },
    {
      timeline: tlSorted,
      startedAt: new Date(T0 - 5000),
      injectedAt: T0,
      errors: present ? [] : [`pg-write: ${error ?? 'no primary'}`],
      notes: [],
      aborted: false,
      revert: {planned: true, done: true, verified: true, deadmanFired: false, ledgerRemoved: true},
      offsets: new Map(),
      writes,
    },
  )
}

/** Every seq acked in run(), less the given ones. */
function ackedBut(...missing: number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < 400; i++) {
    const dt = -2000 + i * 50
    if (!(dt >= 1000 && dt < 6000) && !missing.includes(i + 1)) out.push(i + 1)
  }
  return out
}

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

describe('results and reports of a write run', () => {
  it('adds ackedWrites, lostWrites and rpoMs to the metrics and keeps the documented contract first', () => {
    const r = run(ackedBut(58, 59, 60))
    expect(Object.keys(r).slice(0, 6)).toEqual([
      'status',
      'fault',
      'target',
      'metrics',
      'phases',
      'expectations',
    ])
    expect(r.metrics).toMatchObject({
      ackedWrites: 300,
      lostWrites: 3,
      rpoMs: 105,
      firstLostSeq: 58,
      lastLostSeq: 60,
      splitBrainWrites: 0,
    })
    expect(r.metrics.writes).toMatchObject({
      attempted: 400,
      acked: 300,
      unknown: 100,
      present: 297,
      dropped: true,
    })
    expect(r.status).toBe('fail')
    expect(r.expectations.map((e) => e.status)).toEqual(['fail', 'fail'])
    expect(historyEntry(r).lostWrites).toBe(3)
  })

  it('says lostWrites null and errors the expectations when the writes were not read back', () => {
    const r = run(undefined, 'could not read the writes back')
    expect(r.metrics.ackedWrites).toBe(300)
    expect(r.metrics.lostWrites).toBeNull()
    expect(r.metrics.rpoMs).toBeNull()
    expect(r.status).toBe('error')
    expect(
      r.expectations.every((e) => e.status === 'error' && /could not be read back/.test(e.message)),
    ).toBe(true)
    expect(renderResultText(r)).toMatch(/lost writes\s+NOT MEASURED/)
  })

  it('shows writes, lost writes, RPO and primaries on the console', () => {
    const text = renderResultText(run(ackedBut(58, 59, 60)))
    expect(text).toMatch(/writes\s+400 sent: 300 acknowledged, 0 failed, 100 unknown outcome/)
    expect(text).toMatch(/lost writes\s+3 of 300 acknowledged \(seq 58…60, RPO 105ms\)/)
    expect(text).toContain(`primaries       ${A} → ${B}`)
  })

  it('puts the write metrics in the JUnit properties and system-out', () => {
    const xml = renderChaosJUnit([run(ackedBut(58, 59, 60))])
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''}).parse(xml) as {
      testsuites: {testsuite: {properties: {property: {name: string; value: string}[]}; 'system-out': string}}
    }
    const suite = doc.testsuites.testsuite
    const props = Object.fromEntries(suite.properties.property.map((p) => [p.name, p.value]))
    expect(props).toMatchObject({
      ackedWrites: '300',
      lostWrites: '3',
      rpoMs: '105',
      firstLostSeq: '58',
      lastLostSeq: '60',
      splitBrainWrites: '0',
      objectiveRpoMs: '0',
    })
    expect(suite['system-out']).toMatch(/lost writes\s+3 of 300/)
  })

  it.skipIf(
    spawnSync('xmllint', ['--version']).status !== 0 || !existsSync(join(sharedSchemasDir, 'junit-10.xsd')),
  )('the JUnit of a write run validates against the JUnit XSD', () => {
    const d = mkdtempSync(join(tmpdir(), 'hacheck-pgw-'))
    dirs.push(d)
    writeFileSync(join(d, 'r.xml'), renderChaosJUnit([run(ackedBut(58, 59, 60))]))
    const v = spawnSync(
      'xmllint',
      ['--noout', '--schema', join(sharedSchemasDir, 'junit-10.xsd'), join(d, 'r.xml')],
      {
        encoding: 'utf8',
      },
    )
    expect(v.stderr).toMatch(/validates/)
    expect(v.status).toBe(0)
  })

  it('shows the write metrics in the HTML report and marks each lost write on the chart', () => {
    const r = run(ackedBut(58, 59, 60))
    const html = renderChaosHtml([{result: r, timeline: []}])
    expect(html).toContain('<td>lost acknowledged writes</td><td>3 of 300 (seq 58…60)</td>')
    expect(html).toContain('<td>RPO objective</td><td>0ms</td>')
    const tl: TimelineEvent[] = [w(58, 'acked', 0, A), w(59, 'acked', 50, A), w(61, 'acked', 100, B)]
    const marks = renderChaosHtml([{result: r, timeline: tl}]).match(/class="write-lost"/g) ?? []
    expect(marks).toHaveLength(2)
  })
})

describe('pg-write in game-day files', () => {
  const base = (workload: string): string =>
    `name: db\nworkload: ${workload}\nsteps:\n  - {name: off, fault: power-off, target: n1, duration: 20s, expect: ["lost-writes == 0", "rpo <= 0s"]}\n`

  it('accepts pg-write: true (the inventory database) and a URL without password', () => {
    const inv = parseInventory(DB_INVENTORY, '/lab/inventory.yaml')
    const g = parseGameDay(base('{pg-write: true, rate: 40, writeTimeout: 3s}'), 'g.yaml')
    expect(gameDayWorkload(g, inv, {LAB_DB_PASSWORD: 'pw-x'})).toMatchObject({
      kind: 'pg-write',
      ratePerS: 40,
      timeoutMs: 3000,
      target: {port: 5433, database: 'app'},
    })
    const g2 = parseGameDay(base('{pg-write: "postgres://app@198.18.2.100:5432/shop"}'), 'g.yaml')
    expect(gameDayWorkload(g2, inv, {LAB_DB_PASSWORD: 'pw-x'})).toMatchObject({target: {database: 'shop'}})
  })

  it('refuses a write expectation in a game day without a write workload, at its line', () => {
    const text = `name: db\nworkload: {http: "http://198.18.2.100/"}\nsteps:\n  - name: off\n    fault: power-off\n    target: n1\n    expect: ["lost-writes == 0"]\n`
    expect(() => parseGameDay(text, 'g.yaml')).toThrow(
      'g.yaml:7:14: steps[0].expect[0]: lost-writes == 0: needs a write workload: add workload: {pg-write: true} (or a postgres:// URL) to the game day',
    )
  })

  it('refuses a password in the game-day URL', () => {
    expect(() => parseGameDay(base('{pg-write: "postgres://app:pw@198.18.2.100/shop"}'), 'g.yaml')).toThrow(
      /workload\.pg-write: expected true \(the inventory's database\) or postgres:\/\/USER@HOST:PORT\/DB/,
    )
  })
})

describe('the pg-write connection pool', () => {
  const spec: PgWriteSpec = {
    kind: 'pg-write',
    target: {host: '127.0.0.1', port: 1, database: 'hacheck', user: 'hacheck'},
    ratePerS: 20,
    timeoutMs: 2000,
  }
  const never = new Promise<never>(() => {})
  /** A lease that resolves by the next macrotask, or 'waiting'. */
  const settled = async <T>(p: Promise<T>): Promise<T | 'waiting'> =>
    Promise.race([p, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 20))])

  it('never hands a connect slot to a write whose time is up, so slots are not lost across a failover', async () => {
    const pool = new WriterPool(spec, undefined)
    const leases = await Promise.all(
      Array.from({length: MAX_CONNECTING}, () => pool.acquire(never, () => false)),
    )
    expect(leases.every((l) => l.fresh)).toBe(true)
    // One more write waits for a slot; its time runs out (expired, and its timeout rejects).
    let expired = false
    let giveUp: (e: Error) => void = () => {}
    const timeout = new Promise<never>((_, reject) => (giveUp = reject))
    const waiting = pool.acquire(timeout, () => expired)
    waiting.catch(() => {})
    expect(await settled(waiting)).toBe('waiting')
    // The connects finish at the very moment the waiter expires: before its rejection is handled.
    expired = true
    for (let i = 0; i < MAX_CONNECTING; i++) pool.connected()
    giveUp(new Error('timeout'))
    await expect(waiting).rejects.toThrow('timeout')
    // Every slot is free again: MAX_CONNECTING new writes get a fresh connection at once.
    const again = await Promise.all(
      Array.from({length: MAX_CONNECTING}, async () => settled(pool.acquire(never, () => false))),
    )
    expect(again.map((l) => (l === 'waiting' ? 'waiting' : l.fresh))).toEqual(
      Array(MAX_CONNECTING).fill(true),
    )
    expect(await settled(pool.acquire(never, () => false))).toBe('waiting')
  })

  it('gives a freed slot to the newest waiting write, the one with the most time left, so a backlog cannot starve every write', async () => {
    const pool = new WriterPool(spec, undefined)
    await Promise.all(Array.from({length: MAX_CONNECTING}, () => pool.acquire(never, () => false)))
    const older = pool.acquire(never, () => false)
    const newer = pool.acquire(never, () => false)
    pool.connected()
    const got = await settled(newer)
    expect(got !== 'waiting' && got.fresh).toBe(true)
    expect(await settled(older)).toBe('waiting')
  })
})
