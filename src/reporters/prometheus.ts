/**
 * Prometheus text exposition format (version 0.0.4), pure: what node_exporter's
 * textfile collector reads and what a Pushgateway accepts. No sample
 * timestamps (the textfile collector refuses them); times are gauges named
 * *_timestamp_seconds instead. Labels are bounded: cluster × check × status
 * (6 values); node only on hacheck_node_reachable. Metric and label names are
 * documented in docs/observability.md together with the alert rules that use
 * them (deploy/prometheus/hacheck-alerts.yml).
 */
import type {AuditRun, Status} from '../core/results.js'
import {STATUSES, STATUS_WEIGHT} from '../core/results.js'

/** What one cluster's audit contributes; times in epoch seconds. */
export interface PromAudit {
  run: AuditRun
  /** Last time each check passed (from the history); this run counts when it passed. */
  checkLastSuccess?: Record<string, number>
  /** Last audit of this cluster that completed (exit 0 or 1), from the history. */
  lastComplete?: number
}

/** A cluster that could not be audited at all (invalid inventory, internal error). */
export interface PromMissing {
  cluster: string
  exitCode: number
  /** When the attempt ended. */
  at: number
  lastComplete?: number
}

/** The latest chaos run per cluster and fault. */
export interface PromChaos {
  cluster: string
  fault: string
  status: 'pass' | 'fail' | 'error' | 'aborted'
  finishedAt: number
  /** Client-visible outage (the measured RTO); null = clients never recovered (+Inf); undefined = no load ran. */
  rtoSeconds?: number | null
  rtoObjectiveSeconds?: number
  /** null = the writes could not be read back (not rendered). */
  rpoSeconds?: number | null
  rpoObjectiveSeconds?: number
  lostWrites?: number | null
}

/**
 * What the exporter reads of a chaos run. chaos/measure/result.ts's ChaosResult
 * fits it; it is declared here so that reporters do not depend on chaos (which
 * sits above them).
 */
export interface ChaosRunView {
  cluster: string
  fault: string
  status: PromChaos['status']
  /** ISO 8601. */
  finishedAt: string
  objectives: {rtoMs?: number; rpoMs?: number}
  metrics: {
    probes: number
    clientOutageMs: number | null
    rpoMs?: number | null
    lostWrites?: number | null
  }
}

export interface PromInput {
  audits?: PromAudit[]
  missing?: PromMissing[]
  chaos?: PromChaos[]
  fleet?: {name: string; durationSeconds: number; budget: number; peakNodes: number}
}

type Labels = Record<string, string>
interface Family {
  name: string
  help: string
  samples: {labels: Labels; value: number}[]
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(Math.round(v * 1000) / 1000)
}

function renderFamily(f: Family): string {
  if (!f.samples.length) return ''
  const lines = [
    `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    `# TYPE ${f.name} gauge`,
  ]
  for (const s of f.samples) {
    const l = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',')
    lines.push(`${f.name}${l ? `{${l}}` : ''} ${formatValue(s.value)}`)
  }
  return lines.join('\n') + '\n'
}

const epoch = (iso: string): number => Date.parse(iso) / 1000

class Families {
  private readonly m = new Map<string, Family>()
  constructor(defs: Record<string, string>) {
    for (const [name, help] of Object.entries(defs)) this.m.set(name, {name, help, samples: []})
  }
  add(name: string, labels: Labels, value: number): void {
    const f = this.m.get(name)
    if (!f) throw new Error(`unknown metric ${name}`)
    f.samples.push({labels, value})
  }
  render(): string {
    return [...this.m.values()].map(renderFamily).join('')
  }
}

const HELP = {
  hacheck_audit_timestamp_seconds: 'When the latest audit of the cluster finished (Unix time).',
  hacheck_audit_last_complete_timestamp_seconds:
    'When the latest audit that completed (exit 0 or 1) finished; 0 = none on record.',
  hacheck_audit_duration_seconds: 'How long the latest audit of the cluster took.',
  hacheck_audit_exit_code:
    'Exit code of the latest audit: 0 passed, 1 findings failed, 2 invalid input, 3 incomplete.',
  hacheck_audit_results: 'Results of the latest audit by status.',
  hacheck_node_reachable: '1 when the node answered over SSH in the latest audit.',
  hacheck_check_status:
    '1 for the current status of the check on the cluster (worst over its nodes), 0 for the others.',
  hacheck_check_duration_seconds: 'Time spent evaluating the check (summed over nodes).',
  hacheck_check_last_success_timestamp_seconds: 'Last time the check passed on the cluster (Unix time).',
  hacheck_chaos_run_timestamp_seconds:
    'When the latest chaos run of this fault against the cluster finished.',
  hacheck_chaos_status: '1 for the status of the latest chaos run of this fault, 0 for the others.',
  hacheck_chaos_rto_seconds:
    'Measured client-visible outage (RTO) of the latest chaos run; +Inf = never recovered.',
  hacheck_chaos_rto_objective_seconds: "The cluster's declared RTO objective.",
  hacheck_chaos_rpo_seconds:
    'Measured RPO (first to last acknowledged write lost) of the latest write-workload run.',
  hacheck_chaos_rpo_objective_seconds: "The cluster's declared RPO objective.",
  hacheck_chaos_lost_writes: 'Acknowledged writes lost in the latest write-workload chaos run.',
  hacheck_fleet_clusters: 'Clusters of the fleet run by verdict.',
  hacheck_fleet_duration_seconds: 'How long the fleet audit took.',
  hacheck_fleet_connection_budget: 'Nodes worked on at once across the fleet (the global connection budget).',
  hacheck_fleet_peak_nodes: 'Most nodes seen in flight at once during the fleet audit.',
}

const CHAOS_STATUSES = ['pass', 'fail', 'error', 'aborted'] as const

function addAudit(fs: Families, a: PromAudit): void {
  const run = a.run
  const cluster = run.cluster.name
  const c = {cluster}
  const finished = epoch(run.finishedAt)
  const exit = run.summary.error > 0 ? 3 : run.summary.fail > 0 ? 1 : 0
  fs.add('hacheck_audit_timestamp_seconds', c, finished)
  fs.add('hacheck_audit_last_complete_timestamp_seconds', c, exit !== 3 ? finished : (a.lastComplete ?? 0))
  fs.add('hacheck_audit_duration_seconds', c, run.durationMs / 1000)
  fs.add('hacheck_audit_exit_code', c, exit)
  for (const s of STATUSES) fs.add('hacheck_audit_results', {cluster, status: s}, run.summary[s])
  for (const n of run.nodes) fs.add('hacheck_node_reachable', {cluster, node: n.name}, n.reachable ? 1 : 0)
  const byCheck = new Map<string, {status: Status; severity: string; durationMs: number}>()
  for (const r of run.results) {
    const prev = byCheck.get(r.id)
    if (!prev) byCheck.set(r.id, {status: r.status, severity: r.severity, durationMs: r.durationMs})
    else {
      if (STATUS_WEIGHT[r.status] > STATUS_WEIGHT[prev.status]) prev.status = r.status
      prev.durationMs += r.durationMs
    }
  }
  const checks = [...byCheck].sort(([x], [y]) => x.localeCompare(y))
  for (const [check, v] of checks)
    for (const s of STATUSES)
      fs.add(
        'hacheck_check_status',
        {cluster, check, severity: v.severity, status: s},
        v.status === s ? 1 : 0,
      )
  for (const [check, v] of checks)
    fs.add('hacheck_check_duration_seconds', {cluster, check}, v.durationMs / 1000)
  for (const [check, v] of checks) {
    const last = v.status === 'pass' ? finished : a.checkLastSuccess?.[check]
    if (last !== undefined) fs.add('hacheck_check_last_success_timestamp_seconds', {cluster, check}, last)
  }
}

export function renderPrometheus(input: PromInput): string {
  const fs = new Families(HELP)
  for (const a of input.audits ?? []) addAudit(fs, a)
  for (const m of input.missing ?? []) {
    fs.add('hacheck_audit_timestamp_seconds', {cluster: m.cluster}, m.at)
    fs.add('hacheck_audit_last_complete_timestamp_seconds', {cluster: m.cluster}, m.lastComplete ?? 0)
    fs.add('hacheck_audit_exit_code', {cluster: m.cluster}, m.exitCode)
  }
  for (const c of input.chaos ?? []) {
    const l = {cluster: c.cluster, fault: c.fault}
    fs.add('hacheck_chaos_run_timestamp_seconds', l, c.finishedAt)
    for (const s of CHAOS_STATUSES) fs.add('hacheck_chaos_status', {...l, status: s}, c.status === s ? 1 : 0)
    if (c.rtoSeconds !== undefined) fs.add('hacheck_chaos_rto_seconds', l, c.rtoSeconds ?? Infinity)
    if (c.rtoObjectiveSeconds !== undefined)
      fs.add('hacheck_chaos_rto_objective_seconds', l, c.rtoObjectiveSeconds)
    if (typeof c.rpoSeconds === 'number') fs.add('hacheck_chaos_rpo_seconds', l, c.rpoSeconds)
    if (c.rpoObjectiveSeconds !== undefined && c.rpoSeconds !== undefined)
      fs.add('hacheck_chaos_rpo_objective_seconds', l, c.rpoObjectiveSeconds)
    if (typeof c.lostWrites === 'number') fs.add('hacheck_chaos_lost_writes', l, c.lostWrites)
  }
  if (input.fleet) {
    const f = {fleet: input.fleet.name}
    const verdicts = {passed: 0, failed: 0, incomplete: 0, invalid: 0}
    for (const a of input.audits ?? []) {
      const s = a.run.summary
      verdicts[s.error > 0 ? 'incomplete' : s.fail > 0 ? 'failed' : 'passed']++
    }
    for (const m of input.missing ?? []) verdicts[m.exitCode === 2 ? 'invalid' : 'incomplete']++
    for (const [v, n] of Object.entries(verdicts)) fs.add('hacheck_fleet_clusters', {...f, verdict: v}, n)
    fs.add('hacheck_fleet_duration_seconds', f, input.fleet.durationSeconds)
    fs.add('hacheck_fleet_connection_budget', f, input.fleet.budget)
    fs.add('hacheck_fleet_peak_nodes', f, input.fleet.peakNodes)
  }
  return fs.render()
}

/** The Prometheus view of one chaos run (the latest per cluster and fault is what should be exported). */
export function promChaosFrom(r: ChaosRunView): PromChaos {
  const m = r.metrics
  const out: PromChaos = {
    cluster: r.cluster,
    fault: r.fault,
    status: r.status,
    finishedAt: epoch(r.finishedAt),
  }
  // No probe ran: no client-side RTO was measured, so none is exported.
  if (m.probes > 0) out.rtoSeconds = m.clientOutageMs === null ? null : m.clientOutageMs / 1000
  if (r.objectives.rtoMs !== undefined) out.rtoObjectiveSeconds = r.objectives.rtoMs / 1000
  if (m.rpoMs !== undefined) out.rpoSeconds = m.rpoMs === null ? null : m.rpoMs / 1000
  if (r.objectives.rpoMs !== undefined) out.rpoObjectiveSeconds = r.objectives.rpoMs / 1000
  if (m.lostWrites !== undefined) out.lostWrites = m.lostWrites
  return out
}

/** Keeps the newest run per cluster and fault. */
export function latestChaos<R extends ChaosRunView>(runs: readonly R[]): R[] {
  const by = new Map<string, R>()
  for (const r of runs) {
    const k = `${r.cluster}\u0000${r.fault}`
    const prev = by.get(k)
    if (!prev || prev.finishedAt < r.finishedAt) by.set(k, r)
  }
  return [...by.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.fault.localeCompare(b.fault))
}
