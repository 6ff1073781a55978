import type {Evidence} from '../../core/results.js'
import {drbd} from '../../facts/drbd.js'
import {mysqlReplica, type MysqlInstance} from '../../facts/mysql-replica.js'
import {parseSyncStandbyNames, pgReplication, type PgServer} from '../../facts/pg-replication.js'
import {redisReplication} from '../../facts/redis-replication.js'
import {defineClusterCheck, fail, pass, unknown, warn, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {DB_FACTS, fmtS, NO_RPO, nodeEngines, rpoEvidence, rpoMs} from './common.js'

/** synchronous_commit levels that wait for the standby (remote_write: in its OS, not yet flushed). */
const WAITING_COMMIT = new Set(['on', 'remote_write', 'remote_apply'])

export interface PgMode {
  sync: boolean
  /** Why it is (not) synchronous, for the message. */
  detail: string
}

/** Whether a PostgreSQL primary commits synchronously right now. */
export function pgMode(s: PgServer): PgMode {
  const names = parseSyncStandbyNames(s.synchronousStandbyNames)
  const syncStandbys = s.standbys.filter((x) => x.syncState === 'sync' || x.syncState === 'quorum')
  if (!names) return {sync: false, detail: 'asynchronous (synchronous_standby_names is empty)'}
  const conf = `synchronous_standby_names '${s.synchronousStandbyNames}', synchronous_commit=${s.synchronousCommit}`
  if (!WAITING_COMMIT.has(s.synchronousCommit))
    return {sync: false, detail: `asynchronous for default transactions (${conf})`}
  if (syncStandbys.length < names.num)
    return {
      sync: false,
      detail: `synchronous configured but ${syncStandbys.length} of ${names.num} required synchronous standbys connected (${conf}): commits wait forever or run unprotected`,
    }
  return {
    sync: true,
    detail: `synchronous (${conf}; ${syncStandbys.map((x) => `${x.applicationName} ${x.syncState}`).join(', ')})`,
  }
}

/** A MySQL/MariaDB source: not replicating from anyone, or feeding replicas. */
const isSource = (i: MysqlInstance): boolean => i.channels.length === 0 || i.replicas.length > 0

export function mysqlMode(i: MysqlInstance): {sync: boolean; lossless: boolean; detail: string} {
  const s = i.semiSync
  if (!s.sourceEnabled) return {sync: false, lossless: false, detail: 'asynchronous (semi-sync not enabled)'}
  if (!s.sourceActive)
    return {
      sync: false,
      lossless: false,
      detail: `semi-sync enabled but not active (Rpl_semi_sync status OFF, ${s.sourceClients ?? 0} semi-sync replicas): it fell back to asynchronous`,
    }
  const lossless = (s.waitPoint ?? 'AFTER_SYNC').toUpperCase() === 'AFTER_SYNC'
  return {
    sync: true,
    lossless,
    detail: `semi-synchronous (${s.sourceClients ?? '?'} semi-sync replicas, wait point ${s.waitPoint ?? 'AFTER_SYNC'}, timeout ${s.timeoutMs ?? '?'} ms)`,
  }
}

/**
 * Item 5: the replication mode matches the RPO. RPO 0 needs synchronous
 * replication: PostgreSQL synchronous_standby_names with a standby in sync or
 * quorum state and a waiting synchronous_commit, MySQL/MariaDB semi-sync in
 * force, DRBD protocol C. Any asynchronous link with RPO 0 fails.
 */
export default defineClusterCheck({
  id: 'replication.mode-vs-rpo',
  title: 'The replication mode can meet the declared RPO',
  area: 'replication',
  severity: 'critical',
  rationale:
    'An RPO of 0 means no acknowledged commit may be lost at failover. Only synchronous replication gives that: with asynchronous replication the primary acknowledges before the standby has the data, so a failover loses the lag, however small. A synchronous setup that has degraded (no synchronous standby connected, semi-sync fallen back to async) is asynchronous at that moment.',
  params: {},
  roles: ['db'],
  facts: {},
  optionalFacts: DB_FACTS,
  evaluate(nodes, _p, ctx) {
    const rpo = rpoMs(ctx.inventory)
    if (rpo === undefined) return unknown(NO_RPO, [rpoEvidence(rpo)])
    const zero = rpo === 0
    const expected = zero ? 'synchronous' : `any mode (RPO ${fmtS(rpo / 1000)})`
    const findings: Finding[] = []
    const unknowns: Evidence[] = []
    let pgStandbys = 0
    let pgPrimaries = 0
    let mysqlReplicas = 0
    let mysqlSources = 0
    for (const {node, optional} of nodes) {
      const e = nodeEngines(optional)
      for (const [k, g] of [
        ['pg', pgReplication],
        ['my', mysqlReplica],
        ['redis', redisReplication],
        ['drbd', drbd],
      ] as const) {
        const st = e[k]
        if (st.state === 'unknown') unknowns.push(ev(node.name, g, {error: st.error}))
      }
      if (e.pg.state === 'present') {
        for (const inst of e.pg.value.instances) {
          const s = inst.server
          if (!s) {
            unknowns.push(ev(node.name, pgReplication, {port: inst.port, error: inst.error}))
            continue
          }
          if (s.inRecovery) {
            pgStandbys++
            continue
          }
          pgPrimaries++
          const m = pgMode(s)
          const evd = [
            ev(
              node.name,
              pgReplication,
              {
                port: inst.port,
                synchronous_standby_names: s.synchronousStandbyNames,
                synchronous_commit: s.synchronousCommit,
                standbys: s.standbys.map((x) => ({
                  name: x.applicationName,
                  state: x.state,
                  sync_state: x.syncState,
                })),
              },
              expected,
            ),
            rpoEvidence(rpo),
          ]
          const msg = `PostgreSQL primary on ${node.name}:${inst.port ?? '?'} is ${m.detail}`
          findings.push(
            m.sync || !zero ? pass(msg, evd, node.name) : fail(`${msg}, but the RPO is 0`, evd, node.name),
          )
        }
      }
      if (e.my.state === 'present') {
        for (const inst of e.my.value.instances) {
          if (inst.error) {
            unknowns.push(ev(node.name, mysqlReplica, {socket: inst.socket, error: inst.error}))
            continue
          }
          if (!isSource(inst)) {
            mysqlReplicas++
            continue
          }
          mysqlSources++
          const m = mysqlMode(inst)
          const evd = [
            ev(node.name, mysqlReplica, {socket: inst.socket, ...inst.semiSync}, expected),
            rpoEvidence(rpo),
          ]
          const msg = `${inst.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} source on ${node.name} (${inst.socket}) is ${m.detail}`
          if (!zero) findings.push(pass(msg, evd, node.name))
          else if (!m.sync) findings.push(fail(`${msg}, but the RPO is 0`, evd, node.name))
          else if (!m.lossless)
            findings.push(
              warn(
                `${msg}: with AFTER_COMMIT other clients can see a transaction that a failover then loses; use rpl_semi_sync_master_wait_point=AFTER_SYNC for RPO 0`,
                evd,
                node.name,
              ),
            )
          else findings.push(pass(msg, evd, node.name))
        }
      }
      if (e.redis.state === 'present') {
        for (const inst of e.redis.value.instances) {
          if (inst.mode === 'sentinel' || inst.role !== 'master') continue
          const evd = [
            ev(node.name, redisReplication, {address: inst.address, role: inst.role}, expected),
            rpoEvidence(rpo),
          ]
          const msg = `Redis master on ${node.name} (${inst.address}) replicates asynchronously (WAIT is per command, not a guarantee)`
          findings.push(zero ? fail(`${msg}, but the RPO is 0`, evd, node.name) : pass(msg, evd, node.name))
        }
      }
      if (e.drbd.state === 'present') {
        const res = e.drbd.value.resources.map((r) => r.name)
        const evd = [ev(node.name, drbd, {resources: res}, zero ? 'protocol C' : undefined), rpoEvidence(rpo)]
        const msg = `DRBD resources ${res.join(', ')} on ${node.name}: the replication protocol is not shown by drbdsetup status`
        findings.push(
          zero
            ? unknown(`${msg}; RPO 0 needs protocol C (check with \`drbdadm dump\`)`, evd, node.name)
            : pass(`${msg}; any protocol meets an RPO of ${fmtS(rpo / 1000)}`, evd, node.name),
        )
      }
    }
    const noPrimary: string[] = []
    if (pgStandbys > 0 && pgPrimaries === 0)
      noPrimary.push('PostgreSQL standbys were found but no primary among the db nodes')
    if (mysqlReplicas > 0 && mysqlSources === 0)
      noPrimary.push('MySQL/MariaDB replicas were found but no source among the db nodes')
    for (const n of noPrimary)
      findings.push(
        unknown(`${n}: the replication mode is decided on the primary, which was not examined`, [
          rpoEvidence(rpo),
        ]),
      )
    if (unknowns.length > 0)
      findings.push(
        unknown(
          `could not read the replication state of ${unknowns.length} engine(s) on the db nodes`,
          unknowns,
        ),
      )
    if (findings.length === 0)
      return unknown(
        'no PostgreSQL, MySQL/MariaDB, Redis or DRBD replication found on the db nodes: cannot tell the replication mode',
        [rpoEvidence(rpo)],
      )
    return findings
  },
  remediation: remediation(
    'The replication mode cannot meet the declared RPO: with RPO 0, at least one replication link is asynchronous (or its synchronous mode has degraded).',
    [
      "- PostgreSQL: on the primary `ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (standby1, standby2)'` (name the standbys by their application_name / cluster_name), keep `synchronous_commit = on` (or remote_apply), `SELECT pg_reload_conf()`, and check that `pg_stat_replication.sync_state` shows sync or quorum. With one standby, prefer two so that losing one does not block commits (Patroni: `synchronous_mode: true`).",
      '- MySQL/MariaDB: enable semi-sync on the source and the replicas (`rpl_semi_sync_master_enabled=ON` / `rpl_semi_sync_slave_enabled=ON`, MySQL 8.0.26+: `rpl_semi_sync_source_enabled` / `rpl_semi_sync_replica_enabled`), wait point AFTER_SYNC, and alert when `Rpl_semi_sync_master_status` turns OFF (fallback after `rpl_semi_sync_master_timeout`).',
      '- DRBD: `protocol C;` in the resource `net` section.',
      "- Redis replication is asynchronous: it cannot meet an RPO of 0. Declare a realistic RPO for it or lower this check's severity in the checklist if Redis is only a cache.",
      '- If a non-zero RPO is acceptable, declare it in the inventory (`cluster.objectives.rpo`).',
    ].join('\n'),
    [
      'https://www.postgresql.org/docs/current/warm-standby.html#SYNCHRONOUS-REPLICATION',
      'https://mariadb.com/kb/en/semisynchronous-replication/',
      'https://dev.mysql.com/doc/refman/8.0/en/replication-semisync.html',
      'https://linbit.com/drbd-user-guide/drbd-guide-9_0-en/#s-replication-protocols',
    ],
  ),
})
