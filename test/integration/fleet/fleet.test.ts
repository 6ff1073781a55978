/**
 * Acceptance of `hacheck audit --fleet` (issue 14): at least 20 clusters in one
 * command — the lab (when it is up) plus sshd-only clusters of namespace nodes
 * (test/support/netns-fleet.ts) plus one cluster nobody answers for — audited
 * through one global connection budget, one result per cluster, the fleet
 * going on past the unreachable cluster, exit code of the worst cluster,
 * history and per-cluster reports written, and Prometheus output that
 * `promtool check metrics` accepts. The test builds and tears down its
 * namespaces itself.
 */
import {execFile, execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {FleetRun} from '../../../src/fleet/summary.js'
import {
  buildNetnsFleet,
  canBuildNetnsFleet,
  DEAD_ADDRESSES,
  type NetnsFleet,
} from '../../support/netns-fleet.js'
import {runCliJson} from '../../support/cli.js'
import {labContext} from '../lab/helpers.js'

const SSHD_CLUSTERS = 20
const NODES_PER_CLUSTER = 2
const BUDGET = 8

const cannot = canBuildNetnsFleet()
const lab = labContext()

describe.skipIf(cannot !== undefined)(
  `audit --fleet on ${SSHD_CLUSTERS} sshd-only clusters, an unreachable one and the lab${cannot ? ` (SKIPPED: ${cannot})` : lab.available ? '' : ` (lab SKIPPED: ${lab.reason})`}`,
  () => {
    let fleet: NetnsFleet
    let work: string
    let report: FleetRun
    let exitCode: number
    let stderr: string

    beforeAll(async () => {
      fleet = await buildNetnsFleet(SSHD_CLUSTERS * NODES_PER_CLUSTER)
      work = mkdtempSync(join(tmpdir(), 'hacheck-fleet-run-'))
      const dir = join(work, 'fleet')
      execFileSync('mkdir', ['-p', dir])
      const entries: string[] = []
      const inventory = (name: string, hosts: string[]): string =>
        [
          `cluster: {name: ${name}, stack: generic, objectives: {rto: 30s}}`,
          'networks: {public: 198.19.64.0/20}',
          `ssh: {user: root, identityFile: ${fleet.identityFile}, knownHosts: ${fleet.knownHosts}}`,
          'nodes:',
          ...hosts.map((h, i) => `  - {name: n${i + 1}, host: ${h}, roles: [cluster]}`),
        ].join('\n') + '\n'
      for (let c = 0; c < SSHD_CLUSTERS; c++) {
        const name = `sshd-${String(c + 1).padStart(2, '0')}`
        const hosts = fleet.hosts.slice(c * NODES_PER_CLUSTER, (c + 1) * NODES_PER_CLUSTER)
        writeFileSync(join(dir, `${name}.yaml`), inventory(name, hosts))
        entries.push(`  - inventory: ${name}.yaml`)
      }
      writeFileSync(join(dir, 'unreachable.yaml'), inventory('unreachable', DEAD_ADDRESSES))
      entries.push('  - inventory: unreachable.yaml')
      if (lab.available && lab.status.inventory) entries.push(`  - inventory: ${lab.status.inventory}`)
      writeFileSync(join(dir, 'fleet.yaml'), `name: acceptance\nclusters:\n${entries.join('\n')}\n`)
      const env = {
        ...process.env,
        HOME: work,
        XDG_STATE_HOME: join(work, 'state'),
        SSH_AUTH_SOCK: '',
        HACHECK_HISTORY: '',
      }
      const argv = [
        'audit',
        '--fleet',
        dir,
        '--concurrency',
        String(BUDGET),
        '--timeout',
        '30s',
        '--connect-timeout',
        '3s',
        '--history',
        join(work, 'history'),
        '--output-dir',
        join(work, 'reports'),
        '--format',
        'prometheus',
        '--output',
        join(work, 'fleet.prom'),
        '--format',
        'json',
        '-q',
        '--log-file',
        'none',
      ]
      ;({code: exitCode, report, stderr} = await runCliJson<FleetRun>(argv, env, 256 * 1024 * 1024))
      const s = report.summary
      console.warn(
        `[fleet] ${s.clusters} clusters (${s.passed} passed, ${s.failed} failed, ${s.incomplete} incomplete, ${s.invalid} invalid) in ${(report.durationMs / 1000).toFixed(1)} s, budget ${report.budget.nodes}, peak ${report.budget.peakNodes}, exit ${exitCode}`,
      )
    }, 600_000)

    afterAll(() => {
      fleet?.teardown()
      if (work) rmSync(work, {recursive: true, force: true})
    })

    it('gives one result per cluster, at least 20 of them', () => {
      const expected = SSHD_CLUSTERS + 1 + (lab.available ? 1 : 0)
      expect(report.kind).toBe('fleet')
      expect(report.clusters).toHaveLength(expected)
      expect(report.clusters.length).toBeGreaterThanOrEqual(20)
      expect(new Set(report.clusters.map((c) => c.name)).size).toBe(expected)
      expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/)
    })

    it('audits every node of every sshd-only cluster over SSH', () => {
      const sshd = report.clusters.filter((c) => c.name.startsWith('sshd-'))
      expect(sshd).toHaveLength(SSHD_CLUSTERS)
      for (const c of sshd) {
        expect(c.run, c.name).toBeDefined()
        expect(c.run?.nodes.map((n) => n.reachable)).toEqual([true, true])
        expect(c.run?.results.length).toBeGreaterThan(0)
        expect(c.run?.cluster.objectives.rtoMs).toBe(30_000)
      }
    })

    it('keeps going past the unreachable cluster and reports it incomplete (exit 3)', () => {
      const u = report.clusters.find((c) => c.name === 'unreachable')
      expect(u?.verdict).toBe('incomplete')
      expect(u?.exitCode).toBe(3)
      expect(u?.run?.nodes.every((n) => !n.reachable && (n.error ?? '') !== '')).toBe(true)
    })

    it.skipIf(!lab.available)('audits the lab as one cluster of the fleet, every node reachable', () => {
      const l = report.clusters.find((c) => c.source.path === (lab.available ? lab.status.inventory : ''))
      expect(l?.run).toBeDefined()
      expect(l?.run?.nodes.every((n) => n.reachable)).toBe(true)
      expect(l?.run?.cluster.stack).toBe('pacemaker')
    })

    it('exits with the worst cluster\u2019s code, and the summary says which clusters fail what', () => {
      expect(exitCode).toBe(3)
      expect(report.summary.exitCode).toBe(3)
      expect(report.summary.incomplete).toBeGreaterThanOrEqual(1)
      const reachability = report.summary.checks.find((r) => r.clusters.unreachable !== undefined)
      expect(reachability).toBeDefined()
    })

    it('never works on more nodes at once than the global budget, and uses all of it', () => {
      expect(report.budget.nodes).toBe(BUDGET)
      expect(report.budget.peakNodes).toBeLessThanOrEqual(BUDGET)
      expect(report.budget.peakNodes).toBe(BUDGET)
    })

    it('saves every cluster to the history and writes each cluster report', () => {
      const folders = readdirSync(join(work, 'history'))
      const withRun = report.clusters.filter((c) => c.run)
      expect(folders.sort()).toEqual(withRun.map((c) => c.name).sort())
      for (const c of withRun) {
        const saved = JSON.parse(readFileSync(join(work, 'reports', `${c.name}.json`), 'utf8')) as {
          kind: string
        }
        expect(saved.kind).toBe('audit')
      }
    })

    it.skipIf(!existsSync('/usr/bin/promtool'))(
      'writes Prometheus metrics that promtool check metrics accepts',
      async () => {
        const text = readFileSync(join(work, 'fleet.prom'), 'utf8')
        expect(text).toContain('hacheck_audit_exit_code{cluster="unreachable"} 3')
        expect(text).toContain(`hacheck_fleet_peak_nodes{fleet="acceptance"} ${BUDGET}`)
        const r = await new Promise<{code: number | null; out: string}>((resolve) => {
          const p = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) =>
            resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, out: stdout + stderr}),
          )
          p.stdin?.end(text)
        })
        expect(r.out).toBe('')
        expect(r.code).toBe(0)
      },
    )
  },
)
