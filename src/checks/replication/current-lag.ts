import type {Evidence} from '../../core/results.js'
import type {NodeSpec} from '../../core/types.js'
import {drbd, type Drbd} from '../../facts/drbd.js'
import {mysqlReplica, type MysqlReplica} from '../../facts/mysql-replica.js'
import {
  parseSyncStandbyNames,
  pgReplication,
  type PgReplication,
  type PgStandby,
} from '../../facts/pg-replication.js'
import {redisReplication, type RedisReplication} from '../../facts/redis-replication.js'
import {defineClusterCheck, fail, pass, unknown, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {DB_FACTS, fmtS, NO_RPO, nodeEngines, rpoEvidence, rpoMs} from './common.js'

interface Verdict {
  /** Problems that fail the check. */
  bad: string[]
  /** Things that could not be told. */
  unknown: string[]
  /** What was seen, for a passing message. */
  ok: string[]
  evidence: Evidence[]
}

const verdict = (): Verdict => ({bad: [], unknown: [], ok: [], evidence: []})

/**
 * Lag of a standby seen from the primary, in seconds: replay_lag; PostgreSQL
 * shows NULL once an idle standby has caught up, which is 0 when it has
 * replayed everything it was sent.
 */
export function pgStandbyLagS(s: PgStandby): number | undefined {
  if (s.replayLagS !== undefined) return s.replayLagS
  if (s.replayLagBytes === 0 || (s.replayLsn !== undefined && s.replayLsn === s.sentLsn)) return 0
  return undefined
}

function judgePg(v: Verdict, node: string, pg: PgReplication, limitS: number): void {
  for (const inst of pg.instances) {
    const where = `PostgreSQL ${node}:${inst.port ?? '?'}`
    const s = inst.server
    if (!s) {
      v.unknown.push(`${where}: ${inst.error ?? 'not queried'}`)
      v.evidence.push(ev(node, pgReplication, {port: inst.port, error: inst.error}))
      continue
    }
    if (s.inRecovery) {
      const w = s.walReceiver
      const caughtUp = s.receiveLsn !== undefined && s.receiveLsn === s.replayLsn
      const lag = caughtUp ? 0 : s.lastReplayAgeS
      v.evidence.push(
        ev(
          node,
          pgReplication,
          {
            port: inst.port,
            role: 'standby',
            wal_receiver: w
              ? {status: w.status, sender: `${w.senderHost ?? '?'}:${w.senderPort ?? '?'}`}
              : null,
            receive_lsn: s.receiveLsn,
            replay_lsn: s.replayLsn,
            replay_paused: s.replayPaused,
            replay_lag_s: lag ?? null,
          },
          {wal_receiver: 'streaming', replay_lag_s: `<= ${limitS}`},
        ),
      )
      if (!w || w.status !== 'streaming') {
        v.bad.push(
          `${where} is a standby that is not receiving WAL (WAL receiver ${w?.status ?? 'not running'})`,
        )
        continue
      }
      if (lag === undefined) v.unknown.push(`${where}: replay lag unknown (no transaction replayed yet)`)
      else if (lag > limitS)
        v.bad.push(
          `${where}: replay is ${fmtS(lag)} behind what it received${s.replayPaused ? ' (replay paused)' : ''}, over ${fmtS(limitS)}`,
        )
      else v.ok.push(`${where} standby streaming from ${w.senderHost ?? '?'}, ${fmtS(lag)} behind`)
      continue
    }
    const live = s.standbys.filter((x) => x.state !== 'backup')
    v.evidence.push(
      ev(
        node,
        pgReplication,
        {
          port: inst.port,
          role: 'primary',
          synchronous_standby_names: s.synchronousStandbyNames,
          standbys: live.map((x) => ({
            name: x.applicationName,
            client: x.clientAddr,
            state: x.state,
            sync_state: x.syncState,
            replay_lag_s: x.replayLagS ?? null,
            replay_lag_bytes: x.replayLagBytes ?? null,
          })),
          slots: s.slots.map((x) => ({name: x.slotName, type: x.slotType, active: x.active})),
        },
        {state: 'streaming', replay_lag_s: `<= ${limitS}`, slots: 'active'},
      ),
    )
    const idleSlots = s.slots.filter((x) => x.slotType === 'physical' && x.active === false)
    for (const sl of idleSlots)
      v.bad.push(`${where}: replication slot ${sl.slotName} is inactive (its standby is not connected)`)
    const names = parseSyncStandbyNames(s.synchronousStandbyNames)
    const inSync = live.filter((x) => x.syncState === 'sync' || x.syncState === 'quorum')
    if (names && inSync.length < names.num)
      v.bad.push(
        `${where}: ${inSync.length} of ${names.num} synchronous standbys connected (synchronous_standby_names '${s.synchronousStandbyNames}')`,
      )
    if (live.length === 0 && idleSlots.length === 0 && !names)
      v.bad.push(`${where} is a primary with no standby connected`)
    for (const x of live) {
      const lag = pgStandbyLagS(x)
      const who = `${where} → ${x.applicationName || x.clientAddr || 'standby'}`
      if (x.state !== 'streaming') v.bad.push(`${who} is ${x.state ?? 'in an unknown state'}, not streaming`)
      else if (lag === undefined) v.unknown.push(`${who}: lag unknown`)
      else if (lag > limitS)
        v.bad.push(`${who}: replay lag ${fmtS(lag)} (${x.replayLagBytes ?? '?'} bytes), over ${fmtS(limitS)}`)
      else v.ok.push(`${who} ${x.syncState ?? ''} streaming, ${fmtS(lag)} behind`.replace(/ {2}/g, ' '))
    }
  }
}

function judgeMysql(v: Verdict, node: string, my: MysqlReplica, limitS: number): void {
  for (const inst of my.instances) {
    const where = `MySQL/MariaDB ${node} (${inst.socket})`
    if (inst.error) {
      v.unknown.push(`${where}: ${inst.error}`)
      v.evidence.push(ev(node, mysqlReplica, {socket: inst.socket, error: inst.error}))
      continue
    }
    if (inst.channels.length === 0) {
      v.evidence.push(
        ev(node, mysqlReplica, {
          socket: inst.socket,
          role: 'source',
          replicas: inst.replicas.map((r) => r.host),
        }),
      )
      if (inst.replicas.length === 0) v.bad.push(`${where} is a source with no replica connected`)
      else v.ok.push(`${where} source feeding ${inst.replicas.length} replica(s)`)
      continue
    }
    for (const c of inst.channels) {
      const who = `${where}${c.channel ? ` channel ${c.channel}` : ''} ← ${c.sourceHost ?? '?'}:${c.sourcePort ?? '?'}`
      v.evidence.push(
        ev(
          node,
          mysqlReplica,
          {
            socket: inst.socket,
            channel: c.channel,
            io_running: c.ioRunning,
            sql_running: c.sqlRunning,
            seconds_behind: c.secondsBehind,
            last_io_error: c.lastIoError ?? null,
            last_sql_error: c.lastSqlError ?? null,
          },
          {io_running: 'Yes', sql_running: 'Yes', seconds_behind: `<= ${limitS}`},
        ),
      )
      if (c.ioRunning !== 'Yes' || c.sqlRunning !== 'Yes') {
        const err = c.lastIoError ?? c.lastSqlError
        v.bad.push(
          `${who}: IO thread ${c.ioRunning ?? '?'}, SQL thread ${c.sqlRunning ?? '?'}${err ? ` (${err})` : ''}`,
        )
      } else if (c.secondsBehind === null) v.unknown.push(`${who}: Seconds_Behind is NULL`)
      else if (c.secondsBehind > limitS)
        v.bad.push(`${who}: ${fmtS(c.secondsBehind)} behind, over ${fmtS(limitS)}`)
      else v.ok.push(`${who} running, ${fmtS(c.secondsBehind)} behind`)
    }
  }
}

function judgeRedis(v: Verdict, node: string, r: RedisReplication, limitS: number): void {
  for (const inst of r.instances) {
    if (inst.mode === 'sentinel') continue
    const where = `Redis ${node} (${inst.address})`
    if (inst.error) {
      v.unknown.push(`${where}: ${inst.error}`)
      v.evidence.push(ev(node, redisReplication, {address: inst.address, error: inst.error}))
      continue
    }
    v.evidence.push(
      ev(
        node,
        redisReplication,
        {
          address: inst.address,
          role: inst.role,
          connected_slaves: inst.connectedReplicas,
          replicas: inst.replicas,
          master_link_status: inst.masterLinkStatus,
        },
        inst.role === 'master' ? {state: 'online', lag: `<= ${limitS}`} : {master_link_status: 'up'},
      ),
    )
    if (inst.role === 'master') {
      if (inst.replicas.length === 0) v.bad.push(`${where} is a master with no replica connected`)
      for (const x of inst.replicas) {
        const who = `${where} → ${x.ip ?? '?'}:${x.port ?? '?'}`
        if (x.state !== 'online') v.bad.push(`${who} is ${x.state ?? 'in an unknown state'}, not online`)
        else if (x.lagS === undefined) v.unknown.push(`${who}: lag unknown`)
        else if (x.lagS > limitS) v.bad.push(`${who}: last ack ${fmtS(x.lagS)} ago, over ${fmtS(limitS)}`)
        else v.ok.push(`${who} online, last ack ${fmtS(x.lagS)} ago`)
      }
    } else if (inst.masterLinkStatus !== 'up')
      v.bad.push(
        `${where} is a replica whose link to ${inst.masterHost ?? '?'}:${inst.masterPort ?? '?'} is ${inst.masterLinkStatus ?? 'unknown'}${inst.masterLinkDownSinceSeconds !== undefined ? ` (down for ${inst.masterLinkDownSinceSeconds} s)` : ''}`,
      )
    else if (inst.masterSyncInProgress) v.bad.push(`${where} is still doing its initial sync`)
    else v.ok.push(`${where} replica, link up`)
  }
}

function judgeDrbd(v: Verdict, node: string, d: Drbd): void {
  for (const r of d.resources) {
    const where = `DRBD ${node}/${r.name}`
    v.evidence.push(
      ev(
        node,
        drbd,
        {
          resource: r.name,
          role: r.role,
          disk: r.devices.map((x) => x.diskState),
          peers: r.connections.map((c) => ({
            name: c.name,
            connection: c.connectionState,
            peer_disk: c.peerDevices.map((p) => p.peerDiskState),
            out_of_sync_kib: c.peerDevices.map((p) => p.outOfSyncKiB),
          })),
        },
        {disk: 'UpToDate', connection: 'Connected', peer_disk: 'UpToDate', out_of_sync_kib: 0},
      ),
    )
    const bad: string[] = []
    for (const dev of r.devices)
      if (dev.diskState !== 'UpToDate') bad.push(`local disk ${dev.diskState ?? 'unknown'}`)
    if (r.connections.length === 0) bad.push('no peer connection')
    for (const c of r.connections) {
      if (c.connectionState !== 'Connected')
        bad.push(`peer ${c.name ?? '?'} ${c.connectionState ?? 'unknown'}`)
      for (const p of c.peerDevices) {
        if (p.peerDiskState !== 'UpToDate')
          bad.push(`peer ${c.name ?? '?'} disk ${p.peerDiskState ?? 'unknown'}`)
        if ((p.outOfSyncKiB ?? 0) > 0) bad.push(`${p.outOfSyncKiB} KiB out of sync with ${c.name ?? '?'}`)
      }
    }
    if (bad.length) v.bad.push(`${where}: ${bad.join(', ')}`)
    else
      v.ok.push(
        `${where} ${r.role ?? ''} UpToDate with ${r.connections.length} peer(s)`.replace(/ {2}/g, ' '),
      )
  }
}

function judgeNode(node: NodeSpec, optional: Parameters<typeof nodeEngines>[0], limitS: number): Verdict {
  const v = verdict()
  const e = nodeEngines(optional)
  const gs = {pg: pgReplication, my: mysqlReplica, redis: redisReplication, drbd} as const
  for (const k of ['pg', 'my', 'redis', 'drbd'] as const) {
    const st = e[k]
    if (st.state === 'unknown') {
      v.unknown.push(`${gs[k].id}: ${st.error}`)
      v.evidence.push(ev(node.name, gs[k], {error: st.error}))
    }
  }
  if (e.pg.state === 'present') judgePg(v, node.name, e.pg.value, limitS)
  if (e.my.state === 'present') judgeMysql(v, node.name, e.my.value, limitS)
  if (e.redis.state === 'present') judgeRedis(v, node.name, e.redis.value, limitS)
  if (e.drbd.state === 'present') judgeDrbd(v, node.name, e.drbd.value)
  return v
}

/**
 * Item 5: every replica is connected and its current lag is below the RPO
 * (below rpoZeroMaxLagS when the RPO is 0). Judged per db node, from both
 * sides: a primary tells which standbys are connected and how far behind,
 * a standby tells whether it receives anything at all.
 */
export default defineClusterCheck({
  id: 'replication.current-lag',
  title: 'Every replica is connected and its lag is below the RPO',
  area: 'replication',
  severity: 'critical',
  rationale:
    'An alert rule only helps if replication is healthy right now: a standby that is disconnected, stopped, or already behind by more than the RPO means a failover at this moment would lose more data than declared (or have no target at all). Lag is judged conservatively: PostgreSQL replay lag (not only flush lag), MySQL Seconds_Behind_Source, Redis time since the last replica ack, DRBD out-of-sync data.',
  params: {rpoZeroMaxLagS: 5},
  roles: ['db'],
  facts: {},
  optionalFacts: DB_FACTS,
  evaluate(nodes, {rpoZeroMaxLagS}, ctx) {
    const rpo = rpoMs(ctx.inventory)
    if (rpo === undefined) return unknown(NO_RPO, [rpoEvidence(rpo)])
    const limitS = rpo > 0 ? rpo / 1000 : rpoZeroMaxLagS
    // A db node the engine could not examine (unreachable) is not in `nodes`: its lag is unknown.
    const unseen = ctx.inventory.nodes
      .filter((n) => n.roles.includes('db') && !nodes.some(({node}) => node.name === n.name))
      .map((n) => unknown(`${n.name} could not be examined: its replication state is unknown`, [], n.name))
    const seen = nodes.map(({node, optional}): Finding => {
      const v = judgeNode(node, optional, limitS)
      const e = [...v.evidence, rpoEvidence(rpo)]
      if (v.bad.length) return fail(v.bad.join('; '), e, node.name)
      if (v.unknown.length) return unknown(`could not tell: ${v.unknown.join('; ')}`, e, node.name)
      if (v.ok.length === 0)
        return unknown(
          `no PostgreSQL, MySQL/MariaDB, Redis or DRBD replication found on ${node.name}: cannot tell its replication lag`,
          e,
          node.name,
        )
      return pass(`${v.ok.join('; ')} (limit ${fmtS(limitS)})`, e, node.name)
    })
    return [...seen, ...unseen]
  },
  remediation: remediation(
    'A replica is disconnected, stopped, or further behind than the RPO allows (with RPO 0: {{rpoZeroMaxLagS}} s).',
    [
      '- PostgreSQL: on the primary `SELECT application_name, state, sync_state, replay_lag FROM pg_stat_replication;` and `SELECT slot_name, active FROM pg_replication_slots;`; on the standby `SELECT status, sender_host FROM pg_stat_wal_receiver;` and the server log (wrong primary_conninfo, pg_hba, a missing WAL segment needs a new pg_basebackup). `SELECT pg_wal_replay_resume();` if replay was paused.',
      '- MySQL/MariaDB: `SHOW REPLICA STATUS\\G` (Last_IO_Error / Last_SQL_Error); fix the cause, then `START REPLICA;`. A replica with a SQL error has diverged: rebuild it rather than skipping events.',
      '- Redis: `redis-cli INFO replication` on both sides; check `masterauth`, the network and `repl-backlog-size`.',
      '- DRBD: `drbdadm status`; reconnect with `drbdadm connect <res>` and let the resync finish.',
      'A replica that is behind because of load needs capacity (I/O, network) or fewer long transactions, not a larger RPO.',
    ].join('\n'),
    [
      'https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW',
      'https://dev.mysql.com/doc/refman/8.0/en/show-replica-status.html',
      'https://redis.io/docs/latest/commands/info/',
    ],
  ),
})
