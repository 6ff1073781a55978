/**
 * prometheus-rules: Prometheus rule files on a monitoring node (groups of
 * alerting and recording rules), and the helper the replication-lag check
 * uses: which alerts watch replication lag, on which metric, and at what
 * threshold (in seconds when the metric is a time, bytes when it is a size).
 *
 * Files read: /etc/prometheus/rules/, /etc/prometheus/rules.d/ and
 * /etc/prometheus/ (*.yml, *.yaml, *.rules). A YAML file without `groups`
 * (prometheus.yml itself) is skipped; a file that is not YAML is reported in
 * `errors` with its name, the other files still count.
 *
 * Threshold extraction reads the comparison at the outermost parenthesis
 * level of the expression ("( … > 0 ) > 30" gives 30), so a guard inside
 * the expression is not mistaken for the alert threshold.
 */
import {createRequire} from 'node:module'

import type * as YamlLib from 'yaml'

import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, splitParts} from './parts.js'
import {dict, isRecord, toNum} from './util.js'

export interface PromRule {
  file?: string
  group: string
  kind: 'alert' | 'record'
  /** Alert or record name. */
  name: string
  expr: string
  /** `for` as written, and in seconds. */
  for?: string
  forSeconds?: number
  labels: Record<string, string>
  severity?: string
  annotations: Record<string, string>
}

export interface PromRules {
  files: string[]
  rules: PromRule[]
  errors: {file?: string; message: string}[]
}

export interface LagRule {
  rule: PromRule
  /** The lag metric the expression reads. */
  metric: string
  /** What the metric measures. */
  unit: 'seconds' | 'bytes' | 'unknown'
  /** Number on the right of the outermost ">"/">=" comparison. */
  threshold?: number
  /** threshold when unit is seconds. */
  thresholdSeconds?: number
  comparator?: string
}

/** Prometheus duration ("30s", "1m", "1h30m", "2d") in seconds. */
export function promDurationSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const units: Record<string, number> = {ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000}
  let total = 0
  let rest = v.trim()
  if (rest === '') return undefined
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/.exec(rest)
    if (!m) return undefined
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0)
    rest = rest.slice(m[0].length)
  }
  return total
}

function strRecord(v: unknown): Record<string, string> {
  const out = dict<string>()
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : String(x)
  return out
}

/** Parses one rule file's YAML; returns undefined for YAML that is not a rule file. */
export function parseRuleFile(text: string, file?: string): PromRule[] | undefined {
  let doc: unknown
  try {
    // Loaded here, not at start-up: only monitoring nodes have rules to read.
    doc = (createRequire(import.meta.url)('yaml') as typeof YamlLib).parse(text)
  } catch (err) {
    throw new ParseError(
      `${file ?? 'rule file'}: not YAML: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  if (!isRecord(doc) || !Array.isArray(doc['groups'])) return undefined
  const rules: PromRule[] = []
  for (const g of doc['groups']) {
    if (!isRecord(g)) continue
    const group = typeof g['name'] === 'string' ? g['name'] : ''
    for (const r of Array.isArray(g['rules']) ? g['rules'] : []) {
      if (!isRecord(r)) continue
      const alert = typeof r['alert'] === 'string' ? r['alert'] : undefined
      const record = typeof r['record'] === 'string' ? r['record'] : undefined
      const expr = r['expr']
      if (
        (alert === undefined && record === undefined) ||
        (typeof expr !== 'string' && typeof expr !== 'number')
      ) {
        continue
      }
      const labels = strRecord(r['labels'])
      const forText = typeof r['for'] === 'string' ? r['for'] : undefined
      rules.push({
        file,
        group,
        kind: alert !== undefined ? 'alert' : 'record',
        name: alert ?? record ?? '',
        expr: String(expr).trim(),
        for: forText,
        forSeconds: promDurationSeconds(forText),
        labels,
        severity: labels['severity'],
        annotations: strRecord(r['annotations']),
      })
    }
  }
  return rules
}

export function parsePromRuleFiles(files: readonly {name: string; body: string}[]): PromRules {
  const out: PromRules = {files: [], rules: [], errors: []}
  for (const f of files) {
    try {
      const rules = parseRuleFile(f.body, f.name)
      if (rules === undefined) continue
      out.files.push(f.name)
      out.rules.push(...rules)
    } catch (err) {
      out.errors.push({file: f.name, message: err instanceof Error ? err.message : String(err)})
    }
  }
  return out
}

/** Metrics that measure replication lag, with what they measure. */
export const LAG_METRICS: readonly {re: RegExp; unit: LagRule['unit']}[] = [
  {re: /\bpg_replication_lag(?:_seconds)?\b/, unit: 'seconds'},
  {re: /\bpg_stat_replication_\w*(?:replay|write|flush)_lag\w*\b/, unit: 'seconds'},
  {re: /\bpg_stat_replication_\w*(?:lsn_diff|lag_bytes|byte_lag)\w*\b/, unit: 'bytes'},
  {re: /\bccp_replication_lag_size_bytes\b/, unit: 'bytes'},
  {re: /\bccp_replication_lag_replay_time\b/, unit: 'seconds'},
  {re: /\bmysql_slave_status_seconds_behind_master\b/, unit: 'seconds'},
  {re: /\bmysql_slave_lag_seconds\b/, unit: 'seconds'},
  {re: /\bmysql_heartbeat_lag_seconds\b/, unit: 'seconds'},
  {re: /\bmysql_replica_status_seconds_behind_source\b/, unit: 'seconds'},
  {re: /\bredis_connected_slave_lag_seconds\b/, unit: 'seconds'},
  {re: /\bredis_master_last_io_seconds_ago\b/, unit: 'seconds'},
  {re: /\bredis_connected_slave_offset_bytes\b/, unit: 'bytes'},
  {re: /\b\w*drbd\w*out_of_sync\w*\b/, unit: 'bytes'},
  {re: /\b\w*replication_lag\w*\b/, unit: 'unknown'},
]

/**
 * The threshold comparison of an alert expression: among the `>`/`>=`
 * comparisons with a number on the right at the outermost parenthesis depth,
 * the first one after the metric (else the last one before it).
 */
export function thresholdComparison(expr: string, metricIndex = 0): {op: string; value: number} | undefined {
  const found: {op: string; value: number; depth: number; index: number}[] = []
  let depth = 0
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]
    if (c === '(') depth++
    else if (c === ')') depth = Math.max(0, depth - 1)
    else if (c === '>') {
      const m = /^(>=?)\s*(?:bool\s+)?([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w.])/i.exec(expr.slice(i))
      if (m) {
        const value = toNum(m[2])
        if (value !== undefined) found.push({op: m[1] ?? '>', value, depth, index: i})
        i += m[0].length - 1
      }
    }
  }
  if (found.length === 0) return undefined
  const top = Math.min(...found.map((f) => f.depth))
  const outer = found.filter((f) => f.depth === top)
  const pick = outer.find((f) => f.index > metricIndex) ?? outer[outer.length - 1]
  return pick ? {op: pick.op, value: pick.value} : undefined
}

/** Alerting rules on replication lag, with the metric, unit and threshold. */
export function replicationLagRules(rules: readonly PromRule[]): LagRule[] {
  const out: LagRule[] = []
  for (const rule of rules) {
    if (rule.kind !== 'alert') continue
    const hit = LAG_METRICS.map((m) => ({m, match: m.re.exec(rule.expr)})).find((x) => x.match)
    if (!hit || !hit.match) continue
    const cmp = thresholdComparison(rule.expr, hit.match.index)
    out.push({
      rule,
      metric: hit.match[0],
      unit: hit.m.unit,
      threshold: cmp?.value,
      thresholdSeconds: hit.m.unit === 'seconds' ? cmp?.value : undefined,
      comparator: cmp?.op,
    })
  }
  return out
}

export const prometheusRules = defineGatherer<PromRules>({
  id: 'prometheus-rules',
  description: 'Prometheus rule files (alert name, expr, for, severity)',
  command:
    'cat /etc/prometheus/rules/*.y*ml /etc/prometheus/rules.d/*.y*ml /etc/prometheus/*.rules /etc/prometheus/*.y*ml',
  script: filesScript([
    '/etc/prometheus/rules/*.yml',
    '/etc/prometheus/rules/*.yaml',
    '/etc/prometheus/rules.d/*.yml',
    '/etc/prometheus/rules.d/*.yaml',
    '/etc/prometheus/*.rules',
    '/etc/prometheus/*.yml',
    '/etc/prometheus/*.yaml',
  ]),
  whenAbsent: 'no Prometheus rule file under /etc/prometheus on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout).filter((p) => p.exitCode === 0)
    return parsePromRuleFiles(parts)
  },
})
