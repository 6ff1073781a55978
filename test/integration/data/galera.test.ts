/**
 * The lab's galera profile (3 MariaDB 10.11 / Galera 4 nodes, no Pacemaker), audited (the x.galera item,
 * healthy and with each variant applied live: each fails exactly its check), then a minority partition
 * under the mariadb-write workload: the minority turns non-Primary and refuses writes, no acknowledged
 * write is lost, the phases come from the nodes' polled state and their own error logs. Then the same run
 * through the CLI, as a 1-step game day (experiment:), and once more SIGKILLed during the hold: the dead-men clean the nodes on their own and
 * `hacheck chaos revert` finds the run's ledger, reports the dead-men's firing and leaves nothing.
 *
 * Every count hacheck reports is cross-checked against a read-back that shares nothing with src/chaos:
 * the mariadb client over SSH on another node than the workload's read-back.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CheckResult} from '../../../src/core/results.js'
import {runDataExperiment, type DataRunResult} from '../../../src/chaos/run/data-experiment.js'
import {galeraNotWhole, galeraObserver, parseGaleraPoll} from '../../../src/chaos/observe/galera.js'
import {planGaleraPartition} from '../../../src/chaos/faults/parts/galera-partition.js'
import {
  MariadbWrite,
  type MariadbWriteSpec,
  mariadbWritesTable,
} from '../../../src/chaos/workloads/mariadb-write.js'
import {renderDataRun} from '../../../src/chaos/report/data-run.js'
import type {Inventory, NodeSpec} from '../../../src/core/types.js'
import {loadInventory} from '../../../src/inventory/load.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import {GALERA_DB, GALERA_USER, MARIADB_PORT} from '../../../src/lab/galera-topology.js'
import {PREFIX, type VariantName} from '../../../src/lab/topology.js'
import {readLedgers} from '../../../src/chaos/safety/ledger.js'
import {acquireLease} from '../../../src/lease/file-store.js'
import type {GameDayResult} from '../../../src/chaos/gameday/run.js'
import type {SshPool} from '../../../src/transport/index.js'
import {runCli, runCliJson} from '../../support/cli.js'
import {audit} from '../audit/run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, sh, useVariants, waitFor} from '../lab/helpers.js'
import {chaosEnv, hacheck} from '../chaos/helpers.js'

const lab = labContext()
const NODES = ['g1', 'g2', 'g3']

const galeraResults = (results: CheckResult[]): Record<string, string> =>
  Object.fromEntries(
    results
      .filter((r) => r.id.startsWith('galera.'))
      .map((r) => [`${r.id}${r.node ? `@${r.node}` : ''}`, r.status]),
  )

const failing = (results: CheckResult[]): string[] =>
  [
    ...new Set(results.filter((r) => r.id.startsWith('galera.') && r.status !== 'pass').map((r) => r.id)),
  ].sort()

describe.skipIf(!lab.available)(
  labTitle('the galera lab profile, audited, and a Galera minority partition'),
  () => {
    let status: LabStatus
    let runner: SshPool
    let node: (name: string) => NodeSpec
    let inv: Inventory

    const sql = (n: string, q: string): Promise<string> =>
      sh(runner, node(n), ['mariadb', '-N', '-B', '-e', q])

    /** hacheck's iptables rules and chains in a node's network namespace, seen from the host (iptables-save). */
    const hacheckRules = async (n: string): Promise<string[]> => {
      const r = await execa('ip', ['netns', 'exec', `${PREFIX}${n}`, 'iptables-save'], {reject: false})
      if (r.exitCode !== 0) throw new Error(`iptables-save in ${PREFIX}${n}: ${r.stderr}`)
      return r.stdout.split('\n').filter((l) => /HACHECK|hacheck-/.test(l))
    }

    beforeAll(async () => {
      status = await ensureLab('galera')
      ;({runner, node} = await labRunner(status))
      inv = await loadInventory(status.inventory as string)
    })
    afterAll(async () => {
      await runner?.close()
    })

    it('comes up with three Synced nodes in one primary component, a write on g1 readable on g3', async () => {
      expect(status.nodes.map((n) => `${n.name}:${n.roles.join('+')}`)).toEqual([
        'g1:galera',
        'g2:galera',
        'g3:galera',
      ])
      for (const n of NODES) {
        const r = await runner.run(node(n), {script: galeraObserver.pollScript, timeoutMs: 10_000})
        expect(parseGaleraPoll(r.stdout, r.exitCode)).toBe('Primary size 3 Synced')
      }
      await sql(
        'g1',
        `CREATE TABLE IF NOT EXISTS ${GALERA_DB}.smoke (id INT PRIMARY KEY); REPLACE INTO ${GALERA_DB}.smoke VALUES (7)`,
      )
      expect((await sql('g3', `SELECT id FROM ${GALERA_DB}.smoke`)).trim()).toBe('7')
      await sql('g2', `DROP TABLE ${GALERA_DB}.smoke`)
    })

    it('passes every galera check when healthy, and the view names the primary component', async () => {
      const {code, report} = await audit(status.inventory as string, '--only', 'x.galera')
      expect(failing(report.results)).toEqual([])
      expect(Object.keys(galeraResults(report.results)).length).toBeGreaterThanOrEqual(7)
      expect(code).toBe(0)
      expect(report.view?.headline).toContain('galera: primary component g1+g2+g3')
    })

    // Exit 1 when a failing check is critical; galera.gcache-sst has severity warning (exit 0).
    const cases: [VariantName, string, RegExp, number][] = [
      ['galera-ignore-sb', 'galera.split-brain', /pc\.ignore_sb=true on g1, g2, g3/, 1],
      ['galera-weight', 'galera.split-brain', /g1 carries 3 of 5 votes/, 1],
      ['galera-small-gcache', 'galera.gcache-sst', /gcache\.size 8\.0 MiB is below 128 MiB/, 0],
    ]
    for (const [variant, check, message, exit] of cases) {
      it(`fails exactly ${check} with variant ${variant} (applied live, rolling restart)`, async () => {
        status = await useVariants([variant])
        const {code, report} = await audit(status.inventory as string, '--only', 'x.galera')
        expect(failing(report.results)).toEqual([check])
        expect(
          report.results
            .filter((r) => r.id === check)
            .map((r) => r.message)
            .join(' '),
        ).toMatch(message)
        expect(code).toBe(exit)
      })
    }

    it('back to healthy: every galera check passes again', async () => {
      status = await useVariants([])
      const {report} = await audit(status.inventory as string, '--only', 'x.galera')
      expect(failing(report.results)).toEqual([])
    })

    describe('a minority partition (g3 cut off) under mariadb-write', () => {
      let res: DataRunResult
      let table = ''
      let auditDuring: CheckResult[] = []

      beforeAll(async () => {
        const runId = `it${Date.now().toString(36)}`
        table = mariadbWritesTable(runId)
        const spec: MariadbWriteSpec = {
          kind: 'mariadb-write',
          endpoints: NODES.map((n) => ({name: n, host: node(n).host, port: MARIADB_PORT})),
          database: GALERA_DB,
          user: GALERA_USER,
          ratePerS: 15,
          timeoutMs: 4000,
          keepTable: true,
        }
        res = await runDataExperiment(
          {
            runId,
            inventory: inv,
            nodes: NODES,
            plan: (input) => planGaleraPartition(input, 'g3'),
            workload: (ctx) => new MariadbWrite(spec, ctx),
            observer: galeraObserver,
            baselineMs: 3000,
            holdMs: 20_000,
            duringHold: async () => {
              await new Promise((r) => setTimeout(r, 9000))
              auditDuring = (await audit(status.inventory as string, '--only', 'x.galera')).report.results
            },
            recovered: async () =>
              galeraNotWhole(
                await Promise.all(
                  NODES.map(async (n) => {
                    const r = await runner.run(node(n), {script: galeraObserver.pollScript, timeoutMs: 5000})
                    return {node: n, state: parseGaleraPoll(r.stdout, r.exitCode)}
                  }),
                ),
              ),
            recoveryTimeoutMs: 120_000,
            tailMs: 3000,
          },
          runner,
        )
        console.warn(`[galera partition]\n${renderDataRun(res)}`)
      })

      afterAll(async () => {
        await sql('g1', `DROP TABLE IF EXISTS ${GALERA_DB}.${table}`).catch(() => undefined)
      })

      it('runs, reverts and recovers without error', () => {
        expect(res.errors).toEqual([])
        expect(res.injectedAt).toBeDefined()
        expect(res.recoveredAt).toBeDefined()
      })

      it('loses no acknowledged write, and the minority accepted none while cut off', () => {
        const a = res.accounting
        expect(a).toBeDefined()
        expect(a?.lost).toEqual([])
        expect(a?.minorityAccepted).toEqual([])
        expect(a?.failedPresent).toEqual([])
        expect(a?.unexpected).toEqual([])
        expect(a?.duplicated).toEqual([])
        expect(a?.acked).toBeGreaterThan(100)
      })

      it('has the minority refuse writes while the majority keeps acknowledging them', () => {
        const a = res.accounting
        expect(a?.minorityRefused.length).toBeGreaterThan(10)
        const inWindow = res.history.filter(
          (w) => w.t >= (res.injectedAt ?? 0) + 10_000 && w.t + w.latencyMs <= (res.revertedAt ?? 0),
        )
        expect(inWindow.filter((w) => w.node === 'g3' && w.outcome === 'acked')).toEqual([])
        expect(
          inWindow.filter((w) => w.node === 'g3' && w.outcome === 'failed').map((w) => w.error),
        ).toContainEqual(expect.stringMatching(/1047/))
        expect(inWindow.filter((w) => w.node !== 'g3' && w.outcome === 'acked').length).toBeGreaterThan(50)
        expect(res.rto?.ms).toBeLessThan(20_000)
      })

      it('matches an independent read-back (mariadb client over SSH on g2)', async () => {
        const rows = (await sql('g2', `SELECT id FROM ${GALERA_DB}.${table} ORDER BY id`))
          .split('\n')
          .filter(Boolean)
          .map(Number)
        const acked = [...new Set(res.history.filter((w) => w.outcome === 'acked').map((w) => w.seq))]
        expect(acked.filter((id) => !rows.includes(id))).toEqual(res.accounting?.lost)
        expect(rows.length).toBe(res.accounting?.rows)
      })

      it('records the phases: g3 polled and logged non-Primary, the majority a 2-member primary component', () => {
        expect(res.polled.some((p) => p.node === 'g3' && /^Primary .* → non-Primary/.test(p.what))).toBe(true)
        expect(res.polled.some((p) => p.node === 'g1' && /size 3 .* → Primary size 2/.test(p.what))).toBe(
          true,
        )
        expect(res.logged.some((p) => p.node === 'g3' && /non-primary component/.test(p.what))).toBe(true)
        expect(
          res.logged.some(
            (p) => p.node === 'g1' && /^peer tcp:\/\/198\.18\.4\.13:4567 timed out/.test(p.what),
          ),
        ).toBe(true)
        expect(
          res.logged.some((p) => p.node === 'g1' && /new component: Primary, 2 members/.test(p.what)),
        ).toBe(true)
        const g3Non = res.logged.find((p) => p.node === 'g3' && /non-primary/.test(p.what))
        expect(g3Non?.t).toBeGreaterThanOrEqual(Math.floor((res.injectedAt ?? 0) / 1000) * 1000)
      })

      it('audited during the partition: galera.primary fails naming g3 as the minority, cluster-size fails', () => {
        const primary = auditDuring.filter((r) => r.id === 'galera.primary')
        expect(primary.map((r) => r.status)).toEqual(['fail'])
        expect(primary[0]?.message).toMatch(/g3 is in a non-primary component/)
        expect(auditDuring.filter((r) => r.id === 'galera.cluster-size').map((r) => r.status)).toEqual([
          'fail',
        ])
      })
    })

    it('hacheck chaos data galera-partition through the built CLI: g3 cut off, refuses writes, no acknowledged write lost, exit 0', async () => {
      const {code, report, stderr} = await runCliJson<DataRunResult>(
        [
          'chaos',
          'data',
          'galera-partition',
          '-i',
          status.inventory as string,
          '--duration',
          '10s',
          '--baseline',
          '2s',
          '--rate',
          '10',
          '--database',
          GALERA_DB,
          '--db-user',
          GALERA_USER,
          '--yes',
          '--format',
          'json',
        ],
        {...process.env, ...status.env, HACHECK_INVENTORY: ''},
      )
      expect(report.errors, stderr).toEqual([])
      expect(report.summary).toMatch(/g3/)
      expect(report.accounting?.lost).toEqual([])
      expect(report.accounting?.minorityAccepted).toEqual([])
      expect(report.accounting?.minorityRefused.length).toBeGreaterThan(0)
      expect(report.polled.some((p) => p.node === 'g3' && /non-Primary/.test(p.what))).toBe(true)
      expect(report.recoveredAt).toBeDefined()
      expect(code).toBe(0)
    })
    it('chaos data refuses, before anything changes, a cluster whose chaos lease another controller holds', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hacheck-galera-lease-'))
      const env = {
        ...process.env,
        ...status.env,
        HACHECK_INVENTORY: '',
        XDG_STATE_HOME: dir,
        HACHECK_LEASE_DIR: join(dir, 'leases'),
      }
      // This test process is the other controller: it holds the cluster's lease while the CLI runs.
      const inv = await loadInventory(status.inventory as string)
      const other = acquireLease({
        dir: join(dir, 'leases'),
        cluster: inv.cluster.name,
        runId: 'other-controller',
        ttlMs: 60_000,
      })
      try {
        const r = await runCli(
          [
            'chaos',
            'data',
            'galera-partition',
            '-i',
            status.inventory as string,
            '--database',
            GALERA_DB,
          ].concat(['--db-user', GALERA_USER, '--duration', '5s', '--yes']),
          env,
        )
        expect(r.stderr).toMatch(/chaos lease: .*other-controller/)
        expect(r.code).toBe(3)
        expect(readLedgers(join(dir, 'hacheck', 'ledger'))).toEqual([])
      } finally {
        other.release()
        rmSync(dir, {recursive: true, force: true})
      }
    })
    it('a 1-step game day (experiment: galera-partition on g3) through the built CLI: --dry-run shows every command per node, the run loses no acknowledged write, exit 0', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hacheck-galera-gameday-'))
      const file = join(dir, 'galera.yaml')
      writeFileSync(
        file,
        [
          'name: galera minority',
          'steps:',
          '  - name: cut-g3',
          '    experiment: galera-partition',
          `    with: {node: g3, rate: 10, database: ${GALERA_DB}, dbUser: ${GALERA_USER}}`,
          '    duration: 10s',
          '    baseline: 2s',
          '',
        ].join('\n'),
      )
      const env = {...process.env, ...status.env, HACHECK_INVENTORY: '', XDG_STATE_HOME: dir}
      try {
        const dry = await runCli(['chaos', 'run', file, '-i', status.inventory as string, '--dry-run'], env)
        expect(dry.code, dry.stderr).toBe(0)
        expect(dry.stdout).toMatch(/# experiment galera-partition on g3 \(galera: g1, g2, g3\)/)
        for (const n of NODES) {
          expect(dry.stdout).toMatch(new RegExp(`\\[${n}\\] arm dead-man on ${n}`))
          expect(dry.stdout).toMatch(new RegExp(`\\[${n}\\] drop traffic to/from`))
        }
        const {code, report, stderr} = await runCliJson<GameDayResult>(
          ['chaos', 'run', file, '-i', status.inventory as string, '--yes', '--format', 'json'],
          env,
        )
        const run = report.dataRuns?.[0]
        expect(report.errors, stderr).toEqual([])
        expect(report.steadyStateBefore).toEqual([])
        expect(run).toMatchObject({
          step: 'cut-g3',
          experiment: 'galera-partition',
          status: 'pass',
          exitCode: 0,
        })
        expect(run?.result.ledgerRemoved).toBe(true)
        expect(run?.result.accounting?.lost).toEqual([])
        expect(run?.result.accounting?.minorityAccepted).toEqual([])
        expect(run?.result.accounting?.minorityRefused.length).toBeGreaterThan(0)
        expect(report.status).toBe('pass')
        expect(code).toBe(0)
        expect(readLedgers(join(dir, 'hacheck', 'ledger'))).toEqual([])
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })

    it('hacheck chaos data galera-partition SIGKILLed during the hold: g3 is clean within the dead-man lease, chaos revert replays the ledger and reports nothing left', async () => {
      const state = mkdtempSync(join(tmpdir(), 'hacheck-data-kill-'))
      const env = chaosEnv(state, status)
      const ledgerDir = join(state, 'hacheck', 'ledger')
      const started = Date.now()
      let table = ''
      const child = hacheck(
        [
          'chaos',
          'data',
          'galera-partition',
          '-i',
          status.inventory as string,
          '--duration',
          '120s',
          '--lease-timeout',
          '5s',
          '--baseline',
          '1s',
          '--rate',
          '5',
          '--database',
          GALERA_DB,
          '--db-user',
          GALERA_USER,
          '--yes',
          '--log-file',
          'none',
        ],
        env,
      )
      try {
        // The ledger says `injected` once the cut is verified in place.
        const entry = await waitFor(
          'the ledger in state injected',
          60_000,
          async () => {
            const e = readLedgers(ledgerDir)[0]?.entry
            return e?.state === 'injected' ? e : undefined
          },
          100,
        )
        expect(entry.targets).toEqual(['g3'])
        expect(entry.deadmen.map((d) => d.deadman.kind === 'node' && d.deadman.node)).toEqual(NODES)
        expect(entry.deadmen.every((d) => (d.pid ?? 0) > 0)).toBe(true)
        expect(await hacheckRules('g3')).not.toEqual([])
        const killedAt = Date.now()
        child.kill('SIGKILL')
        await child
        // Restored by the dead-men alone: lease 5 s, checked every 0.5 s.
        const cleanAfter = await waitFor(
          'no hacheck iptables rule or chain left on any galera node',
          30_000,
          async () => {
            const left = (await Promise.all(NODES.map(hacheckRules))).flat()
            return left.length === 0 ? Date.now() - killedAt : undefined
          },
          200,
        )
        console.warn(`[galera sigkill] the dead-men left nothing ${cleanAfter} ms after hacheck was killed`)
        expect(cleanAfter).toBeLessThan(5000 + 2000 + 2500)

        const rev = await hacheck(['chaos', 'revert', '--format', 'json', '--log-file', 'none'], env)
        const report = JSON.parse(String(rev.stdout)) as {
          found: number
          cleaned: number
          left: number
          runs: {deadmanLogs: {where: string; text: string}[]; actions: {ok: boolean; what: string}[]}[]
        }
        expect(rev.exitCode, String(rev.stderr)).toBe(0)
        expect(report).toMatchObject({found: 1, cleaned: 1, left: 0})
        expect(report.runs[0]?.actions.filter((a) => !a.ok)).toEqual([])
        expect(report.runs[0]?.deadmanLogs.map((l) => l.where)).toContain('g3')
        expect(report.runs[0]?.deadmanLogs.find((l) => l.where === 'g3')?.text).toMatch(
          /firing: lease not renewed/,
        )
        const again = await hacheck(['chaos', 'revert', '--log-file', 'none'], env)
        expect(again.exitCode).toBe(0)
        expect(String(again.stdout)).toMatch(/no leftover ledger/)
        for (const n of NODES) expect(await hacheckRules(n)).toEqual([])
        table = mariadbWritesTable(entry.runId)
        console.warn(`[galera sigkill] took ${Date.now() - started} ms up to the revert`)
      } finally {
        child.kill('SIGKILL')
        rmSync(state, {recursive: true, force: true})
      }
      await waitFor('the galera cluster whole again', 120_000, async () =>
        galeraNotWhole(
          await Promise.all(
            NODES.map(async (n) => {
              const r = await runner.run(node(n), {script: galeraObserver.pollScript, timeoutMs: 5000})
              return {node: n, state: parseGaleraPoll(r.stdout, r.exitCode)}
            }),
          ),
        ) === undefined
          ? true
          : undefined,
      )
      // The killed run's table, once g3 has rejoined (a DROP while it catches up may wait on its locks).
      if (table)
        await waitFor(
          "the killed run's table dropped",
          120_000,
          async () =>
            await sql(
              'g1',
              `SET SESSION lock_wait_timeout = 10; DROP TABLE IF EXISTS ${GALERA_DB}.${table}`,
            ).then(
              () => true,
              () => undefined,
            ),
        )
    })
  },
)
