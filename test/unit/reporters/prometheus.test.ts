/**
 * The Prometheus text format: audit runs of the lab captures (real tool
 * outputs) and chaos results, checked with promtool where it is installed
 * (Debian package prometheus, in lab/packages.txt), and against the metric
 * names the shipped alert rules use.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import {STATUSES, type AuditRun} from '../../../src/core/results.js'
import {
  escapeLabelValue,
  latestChaos,
  promChaosFrom,
  renderPrometheus,
} from '../../../src/reporters/prometheus.js'
import {auditCapture} from '../../support/capture-audit.js'
import {repoRoot} from '../../support/paths.js'

const PROMTOOL = '/usr/bin/promtool'
const promtool = existsSync(PROMTOOL)

function chaos(
  over: Omit<Partial<ChaosResult>, 'metrics'> & {metrics?: Partial<ChaosResult['metrics']>} = {},
): ChaosResult {
  const base: ChaosResult = {
    status: 'pass',
    fault: 'power-off',
    target: ['n1'],
    metrics: {
      clientOutageMs: 12_400,
      clientOutageMinMs: 12_000,
      recoveryMs: 12_900,
      probes: 800,
      failedProbes: 240,
      latency: null,
      maxVipHolders: 1,
      vipSamples: 80,
      outages: [],
    },
    phases: [],
    expectations: [],
    schemaVersion: 1,
    runId: '20261201t023000z-abcd',
    summary: '',
    cluster: 'prod-a',
    startedAt: '2026-12-01T02:30:00.000Z',
    finishedAt: '2026-12-01T02:31:10.000Z',
    durationMs: 70_000,
    holdMs: 20_000,
    injectedAt: Date.parse('2026-12-01T02:30:05.000Z'),
    objectives: {rtoMs: 30_000, rpoMs: 0},
    phaseAgreement: [],
    clockOffsets: {},
    revert: {planned: true, done: true, verified: true, deadmanFired: false, ledgerRemoved: true},
    notes: [],
    errors: [],
  }
  return {...base, ...over, metrics: {...base.metrics, ...over.metrics}}
}

function check(text: string): {code: number | null; out: string} {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], {input: text, encoding: 'utf8'})
  return {code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '')}
}

let healthy: AuditRun
let broken: AuditRun
beforeAll(async () => {
  healthy = await auditCapture('lab-healthy', {cluster: 'prod-a'})
  broken = await auditCapture('lab-stonith-disabled', {cluster: 'prod-b'})
})

describe('the Prometheus text format of audits', () => {
  it('gives per cluster and check a one-hot status with the severity, a duration and the last success time', () => {
    const text = renderPrometheus({
      audits: [{run: healthy}, {run: broken, checkLastSuccess: {'fencing.enabled': 1796000000}}],
    })
    expect(text).toContain(
      'hacheck_check_status{cluster="prod-b",check="fencing.enabled",severity="critical",status="fail"} 1',
    )
    expect(text).toContain(
      'hacheck_check_status{cluster="prod-b",check="fencing.enabled",severity="critical",status="pass"} 0',
    )
    expect(text).toContain(
      'hacheck_check_last_success_timestamp_seconds{cluster="prod-b",check="fencing.enabled"} 1796000000',
    )
    expect(text).toContain(
      `hacheck_check_last_success_timestamp_seconds{cluster="prod-a",check="fencing.enabled"} ${Date.parse(healthy.finishedAt) / 1000}`,
    )
    expect(text).toMatch(
      /^hacheck_check_duration_seconds\{cluster="prod-a",check="fencing\.enabled"\} [\d.]+$/m,
    )
    expect(text).toContain('hacheck_audit_exit_code{cluster="prod-b"} 1')
    expect(text).toContain('hacheck_node_reachable{cluster="prod-a",node="n1"} 1')
    // One HELP and TYPE per family, never a sample timestamp (the textfile collector refuses them).
    expect(text.match(/^# TYPE hacheck_check_status gauge$/gm)).toHaveLength(1)
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(/^[a-z_]+(\{.*\})? \S+$/)
  })

  it('keeps label cardinality bounded: cluster × check × the statuses', () => {
    const text = renderPrometheus({audits: [{run: healthy}]})
    const checks = new Set(healthy.results.map((r) => r.id)).size
    expect(text.match(/^hacheck_check_status\{/gm)).toHaveLength(checks * STATUSES.length)
  })

  it('says "no complete audit on record" (0) for an incomplete run without history', () => {
    const incomplete: AuditRun = {...healthy, summary: {...healthy.summary, error: 1}}
    expect(renderPrometheus({audits: [{run: incomplete}]})).toContain(
      'hacheck_audit_last_complete_timestamp_seconds{cluster="prod-a"} 0',
    )
    expect(renderPrometheus({audits: [{run: incomplete, lastComplete: 1795000000}]})).toContain(
      'hacheck_audit_last_complete_timestamp_seconds{cluster="prod-a"} 1795000000',
    )
  })

  it('escapes hostile label values so they cannot break the format', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd')
    const text = renderPrometheus({
      audits: [{run: {...healthy, cluster: {...healthy.cluster, name: 'x"} 1\nevil 2'}}}],
    })
    expect(text).toContain('cluster="x\\"} 1\\nevil 2"')
    expect(text).not.toMatch(/^evil/m)
    if (promtool) expect(check(text)).toEqual({code: 0, out: ''})
  })

  it.skipIf(!promtool)('is accepted by promtool check metrics, fleet and chaos gauges included', () => {
    const text = renderPrometheus({
      audits: [{run: healthy}, {run: broken}],
      missing: [{cluster: 'prod-c', exitCode: 2, at: 1796000000}],
      chaos: [
        promChaosFrom(chaos({})),
        promChaosFrom(chaos({cluster: 'db', metrics: {clientOutageMs: null, lostWrites: 3, rpoMs: 850}})),
      ],
      fleet: {name: 'nightly', durationSeconds: 42.5, budget: 32, peakNodes: 32},
    })
    expect(check(text)).toEqual({code: 0, out: ''})
  })
})

describe('the Prometheus gauges of chaos runs', () => {
  it('export the measured RTO and RPO next to the objectives, +Inf when clients never recovered', () => {
    const text = renderPrometheus({
      chaos: [
        promChaosFrom(chaos({})),
        promChaosFrom(
          chaos({cluster: 'db', status: 'fail', metrics: {clientOutageMs: null, lostWrites: 3, rpoMs: 850}}),
        ),
      ],
    })
    expect(text).toContain('hacheck_chaos_rto_seconds{cluster="prod-a",fault="power-off"} 12.4')
    expect(text).toContain('hacheck_chaos_rto_objective_seconds{cluster="prod-a",fault="power-off"} 30')
    expect(text).toContain('hacheck_chaos_rto_seconds{cluster="db",fault="power-off"} +Inf')
    expect(text).toContain('hacheck_chaos_rpo_seconds{cluster="db",fault="power-off"} 0.85')
    expect(text).toContain('hacheck_chaos_lost_writes{cluster="db",fault="power-off"} 3')
    expect(text).toContain('hacheck_chaos_status{cluster="db",fault="power-off",status="fail"} 1')
    expect(text).not.toContain('hacheck_chaos_rpo_seconds{cluster="prod-a"')
  })

  it('export no RTO for a run without a workload (none was measured)', () => {
    expect(
      renderPrometheus({chaos: [promChaosFrom(chaos({metrics: {probes: 0, clientOutageMs: null}}))]}),
    ).not.toContain('hacheck_chaos_rto_seconds')
  })

  it('keep only the newest run per cluster and fault', () => {
    const old = chaos({finishedAt: '2026-11-01T00:00:00.000Z', metrics: {clientOutageMs: 99_000}})
    const latest = latestChaos([chaos({}), old, chaos({fault: 'link-pull'})])
    expect(latest.map((r) => [r.fault, r.metrics.clientOutageMs])).toEqual([
      ['link-pull', 12_400],
      ['power-off', 12_400],
    ])
  })
})

describe('the shipped alert rules', () => {
  it('use only metric names hacheck exports', () => {
    const rules = readFileSync(join(repoRoot, 'deploy/prometheus/hacheck-alerts.yml'), 'utf8')
    const used = new Set(rules.match(/\bhacheck_[a-z_]+\b/g))
    const text = renderPrometheus({
      audits: [{run: broken}],
      chaos: [promChaosFrom(chaos({metrics: {lostWrites: 0, rpoMs: 0}}))],
    })
    const exported = new Set(text.match(/^# TYPE (\S+)/gm)?.map((l) => l.slice(7)))
    expect(used.size).toBeGreaterThanOrEqual(5)
    for (const name of used) expect(exported, name).toContain(name)
  })

  it.skipIf(!promtool)('pass promtool check rules and their unit tests (promtool test rules)', () => {
    const dir = join(repoRoot, 'deploy/prometheus')
    expect(
      execFileSync(PROMTOOL, ['check', 'rules', join(dir, 'hacheck-alerts.yml')], {encoding: 'utf8'}),
    ).toMatch(/SUCCESS: 5 rules found/)
    const r = spawnSync(PROMTOOL, ['test', 'rules', 'hacheck-alerts.test.yml'], {cwd: dir, encoding: 'utf8'})
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/)
    expect(r.status).toBe(0)
  })

  it.skipIf(!promtool)('fail promtool test rules when a rule no longer does what its test expects', () => {
    const dir = join(repoRoot, 'deploy/prometheus')
    const tmp = mkdtempSync(join(tmpdir(), 'hacheck-rules-'))
    writeFileSync(
      join(tmp, 'hacheck-alerts.yml'),
      readFileSync(join(dir, 'hacheck-alerts.yml'), 'utf8').replace('> 48 * 3600', '> 72 * 3600'),
    )
    copyFileSync(join(dir, 'hacheck-alerts.test.yml'), join(tmp, 'hacheck-alerts.test.yml'))
    const r = spawnSync(PROMTOOL, ['test', 'rules', 'hacheck-alerts.test.yml'], {cwd: tmp, encoding: 'utf8'})
    rmSync(tmp, {recursive: true, force: true})
    expect(r.status).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/HacheckNoRecentAudit/)
  })
})
