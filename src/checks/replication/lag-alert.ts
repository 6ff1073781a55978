import type {Evidence} from '../../core/results.js'
import {
  prometheusRules,
  replicationLagRules,
  type LagRule,
  type PromRules,
} from '../../facts/prometheus-rules.js'
import {defineClusterCheck, fail, pass, unknown, warn, type Finding} from '../define.js'
import {ev, plural, remediation} from '../evidence.js'
import {
  DB_FACTS,
  ENGINE_LABEL,
  enginesPresent,
  fmtS,
  metricEngine,
  NO_RPO,
  nodeEngines,
  rpoEvidence,
  rpoMs,
  type Engine,
} from './common.js'

/** Seconds from the lag crossing the threshold to the alert firing (threshold + `for`). */
export function detectionSeconds(l: LagRule): number | undefined {
  return l.thresholdSeconds === undefined ? undefined : l.thresholdSeconds + (l.rule.forSeconds ?? 0)
}

const describe = (l: LagRule): Record<string, unknown> => ({
  file: l.rule.file,
  alert: l.rule.name,
  expr: l.rule.expr,
  metric: l.metric,
  unit: l.unit,
  threshold: l.threshold ?? null,
  for: l.rule.for ?? null,
  severity: l.rule.severity ?? null,
  detectionS: detectionSeconds(l) ?? null,
})

/** Judges the lag rules that watch one engine (or all rules when no engine could be seen). */
function judge(
  label: string,
  rules: readonly LagRule[],
  limitS: number,
  rpo: number,
  where: (l: LagRule) => string | undefined,
  extra: Evidence[],
): Finding {
  const evidence = [
    ...rules.map((l) =>
      ev(where(l), prometheusRules, describe(l), `threshold + for <= ${fmtS(limitS)}`, l.rule.file),
    ),
    ...extra,
  ]
  const timed = rules
    .filter((l) => detectionSeconds(l) !== undefined)
    .sort((a, b) => (detectionSeconds(a) ?? 0) - (detectionSeconds(b) ?? 0))
  const best = timed[0]
  const budget = rpo > 0 ? `the RPO of ${fmtS(rpo / 1000)}` : `${fmtS(limitS)} (RPO 0: rpoZeroMaxDetectionS)`
  if (best) {
    const d = detectionSeconds(best) ?? 0
    const how = `${best.rule.name} (${best.metric} ${best.comparator ?? '>'} ${best.threshold}${best.rule.for ? ` for ${best.rule.for}` : ''}) fires ${fmtS(d)} after the lag starts`
    return d <= limitS
      ? pass(`${label}: ${how}, within ${budget}`, evidence)
      : fail(`${label}: ${how}, later than ${budget}`, evidence)
  }
  const kinds = [...new Set(rules.map((l) => l.unit))]
  if (kinds.includes('bytes'))
    return warn(
      `${label}: ${plural(rules.length, 'lag alert')} (${rules.map((l) => l.rule.name).join(', ')}) measure lag in bytes, which cannot be compared to a time RPO: add a time-based lag alert`,
      evidence,
    )
  const why = kinds.includes('unknown')
    ? 'watch a lag metric whose unit (seconds or bytes) is unknown'
    : 'have no readable time threshold'
  return warn(
    `${label}: ${plural(rules.length, 'lag alert')} (${rules.map((l) => l.rule.name).join(', ')}) ${why}: cannot tell when they fire`,
    evidence,
  )
}

/**
 * Item 5: a Prometheus alert on replication lag exists for the replicated
 * databases and fires before the RPO is breached.
 */
export default defineClusterCheck({
  id: 'replication.lag-alert',
  title: 'A replication-lag alert fires before the RPO is breached',
  area: 'replication',
  severity: 'critical',
  rationale:
    'Asynchronous replication loses whatever the standby has not received when the primary dies, so the lag IS the data at risk: an alert must fire before the lag exceeds the RPO, i.e. its threshold plus its `for` duration must not exceed the RPO. With an RPO of 0 the guarantee comes from synchronous replication, not from the alert; the alert then tells that the guarantee is gone (the synchronous standby fell behind or away, semi-sync fell back to async), and it must fire within a short, named time (rpoZeroMaxDetectionS, 30 s by default: about one failover) so that nobody runs unprotected for long. Byte-based lag rules count as monitoring but cannot be compared with a time RPO.',
  params: {rpoZeroMaxDetectionS: 30},
  roles: ['db', 'monitor'],
  facts: {},
  optionalFacts: {rules: prometheusRules, ...DB_FACTS},
  appliesTo(ctx) {
    return ctx.inventory.nodes.some((n) => n.roles.includes('db'))
      ? true
      : 'no replicated database in the inventory (no node with role db)'
  },
  evaluate(nodes, {rpoZeroMaxDetectionS}, ctx) {
    const rpo = rpoMs(ctx.inventory)
    if (rpo === undefined) return unknown(NO_RPO, [rpoEvidence(rpo)])
    const limitS = rpo > 0 ? rpo / 1000 : rpoZeroMaxDetectionS
    const monitors = nodes.filter(({node}) => node.roles.includes('monitor'))
    const declared = ctx.inventory.nodes.filter((n) => n.roles.includes('monitor'))
    if (declared.length === 0)
      return fail(
        'no node with role monitor in the inventory: there is no Prometheus rule file to read, so no replication-lag alert can be shown to exist',
        [rpoEvidence(rpo)],
      )
    const files: {node: string; rules: PromRules}[] = []
    // Monitor nodes the engine could not examine (unreachable) are not in `nodes`.
    const unread: Evidence[] = declared
      .filter((n) => !monitors.some(({node}) => node.name === n.name))
      .map((n) => ev(n.name, prometheusRules, 'not examined (unreachable)', 'Prometheus rule files'))
    const noFiles: string[] = []
    for (const {node, optional} of monitors) {
      const f = optional.rules
      if (f.ok) files.push({node: node.name, rules: f.value})
      else if (f.error.code === 'not-applicable') noFiles.push(node.name)
      else unread.push(ev(node.name, prometheusRules, {error: f.error.code, message: f.error.message}))
    }
    const ruleNode = new Map<LagRule, string>()
    const lag: LagRule[] = []
    for (const f of files)
      for (const l of replicationLagRules(f.rules.rules)) {
        lag.push(l)
        ruleNode.set(l, f.node)
      }
    const fileEvidence: Evidence[] = [
      ...files.map((f) =>
        ev(f.node, prometheusRules, {
          files: f.rules.files,
          rules: f.rules.rules.length,
          unreadable: f.rules.errors,
        }),
      ),
      ...noFiles.map((n) =>
        ev(n, prometheusRules, 'no rule file', 'Prometheus rule files under /etc/prometheus'),
      ),
      ...unread,
      rpoEvidence(rpo),
    ]
    if (lag.length === 0) {
      if (unread.length > 0)
        return unknown(
          `no replication-lag alert in the rule files that could be read, and ${plural(unread.length, 'monitor node')} could not be read`,
          fileEvidence,
        )
      const nFiles = files.reduce((a, f) => a + f.rules.files.length, 0)
      return nFiles === 0
        ? fail(
            `no Prometheus rule file on the monitor node(s) ${monitors.map(({node}) => node.name).join(', ')}: no replication-lag alert`,
            fileEvidence,
          )
        : fail(
            `no alert rule on replication lag in ${plural(nFiles, 'Prometheus rule file')} (${files.flatMap((f) => f.rules.files).join(', ')})`,
            fileEvidence,
          )
    }
    const where = (l: LagRule): string | undefined => ruleNode.get(l)
    const engines = enginesPresent(
      nodes.filter(({node}) => node.roles.includes('db')).map(({optional}) => nodeEngines(optional)),
    )
    const context = [...unread, rpoEvidence(rpo)]
    if (engines.length === 0) return judge('replication lag', lag, limitS, rpo, where, context)
    const generic = lag.filter((l) => metricEngine(l.metric) === undefined)
    return engines.map((e: Engine) => {
      const own = lag.filter((l) => metricEngine(l.metric) === e)
      const label = ENGINE_LABEL[e]
      if (own.length > 0) return judge(label, own, limitS, rpo, where, context)
      if (generic.length > 0)
        return judge(`${label} (generic lag metric)`, generic, limitS, rpo, where, [
          ...context,
          {observed: generic.map((l) => l.metric), note: 'no lag alert on a metric of this engine'},
        ])
      return fail(
        `${label} runs on the db nodes but no lag alert watches it (lag alerts found: ${lag.map((l) => `${l.rule.name} on ${l.metric}`).join(', ')})`,
        [...lag.map((l) => ev(where(l), prometheusRules, describe(l))), ...context],
      )
    })
  },
  remediation: remediation(
    'No Prometheus alert on replication lag fires before the RPO is breached (missing, too late, or not time-based).',
    [
      'Alert on the lag in seconds, with threshold + `for` not above the RPO (with RPO 0: not above {{rpoZeroMaxDetectionS}} s), e.g. in /etc/prometheus/rules/replication.yml:',
      '```yaml',
      'groups:',
      '- name: replication',
      '  rules:',
      '  - alert: PostgresqlReplicationLag',
      '    expr: max by (instance) (pg_replication_lag_seconds) > 10',
      '    for: 15s',
      '    labels: {severity: critical}',
      '```',
      'MySQL/MariaDB: `mysql_slave_status_seconds_behind_master`; Redis: `redis_connected_slave_lag_seconds`. Keep a byte-lag alert as well if you like, but a time RPO needs a time-based rule. Give the Prometheus server the role `monitor` in the inventory so that hacheck reads its rule files, then reload Prometheus (`promtool check rules FILE` first).',
    ].join('\n'),
    [
      'https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/',
      'https://samber.github.io/awesome-prometheus-alerts/rules',
    ],
  ),
})
