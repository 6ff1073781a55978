import {describe, expect, it} from 'vitest'

import {
  parsePromRuleFiles,
  parseRuleFile,
  promDurationSeconds,
  replicationLagRules,
  thresholdComparison,
} from '../../../src/facts/prometheus-rules.js'
import {existsSync, fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

const dir = fixtureDir('prometheus-rules')
const rules = (name: string) => parseRuleFile(readFixture(dir, name), name) ?? []

describe.skipIf(!existsSync(dir))('prometheus-rules parser on published rule files', () => {
  it('reads every active alert of every file and skips the commented-out ones', () => {
    expect(fixtureFiles(dir, '.yml')).toHaveLength(4)
    expect(rules('awesome-mysqld-exporter-slave-lag.yml')).toHaveLength(14)
    expect(rules('awesome-postgres-exporter-2025-02-no-lag-rule.yml')).toHaveLength(21)
    expect(rules('awesome-postgres-exporter-lag-5s-60s.yml')).toHaveLength(20)
    expect(rules('crunchy-pgmonitor-pg-byte-lag.yml')).toHaveLength(29)
  })

  it('finds the PostgreSQL lag alert at 5 seconds for 30s with warning severity', () => {
    const lag = replicationLagRules(rules('awesome-postgres-exporter-lag-5s-60s.yml'))
    expect(
      lag.map((l) => [l.rule.name, l.metric, l.unit, l.thresholdSeconds, l.rule.forSeconds, l.rule.severity]),
    ).toEqual([['PostgresqlReplicationLag', 'pg_replication_lag_seconds', 'seconds', 5, 30, 'warning']])
  })

  it('takes the outer threshold 30 of the MySQL lag alert, not its inner guard > 0', () => {
    const lag = replicationLagRules(rules('awesome-mysqld-exporter-slave-lag.yml'))
    expect(
      lag.map((l) => [
        l.rule.name,
        l.metric,
        l.thresholdSeconds,
        l.comparator,
        l.rule.forSeconds,
        l.rule.severity,
      ]),
    ).toEqual([
      ['MysqlSlaveReplicationLag', 'mysql_slave_status_seconds_behind_master', 30, '>', 60, 'critical'],
    ])
  })

  it('reads the Crunchy byte lag alerts as bytes with no time threshold', () => {
    const lag = replicationLagRules(rules('crunchy-pgmonitor-pg-byte-lag.yml'))
    expect(lag.map((l) => [l.unit, l.threshold, l.thresholdSeconds, l.rule.severity])).toEqual([
      ['bytes', 52428800, undefined, 'warning'],
      ['bytes', 104857600, undefined, 'critical'],
    ])
  })

  it('finds no lag alert in the 2025-02 postgres file that only watches replication slots', () => {
    expect(replicationLagRules(rules('awesome-postgres-exporter-2025-02-no-lag-rule.yml'))).toEqual([])
  })
})

describe('prometheus-rules parser on edge cases', () => {
  it('skips prometheus.yml and reports a file that is not YAML without losing the others', () => {
    const r = parsePromRuleFiles([
      {name: '/etc/prometheus/prometheus.yml', body: 'rule_files:\n  - rules/*.yml\n'},
      {name: '/etc/prometheus/rules/bad.yml', body: 'groups: [\n'},
      {
        name: '/etc/prometheus/rules/ok.yml',
        body: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: redis_connected_slave_lag_seconds >= 10\n',
      },
    ])
    expect(r.files).toEqual(['/etc/prometheus/rules/ok.yml'])
    expect(r.errors.map((e) => e.file)).toEqual(['/etc/prometheus/rules/bad.yml'])
    expect(replicationLagRules(r.rules).map((l) => [l.metric, l.comparator, l.thresholdSeconds])).toEqual([
      ['redis_connected_slave_lag_seconds', '>=', 10],
    ])
  })

  it('reads Prometheus durations and comparisons with bool', () => {
    expect(promDurationSeconds('1h30m')).toBe(5400)
    expect(promDurationSeconds('0m')).toBe(0)
    expect(promDurationSeconds('soon')).toBeUndefined()
    expect(thresholdComparison('max(pg_replication_lag) > bool 120')).toEqual({op: '>', value: 120})
    expect(thresholdComparison('rate(x[5m]) > 0.5 and y > 3', 0)).toEqual({op: '>', value: 0.5})
  })
})
