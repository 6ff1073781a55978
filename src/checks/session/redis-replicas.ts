import {redisReplication, type RedisInstance} from '../../facts/redis-replication.js'
import {rpoMs} from '../replication/common.js'
import {defineClusterCheck, fail, pass, skip, unknown, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'

/**
 * The Redis session master: every replica connected, acknowledging within the lag limit and not far behind
 * the master's offset (its last acknowledged `offset=` against `master_repl_offset`), and
 * `min-replicas-to-write` / `min-replicas-max-lag` set so that the master stops acknowledging writes
 * (sessions) it could lose beyond the declared RPO.
 */
export default defineClusterCheck({
  id: 'session.redis-replicas',
  title: 'The Redis session master has connected replicas and refuses writes it could lose beyond the RPO',
  area: 'session',
  severity: 'critical',
  rationale:
    'Redis replicates asynchronously: a master that keeps acknowledging logins while no replica has acknowledged anything for minutes loses all of them when it fails over. `min-replicas-to-write 1` with `min-replicas-max-lag` at most the RPO bounds that loss; a replica that is disconnected or far behind is redundancy already spent. Redis reports lag two ways: `lag=` is the seconds since the replica last acknowledged (it acknowledges every second, even when behind, so it only grows when the replica or its link hangs), and the acknowledged `offset=` against `master_repl_offset` is the data the replica has not got (it grows when the link or the replica cannot keep up with the writes). A healthy replica trails by about one second of writes; more than maxBehindBytes (default 1 MiB, the default repl-backlog-size: further behind than that, a reconnect needs a full resync) is lost in a failover.',
  params: {maxLagS: 10, maxBehindBytes: 1024 * 1024},
  roles: ['session'],
  facts: {},
  optionalFacts: {redis: redisReplication},
  evaluate(nodes, {maxLagS, maxBehindBytes}, ctx) {
    const rpo = rpoMs(ctx.inventory)
    const masters: {node: string; inst: RedisInstance}[] = []
    const findings: Finding[] = []
    for (const {node, optional} of nodes) {
      const f = optional.redis
      if (!f.ok) {
        if (f.error.code === 'not-applicable' || f.error.code === 'not-installed') continue
        findings.push(
          unknown(`${node.name}: ${f.error.message}`, [ev(node.name, redisReplication, f.error)], node.name),
        )
        continue
      }
      for (const inst of f.value.instances) if (inst.role === 'master') masters.push({node: node.name, inst})
    }
    if (findings.length) return findings
    if (masters.length === 0) return skip('no Redis master on the session nodes')
    const limit = Math.min(maxLagS as number, rpo !== undefined && rpo > 0 ? rpo / 1000 : Infinity)
    for (const {node, inst} of masters) {
      const e = [
        ev(
          node,
          redisReplication,
          {
            address: inst.address,
            masterReplOffset: inst.masterReplOffset ?? null,
            connectedReplicas: inst.connectedReplicas ?? null,
            replicas: inst.replicas,
            minReplicasToWrite: inst.minReplicasToWrite ?? null,
            minReplicasMaxLagS: inst.minReplicasMaxLagS ?? null,
          },
          `>= 1 replica online with lag <= ${limit} s and <= ${maxBehindBytes as number} bytes behind; min-replicas-to-write >= 1, min-replicas-max-lag <= ${rpo !== undefined ? `the RPO ${rpo / 1000} s` : 'the RPO'}`,
        ),
      ]
      const problems: string[] = []
      const online = inst.replicas.filter((r) => r.state === 'online')
      if (online.length === 0) problems.push(`no replica is connected to ${inst.address}`)
      for (const r of inst.replicas) {
        const behind =
          inst.masterReplOffset !== undefined && r.offset !== undefined
            ? inst.masterReplOffset - r.offset
            : undefined
        if (r.state !== 'online' || (r.lagS ?? 0) > limit || (behind ?? 0) > (maxBehindBytes as number))
          problems.push(
            `replica ${r.ip ?? '?'}:${r.port ?? '?'} ${r.state ?? '?'}, last ack ${r.lagS ?? '?'} s ago, ${behind ?? '?'} bytes behind the master (offset ${r.offset ?? '?'} of ${inst.masterReplOffset ?? '?'})`,
          )
      }
      if (inst.minReplicasToWrite === undefined) {
        findings.push(
          unknown(
            `${node}: could not read min-replicas-to-write on ${inst.address} (CONFIG GET refused?)`,
            e,
            node,
          ),
        )
        continue
      }
      if (rpo === undefined)
        problems.push(
          'the inventory declares no RPO (cluster.objectives.rpo) to judge min-replicas-max-lag against',
        )
      else if (inst.minReplicasToWrite < 1)
        problems.push(
          `min-replicas-to-write ${inst.minReplicasToWrite}: the master acknowledges sessions no replica has, beyond the RPO ${rpo / 1000} s`,
        )
      else if ((inst.minReplicasMaxLagS ?? Infinity) * 1000 > Math.max(rpo, 1000))
        problems.push(
          `min-replicas-max-lag ${inst.minReplicasMaxLagS ?? '?'} s is above the RPO ${rpo / 1000} s`,
        )
      findings.push(
        problems.length
          ? fail(`${node} (${inst.address}): ${problems.join('; ')}`, e, node)
          : pass(
              `${node} (${inst.address}): ${online.length} replica(s) online, min-replicas-to-write ${inst.minReplicasToWrite}, max lag ${inst.minReplicasMaxLagS ?? '?'} s`,
              e,
              node,
            ),
      )
    }
    return findings
  },
  remediation: remediation(
    'The Redis session master may acknowledge sessions it would lose in a failover, or has no healthy replica.',
    'In redis.conf of every session node: `min-replicas-to-write 1` and `min-replicas-max-lag N` with N at most the RPO in seconds (`CONFIG SET` for a running server, then `CONFIG REWRITE`); bring disconnected replicas back (`redis-cli INFO replication` on both sides). Expect writes to be refused while no replica is connected: that is the point.',
    ['https://redis.io/docs/latest/operate/oss_and_stack/management/replication/'],
  ),
})
