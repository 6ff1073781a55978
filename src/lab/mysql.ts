/**
 * Profile mysql at run time: readiness (both servers answering, the source's users and database present,
 * the replica pointed at the source with the variant's delay, its threads in the variant's state, semi-sync
 * in force on the source unless the variant turns it off) and the restart a changed my.cnf needs (source
 * first, then the replica, which reconnects within a second: MASTER_CONNECT_RETRY=1).
 */
import {IncompleteError} from '../core/errors.js'
import {parseVertical, toChannel, type MysqlChannel} from '../facts/mysql-replica.js'
import {sleep} from './exec.js'
import {GALERA_DB, MARIADB_PORT} from './galera-topology.js'
import {inNode} from './nodes.js'
import {
  isMysqlSource,
  mysqlDelayS,
  mysqlNodesOf,
  mysqlReplicaSetupSql,
  mysqlSourceSetupSql,
} from './render-mysql.js'
import type {LabSpec} from './render.js'
import type {NodeDef} from './topology.js'

async function sql(spec: LabSpec, node: NodeDef, input: string): Promise<{ok: boolean; out: string}> {
  const r = await inNode(spec, node, ['mariadb', '-N', '-B'], {input, timeoutMs: 30_000})
  return {ok: r.exitCode === 0, out: r.exitCode === 0 ? r.stdout : r.stderr.trim()}
}

async function channel(spec: LabSpec, node: NodeDef): Promise<MysqlChannel | undefined> {
  const r = await inNode(spec, node, ['mariadb', '-e', 'SHOW SLAVE STATUS\\G'], {timeoutMs: 10_000})
  if (r.exitCode !== 0) return undefined
  return parseVertical(r.stdout).map(toChannel)[0]
}

/** Brings one replica to the variant's state; returns why it is not there yet (undefined when it is). */
async function replicaNotReady(spec: LabSpec, node: NodeDef, source: NodeDef): Promise<string | undefined> {
  let c = await channel(spec, node)
  const delay = String(mysqlDelayS(spec))
  if (!c || c.sourceHost === undefined || c.fields['SQL_Delay'] !== delay) {
    const r = await sql(spec, node, mysqlReplicaSetupSql(spec))
    if (!r.ok) return `${node.name}: CHANGE MASTER failed: ${r.out}`
    c = await channel(spec, node)
  }
  if (!c) return `${node.name}: SHOW SLAVE STATUS shows no replication`
  const stopSql = spec.variants.includes('mysql-sql-stopped')
  if (stopSql && c.sqlRunning === 'Yes') await sql(spec, node, 'STOP SLAVE SQL_THREAD;')
  if (!stopSql && (c.sqlRunning !== 'Yes' || c.ioRunning !== 'Yes')) await sql(spec, node, 'START SLAVE;')
  c = await channel(spec, node)
  if (c?.ioRunning !== 'Yes') return `${node.name}: IO thread ${c?.ioRunning ?? '?'} (from ${source.name})`
  const wantSql = stopSql ? 'No' : 'Yes'
  if (c.sqlRunning !== wantSql) return `${node.name}: SQL thread ${c.sqlRunning ?? '?'}, want ${wantSql}`
  return undefined
}

/** Semi-sync on the source: in force (status ON) unless the variant turns it off. */
async function semiSyncNotReady(spec: LabSpec, source: NodeDef): Promise<string | undefined> {
  if (spec.variants.includes('mysql-async')) return undefined
  const st = await sql(spec, source, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'")
  if (!st.ok) return `${source.name}: ${st.out}`
  if (/\tON$/m.test(st.out)) return undefined
  // After a timeout or a replica's restart, semi-sync switches back on at the next acknowledged commit.
  await sql(
    spec,
    source,
    `CREATE TABLE IF NOT EXISTS ${GALERA_DB}.hk_heartbeat (id INT PRIMARY KEY, t TIMESTAMP(3)); REPLACE INTO ${GALERA_DB}.hk_heartbeat VALUES (1, NOW(3));`,
  )
  return `${source.name}: semi-sync not in force yet (Rpl_semi_sync_master_status OFF)`
}

/** Readiness of profile mysql (after sshd): undefined when replication runs as the variants say. */
export async function mysqlNotReady(
  spec: LabSpec,
  tcpOpen: (host: string, port: number) => Promise<boolean>,
): Promise<string | undefined> {
  const nodes = mysqlNodesOf(spec)
  const source = nodes[0]
  if (!source) return undefined
  for (const n of nodes)
    if (!(await tcpOpen(n.host, MARIADB_PORT))) return `${n.name}:${MARIADB_PORT} not open`
  const setup = await sql(spec, source, mysqlSourceSetupSql())
  if (!setup.ok) return `${source.name}: creating the users and database failed: ${setup.out}`
  for (const n of nodes.slice(1)) {
    const why = await replicaNotReady(spec, n, source)
    if (why) return why
  }
  return semiSyncNotReady(spec, source)
}

/** Restarts MariaDB on these nodes, the source first. */
export async function restartMysql(
  spec: LabSpec,
  nodes: readonly NodeDef[],
  say: (m: string) => void,
): Promise<void> {
  const ordered = [...nodes].sort((a, b) => Number(isMysqlSource(spec, b)) - Number(isMysqlSource(spec, a)))
  for (const n of ordered) {
    say(`${n.name}: restarting mariadb`)
    const r = await inNode(spec, n, ['systemctl', 'restart', 'mariadb'], {timeoutMs: 120_000})
    if (r.exitCode !== 0)
      throw new IncompleteError(`lab: restarting mariadb on ${n.name} failed: ${r.stderr.trim()}`)
    const deadline = Date.now() + 60_000
    while (!(await sql(spec, n, 'SELECT 1')).ok) {
      if (Date.now() > deadline) throw new IncompleteError(`lab: mariadb on ${n.name} did not come back`)
      await sleep(300)
    }
  }
}
