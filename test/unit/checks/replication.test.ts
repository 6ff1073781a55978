/**
 * Item 5 checks through the real engine, on outputs captured from real
 * PostgreSQL, MariaDB and Redis pairs (test/fixtures/outputs, see the READMEs
 * there) and on published Prometheus rule files and DRBD status
 * (../shared/fixtures, read in place).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {
  framedFile,
  runCheck,
  shared,
  statuses,
  type HarnessNode,
  type RawOutputs,
} from '../../support/check-harness.js'
import {fixturesDir, haveShared} from '../../support/paths.js'

if (!haveShared)
  console.warn(
    'replication checks: ../shared/fixtures is absent, the cases on its rule files and DRBD status are skipped',
  )

const out = (gatherer: string, variant: string): string =>
  readFileSync(join(fixturesDir, 'outputs', gatherer, `${variant}.txt`), 'utf8')
const pg = (v: string): RawOutputs => ({'pg-replication': out('pg-replication', v)})
const my = (v: string): RawOutputs => ({'mysql-replica': out('mysql-replica', v)})
const redis = (v: string): RawOutputs => ({'redis-replication': out('redis-replication', v)})

/** What a db node without the other engines answers: nothing configured (96), no drbdsetup (127). */
const NONE: RawOutputs = {
  'pg-replication': {exitCode: 96},
  'mysql-replica': {exitCode: 96},
  'redis-replication': {exitCode: 96},
  drbd: {exitCode: 127, stderr: 'drbdsetup: command not found'},
}
const db = (name: string, outputs: RawOutputs): HarnessNode => ({
  name,
  roles: ['db'],
  outputs: {...NONE, ...outputs},
})
const monitor = (name: string, files: Record<string, string>): HarnessNode => ({
  name,
  roles: ['monitor'],
  outputs: {
    'prometheus-rules': Object.entries(files)
      .map(([path, text]) => framedFile(path, text))
      .join(''),
  },
})
const rule = (f: string): string => shared(`prometheus-rules/${f}`)
const rpo = (ms: number | undefined) => ({
  inventory: {
    cluster: {name: 't', stack: 'pacemaker' as const, objectives: ms === undefined ? {} : {rpoMs: ms}},
  },
})

const pgSync = [db('db1', pg('primary-sync')), db('db2', pg('standby-sync'))]
const pgAsync = [db('db1', pg('primary-async')), db('db2', pg('standby-async'))]

describe.skipIf(!haveShared)('replication.lag-alert', () => {
  // Read when a case runs: the body of a skipped describe still runs at collection.
  const pgRule = (): Record<string, string> => ({
    '/etc/prometheus/rules/postgres.yml': rule('awesome-postgres-exporter-lag-5s-60s.yml'),
  })

  it('passes a synchronous PostgreSQL pair whose lag alert (5 s for 30s) fires within the RPO of 60 s', () => {
    const r = runCheck('replication.lag-alert', [...pgSync, monitor('mon', pgRule())], rpo(60_000))
    expect(statuses(r)).toEqual(['pass'])
    expect(r[0]?.message).toBe(
      'PostgreSQL: PostgresqlReplicationLag (pg_replication_lag_seconds > 5 for 30s) fires 35 s after the lag starts, within the RPO of 60 s',
    )
    expect(r[0]?.evidence[0]).toMatchObject({
      node: 'mon',
      source: 'prometheus-rules',
      observed: {alert: 'PostgresqlReplicationLag', metric: 'pg_replication_lag_seconds', detectionS: 35},
      expected: 'threshold + for <= 60 s',
    })
  })

  it('fails with RPO 0 when the alert takes 35 s, longer than rpoZeroMaxDetectionS (30 s), and passes once that is raised', () => {
    const r = runCheck('replication.lag-alert', [...pgSync, monitor('mon', pgRule())], rpo(0))
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(
      /fires 35 s after the lag starts, later than 30 s \(RPO 0: rpoZeroMaxDetectionS\)/,
    )
    expect(r[0]?.remediation).toMatch(
      /## Abstract[\s\S]*## Remediation[\s\S]*not above 30 s[\s\S]*## References/,
    )
    const raised = runCheck('replication.lag-alert', [...pgSync, monitor('mon', pgRule())], {
      ...rpo(0),
      params: {rpoZeroMaxDetectionS: 40},
    })
    expect(statuses(raised)).toEqual(['pass'])
  })

  it('fails a MySQL alert (> 30 for 1m: 90 s) above the RPO of 60 s', () => {
    const r = runCheck(
      'replication.lag-alert',
      [
        db('db1', my('primary-semisync')),
        db('db2', my('replica-semisync')),
        monitor('mon', {'/etc/prometheus/rules/mysql.yml': rule('awesome-mysqld-exporter-slave-lag.yml')}),
      ],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(
      /^MySQL\/MariaDB: MysqlSlaveReplicationLag .* fires 90 s after the lag starts, later than the RPO of 60 s$/,
    )
  })

  it('fails when the rule files hold no replication-lag alert', () => {
    const r = runCheck(
      'replication.lag-alert',
      [
        ...pgAsync,
        monitor('mon', {
          '/etc/prometheus/rules/pg.yml': rule('awesome-postgres-exporter-2025-02-no-lag-rule.yml'),
        }),
      ],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toBe(
      'no alert rule on replication lag in 1 Prometheus rule file (/etc/prometheus/rules/pg.yml)',
    )
  })

  it('fails when PostgreSQL runs but the only lag alert watches MySQL', () => {
    const r = runCheck(
      'replication.lag-alert',
      [
        ...pgSync,
        monitor('mon', {'/etc/prometheus/rules/mysql.yml': rule('awesome-mysqld-exporter-slave-lag.yml')}),
      ],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(/^PostgreSQL runs on the db nodes but no lag alert watches it/)
  })

  it('warns when the only PostgreSQL lag alerts are in bytes (Crunchy pgmonitor)', () => {
    const r = runCheck(
      'replication.lag-alert',
      [
        ...pgSync,
        monitor('mon', {'/etc/prometheus/rules/crunchy.yml': rule('crunchy-pgmonitor-pg-byte-lag.yml')}),
      ],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['warn'])
    expect(r[0]?.message).toMatch(/measure lag in bytes, which cannot be compared to a time RPO/)
  })
})

describe('replication.lag-alert on a generic lag metric', () => {
  it('warns when the only alert watches a metric whose unit it cannot tell', () => {
    const generic =
      'groups:\n- name: r\n  rules:\n  - alert: Lag\n    expr: max(replication_lag) > 10\n    for: 10s\n'
    const r = runCheck(
      'replication.lag-alert',
      [...pgSync, monitor('mon', {'/etc/prometheus/rules/r.yml': generic})],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['warn'])
    expect(r[0]?.message).toBe(
      'PostgreSQL (generic lag metric): 1 lag alert (Lag) watch a lag metric whose unit (seconds or bytes) is unknown: cannot tell when they fire',
    )
  })
})

describe('replication.lag-alert without rule files', () => {
  it('fails when no node has role monitor', () => {
    const r = runCheck('replication.lag-alert', pgSync, rpo(60_000))
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(/^no node with role monitor in the inventory/)
  })

  it('fails when the monitor node has no Prometheus rule file', () => {
    const r = runCheck(
      'replication.lag-alert',
      [...pgSync, {name: 'mon', roles: ['monitor'], outputs: {'prometheus-rules': {exitCode: 96}}}],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toBe('no Prometheus rule file on the monitor node(s) mon: no replication-lag alert')
  })

  it('is an error, not a pass, when the monitor node cannot be reached', () => {
    const r = runCheck(
      'replication.lag-alert',
      [...pgSync, {name: 'mon', roles: ['monitor'], unreachable: true}],
      rpo(60_000),
    )
    expect(statuses(r)).toEqual(['error'])
  })

  it('is an error when the inventory declares no RPO', () => {
    const r = runCheck(
      'replication.lag-alert',
      [...pgSync, {name: 'mon', roles: ['monitor'], outputs: {}}],
      rpo(undefined),
    )
    expect(statuses(r)).toEqual(['error'])
    expect(r[0]?.message).toMatch(/declares no RPO/)
  })

  it('skips when no node has role db', () => {
    const r = runCheck('replication.lag-alert', [{name: 'mon', roles: ['monitor'], outputs: {}}], rpo(0))
    expect(r[0]).toMatchObject({
      status: 'skip',
      message: 'no replicated database in the inventory (no node with role db)',
    })
  })
})

describe('replication.mode-vs-rpo', () => {
  it('passes a synchronous PostgreSQL primary (FIRST 1, standby1 sync) with RPO 0', () => {
    const r = runCheck('replication.mode-vs-rpo', pgSync, rpo(0))
    expect(statuses(r)).toEqual(['db1:pass'])
    expect(r[0]?.message).toBe(
      "PostgreSQL primary on db1:55432 is synchronous (synchronous_standby_names 'FIRST 1 (standby1)', synchronous_commit=on; standby1 sync)",
    )
  })

  it('passes a quorum-synchronous primary (ANY 1) with RPO 0', () => {
    expect(statuses(runCheck('replication.mode-vs-rpo', [db('db1', pg('primary-quorum'))], rpo(0)))).toEqual([
      'db1:pass',
    ])
  })

  it('fails an asynchronous PostgreSQL primary when the RPO is 0', () => {
    const r = runCheck('replication.mode-vs-rpo', pgAsync, rpo(0))
    expect(statuses(r)).toEqual(['db1:fail'])
    expect(r[0]?.message).toBe(
      'PostgreSQL primary on db1:55432 is asynchronous (synchronous_standby_names is empty), but the RPO is 0',
    )
    expect(r[0]?.evidence[0]).toMatchObject({node: 'db1', source: 'pg-replication', expected: 'synchronous'})
  })

  it('passes the same asynchronous primary with an RPO of 60 s, naming the mode', () => {
    const r = runCheck('replication.mode-vs-rpo', pgAsync, rpo(60_000))
    expect(statuses(r)).toEqual(['db1:pass'])
    expect(r[0]?.message).toMatch(/is asynchronous/)
  })

  it('fails a synchronous configuration whose only synchronous standby is down', () => {
    const r = runCheck('replication.mode-vs-rpo', [db('db1', pg('primary-sync-standby-down'))], rpo(0))
    expect(statuses(r)).toEqual(['db1:fail'])
    expect(r[0]?.message).toMatch(/0 of 1 required synchronous standbys connected/)
  })

  it('warns on MariaDB semi-sync with the AFTER_COMMIT wait point, and fails once it fell back to async', () => {
    const semi = runCheck(
      'replication.mode-vs-rpo',
      [db('db1', my('primary-semisync')), db('db2', my('replica-semisync'))],
      rpo(0),
    )
    expect(statuses(semi)).toEqual(['db1:warn'])
    expect(semi[0]?.message).toMatch(/semi-synchronous \(1 semi-sync replicas, wait point AFTER_COMMIT/)
    const fell = runCheck('replication.mode-vs-rpo', [db('db1', my('primary-semisync-fell-back'))], rpo(0))
    expect(statuses(fell)).toEqual(['db1:fail'])
    expect(fell[0]?.message).toMatch(/fell back to asynchronous, but the RPO is 0/)
    expect(statuses(runCheck('replication.mode-vs-rpo', [db('db1', my('primary-async'))], rpo(0)))).toEqual([
      'db1:fail',
    ])
  })

  it('fails a Redis master when the RPO is 0', () => {
    const r = runCheck(
      'replication.mode-vs-rpo',
      [db('r1', redis('master-healthy')), db('r2', redis('replica-healthy'))],
      rpo(0),
    )
    expect(statuses(r)).toEqual(['r1:fail'])
  })

  it.skipIf(!haveShared)('cannot tell the DRBD protocol from drbdsetup status when the RPO is 0', () => {
    const d = {drbd: shared('drbd/exporter-drbdsetup-status-json-2resources-secondary.json')}
    expect(statuses(runCheck('replication.mode-vs-rpo', [db('d1', d)], rpo(0)))).toEqual(['d1:error'])
    expect(statuses(runCheck('replication.mode-vs-rpo', [db('d1', d)], rpo(60_000)))).toEqual(['d1:pass'])
  })

  it('is an error when only a standby is examined: the mode is decided on the primary', () => {
    const r = runCheck('replication.mode-vs-rpo', [db('db2', pg('standby-sync'))], rpo(0))
    expect(statuses(r)).toEqual(['error'])
    expect(r[0]?.message).toMatch(/PostgreSQL standbys were found but no primary/)
  })

  it('is an error when no db node can be read', () => {
    expect(
      statuses(
        runCheck('replication.mode-vs-rpo', [{name: 'db1', roles: ['db'], unreachable: true}], rpo(0)),
      ),
    ).toEqual(['error'])
  })
})

describe('replication.current-lag', () => {
  it('passes a streaming synchronous pair seen from both sides', () => {
    const r = runCheck('replication.current-lag', pgSync, rpo(0))
    expect(statuses(r)).toEqual(['db1:pass', 'db2:pass'])
    expect(r[0]?.message).toMatch(
      /^PostgreSQL db1:55432 → standby1 sync streaming, 0\.014 s behind \(limit 5 s\)$/,
    )
    expect(r[1]?.message).toMatch(/^PostgreSQL db2:55433 standby streaming from 127\.0\.0\.1, 0 s behind/)
  })

  it('fails a standby whose replay is 21 s behind when the RPO is 0, and passes it with an RPO of 60 s', () => {
    const nodes = [db('db1', pg('primary-async-replay-paused')), db('db2', pg('standby-replay-paused'))]
    const r = runCheck('replication.current-lag', nodes, rpo(0))
    expect(statuses(r)).toEqual(['db1:fail', 'db2:fail'])
    expect(r[0]?.message).toMatch(/replay lag 21\.419 s \(7004040 bytes\), over 5 s/)
    expect(r[1]?.message).toMatch(/replay is 28\.185 s behind what it received \(replay paused\), over 5 s/)
    expect(statuses(runCheck('replication.current-lag', nodes, rpo(60_000)))).toEqual([
      'db1:pass',
      'db2:pass',
    ])
  })

  it('fails a primary whose standby is down and a standby whose primary is down', () => {
    const r = runCheck(
      'replication.current-lag',
      [db('db1', pg('primary-sync-standby-down')), db('db2', pg('standby-primary-down'))],
      rpo(0),
    )
    expect(statuses(r)).toEqual(['db1:fail', 'db2:fail'])
    expect(r[0]?.message).toMatch(/replication slot standby1 is inactive/)
    expect(r[1]?.message).toMatch(/not receiving WAL \(WAL receiver not running\)/)
  })

  it('passes a healthy MariaDB pair and fails each broken replica with its error', () => {
    expect(
      statuses(
        runCheck(
          'replication.current-lag',
          [db('db1', my('primary-async')), db('db2', my('replica-async'))],
          rpo(0),
        ),
      ),
    ).toEqual(['db1:pass', 'db2:pass'])
    for (const [variant, text] of [
      ['replica-io-stopped', /IO thread No, SQL thread Yes/],
      ['replica-sql-error', /SQL thread No \(Error 'Duplicate entry/],
      ['replica-source-down', /IO thread Connecting, SQL thread Yes \(error reconnecting to master/],
    ] as const) {
      const r = runCheck('replication.current-lag', [db('db2', my(variant))], rpo(0))
      expect(statuses(r), variant).toEqual(['db2:fail'])
      expect(r[0]?.message, variant).toMatch(text)
    }
  })

  it('fails a replica 30 s behind when the RPO is 0 and passes it with an RPO of 60 s', () => {
    const nodes = [db('db2', my('replica-delayed-30s'))]
    expect(runCheck('replication.current-lag', nodes, rpo(0))[0]?.message).toMatch(/30 s behind, over 5 s/)
    expect(statuses(runCheck('replication.current-lag', nodes, rpo(60_000)))).toEqual(['db2:pass'])
  })

  it('passes a healthy Redis pair and fails a stalled replica, a master alone and a replica cut off', () => {
    expect(
      statuses(
        runCheck(
          'replication.current-lag',
          [db('r1', redis('master-healthy')), db('r2', redis('replica-healthy'))],
          rpo(0),
        ),
      ),
    ).toEqual(['r1:pass', 'r2:pass'])
    const stalled = runCheck('replication.current-lag', [db('r1', redis('master-replica-stalled'))], rpo(0))
    expect(stalled[0]?.message).toMatch(/last ack 23 s ago, over 5 s/)
    expect(
      statuses(runCheck('replication.current-lag', [db('r1', redis('master-no-replica'))], rpo(0))),
    ).toEqual(['r1:fail'])
    const down = runCheck('replication.current-lag', [db('r2', redis('replica-master-down'))], rpo(0))
    expect(down[0]?.message).toMatch(/link to 127\.0\.0\.1:56379 is down \(down for 8 s\)/)
  })

  it.skipIf(!haveShared)('passes DRBD resources that are UpToDate and connected to their peer', () => {
    const r = runCheck(
      'replication.current-lag',
      [db('d1', {drbd: shared('drbd/exporter-drbdsetup-status-json-2resources-secondary.json')})],
      rpo(0),
    )
    expect(statuses(r)).toEqual(['d1:pass'])
    expect(r[0]?.message).toMatch(/DRBD d1\/1-single-0 Secondary UpToDate with 1 peer/)
  })

  it('is an error, not a pass, when a node is unreachable, a server cannot be queried, or no engine is found', () => {
    const down = runCheck(
      'replication.current-lag',
      [db('db1', pg('primary-sync')), {name: 'db2', roles: ['db'], unreachable: true}],
      rpo(0),
    )
    expect(down.find((r) => r.status === 'error')?.node).toBe('db2')
    const refused = runCheck(
      'replication.current-lag',
      [
        db('db1', {
          'pg-replication':
            '@@hacheck-part:begin postmaster.pid 7@@\n7\n/srv/pg\n1\n5432\n/run/postgresql\n*\n@@hacheck-part:end 0@@\n' +
            '@@hacheck-part:begin psql 7@@\npsql: error: FATAL:  role "postgres" does not exist\n@@hacheck-part:end 2@@\n',
        }),
      ],
      rpo(0),
    )
    expect(statuses(refused)).toEqual(['db1:error'])
    expect(refused[0]?.message).toMatch(/role "postgres" does not exist/)
    const none = runCheck('replication.current-lag', [db('db1', {})], rpo(0))
    expect(statuses(none)).toEqual(['db1:error'])
    expect(none[0]?.message).toMatch(/no PostgreSQL, MySQL\/MariaDB, Redis or DRBD replication found on db1/)
  })
})

describe('replication.read-only', () => {
  it('fails a MariaDB replica that accepts writes, naming its source, and leaves its source alone', () => {
    const r = runCheck('replication.read-only', [
      db('db1', my('primary-async')),
      db('db2', my('replica-async')),
    ])
    expect(statuses(r)).toEqual(['db1:skip', 'db2:fail'])
    expect(r[1]?.message).toMatch(
      /^MariaDB db2 \(\/tmp\/replcap\/my\/replica\.sock\), replica of 127\.0\.0\.1:53306, accepts writes \(read_only=OFF\)$/,
    )
    expect(r[1]?.evidence[0]?.observed).toMatchObject({
      read_only: false,
      replicates_from: ['127.0.0.1:53306'],
    })
  })

  it('skips a db node without MySQL/MariaDB (a PostgreSQL standby refuses writes by design)', () => {
    expect(statuses(runCheck('replication.read-only', [db('db2', pg('standby-sync'))]))).toEqual(['db2:skip'])
  })
})

/**
 * The same checks on the mysql lab profile's captures (test/fixtures/outputs/mysql-replica-lab: MariaDB
 * 10.11, m1 source, m2 replica over 198.18.4.0/24): healthy passes, each variant fails exactly its check.
 */
describe('replication checks on the mysql lab captures (RPO 0)', () => {
  const lab = (v: string): RawOutputs => ({'mysql-replica': out('mysql-replica-lab', v)})
  const pair = (source: string, replica: string): HarnessNode[] => [
    db('m1', lab(source)),
    db('m2', lab(replica)),
  ]
  const all = (nodes: HarnessNode[]): string[] =>
    ['replication.mode-vs-rpo', 'replication.current-lag', 'replication.read-only'].flatMap((id) =>
      statuses(runCheck(id, nodes, rpo(0))).map((s) => `${id} ${s}`),
    )

  it('passes every check on the healthy semi-sync pair (read-only skips the source)', () => {
    expect(all(pair('source-semisync', 'replica-semisync'))).toEqual([
      'replication.mode-vs-rpo m1:pass',
      'replication.current-lag m1:pass',
      'replication.current-lag m2:pass',
      'replication.read-only m1:skip',
      'replication.read-only m2:pass',
    ])
  })

  it.each([
    ['source-async', 'replica-async', 'replication.mode-vs-rpo m1:fail'],
    ['source-semisync', 'replica-writable', 'replication.read-only m2:fail'],
    ['source-semisync', 'replica-sql-stopped', 'replication.current-lag m2:fail'],
    ['source-semisync', 'replica-delayed', 'replication.current-lag m2:fail'],
  ])('fails exactly one check with %s + %s: %s', (source, replica, failed) => {
    const got = all(pair(source, replica))
    expect(got.filter((s) => !/:(pass|skip)$/.test(s))).toEqual([failed])
  })

  it('names the stopped SQL thread and the delay in the current-lag message', () => {
    const msg = (replica: string): string | undefined =>
      runCheck('replication.current-lag', pair('source-semisync', replica), rpo(0)).find(
        (r) => r.node === 'm2',
      )?.message
    expect(msg('replica-sql-stopped')).toMatch(/← 198\.18\.4\.11:3306: IO thread Yes, SQL thread No$/)
    expect(msg('replica-delayed')).toMatch(/← 198\.18\.4\.11:3306: 10 s behind, over 5 s$/)
  })
})
