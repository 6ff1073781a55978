import {mysqlReplica} from '../../facts/mysql-replica.js'
import {defineNodeCheck, fail, pass, skip, unknown, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {engineState} from './common.js'

/**
 * MySQL/MariaDB replicas refuse client writes (read_only=ON). A write on a replica is applied there and
 * nowhere else: it diverges the replica from its source (the next replicated change to the same row stops
 * the SQL thread, error 1062/1032) and is lost, or resurrected, when that replica is promoted.
 * PostgreSQL standbys refuse writes by design and are not judged here.
 */
export default defineNodeCheck({
  id: 'replication.read-only',
  title: 'MySQL/MariaDB replicas are read-only',
  area: 'replication',
  severity: 'critical',
  rationale:
    'A replica that accepts writes (read_only=OFF) lets an application or an operator write to it by mistake, e.g. through a stale DNS name or a VIP left behind after a failover. Those rows exist on that replica only: the next replicated change to them stops replication with a duplicate-key or missing-row error, and a failover to that replica serves data the old source never had.',
  params: {},
  roles: ['db'],
  facts: {},
  optionalFacts: {my: mysqlReplica},
  evaluate(_f, _p, node, _ctx, optional) {
    const st = engineState(optional.my)
    if (st.state === 'absent') return skip('no MySQL/MariaDB server runs on this node')
    if (st.state === 'unknown')
      return unknown(`could not read the MySQL/MariaDB state: ${st.error}`, [
        ev(node.name, mysqlReplica, {error: st.error}),
      ])
    const out: Finding[] = []
    for (const inst of st.value.instances) {
      const where = `${inst.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${node.name} (${inst.socket})`
      if (inst.error) {
        out.push(
          unknown(`${where}: ${inst.error}`, [
            ev(node.name, mysqlReplica, {socket: inst.socket, error: inst.error}),
          ]),
        )
        continue
      }
      const sources = inst.channels.map((c) => `${c.sourceHost ?? '?'}:${c.sourcePort ?? '?'}`)
      const e = [
        ev(
          node.name,
          mysqlReplica,
          {socket: inst.socket, read_only: inst.readOnly ?? null, replicates_from: sources},
          inst.channels.length ? {read_only: true} : undefined,
        ),
      ]
      if (inst.channels.length === 0) {
        out.push(skip(`${where} is not a replica (no replication channel)`, e))
        continue
      }
      const from = `replica of ${sources.join(', ')}`
      if (inst.readOnly === true) out.push(pass(`${where}, ${from}, is read_only`, e))
      else if (inst.readOnly === false) out.push(fail(`${where}, ${from}, accepts writes (read_only=OFF)`, e))
      else out.push(unknown(`${where}, ${from}: read_only was not shown`, e))
    }
    return out
  },
  remediation: remediation(
    'A MySQL/MariaDB replica accepts client writes.',
    [
      "- Set `read_only = ON` in the replica's server configuration (and `SET GLOBAL read_only = ON` now). Replication threads and users with SUPER / READ_ONLY ADMIN still write: on MySQL 8 also set `super_read_only = ON`.",
      '- Let the failover tool (Orchestrator, MHA, MaxScale, a Pacemaker agent) turn read_only OFF on the promoted replica only, and back ON on a demoted source.',
      '- A replica already written to: compare it with its source (`pt-table-checksum`) before it can be promoted.',
    ].join('\n'),
    [
      'https://mariadb.com/kb/en/server-system-variables/#read_only',
      'https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_read_only',
    ],
  ),
})
