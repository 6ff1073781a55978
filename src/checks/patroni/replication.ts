import {patroni} from '../../facts/patroni.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {dcsOf, PATRONI_ROLES, patroniEvidence} from './common.js'

const MB = 1024 * 1024
/** Patroni's maximum_lag_on_failover when the DCS does not set it. */
const PATRONI_DEFAULT_MAX_LAG = 1048576

/**
 * Every replica streams from the leader with a lag under `maxLagMb`, and, unless synchronous_mode_strict is
 * on, maximum_lag_on_failover bounds what a promotion may lose to at most `maxLagOnFailoverMb`: without
 * strict mode a synchronous cluster that loses its Sync Standby runs asynchronously, and a failover then
 * promotes any replica within maximum_lag_on_failover of the leader.
 */
export default defineClusterCheck({
  id: 'patroni.replication',
  title:
    'Every Patroni replica streams with little lag; maximum_lag_on_failover bounds an asynchronous failover',
  area: 'patroni',
  severity: 'critical',
  rationale:
    'A replica that is not streaming, or far behind, is no failover target: Patroni refuses to promote a replica lagging more than maximum_lag_on_failover, so a large lag means no automatic failover; a very large maximum_lag_on_failover means an asynchronous failover may lose that much acknowledged data. synchronous_mode alone does not remove that risk: without synchronous_mode_strict, Patroni turns synchronous replication off when the Sync Standby is lost, and the next failover is asynchronous.',
  params: {maxLagMb: 16, maxLagOnFailoverMb: 16},
  roles: PATRONI_ROLES,
  facts: {p: patroni},
  evaluate(nodes, p) {
    const withList = nodes.find(({facts}) => facts.p.members)
    if (!withList)
      return unknown('no member could list the cluster (the DCS is unreachable from every member)')
    const members = withList.facts.p.members ?? []
    const read = dcsOf(nodes)
    const evidence = [
      patroniEvidence(withList.node.name, withList.facts.p, {
        members: members.map((m) => ({name: m.name, role: m.role, state: m.state, lagMb: m.lagMb ?? null})),
        maximum_lag_on_failover: read?.dcs.maximumLagOnFailover,
      }),
    ]
    const problems: string[] = []
    for (const m of members.filter((x) => x.role !== 'Leader')) {
      if (!['streaming', 'running'].includes(m.state)) problems.push(`${m.name} is ${m.state}, not streaming`)
      else if (m.lagMb === undefined) problems.push(`${m.name}: lag unknown`)
      else if (m.lagMb > p.maxLagMb) problems.push(`${m.name} lags ${m.lagMb} MB (limit ${p.maxLagMb} MB)`)
    }
    const set = read?.dcs.maximumLagOnFailover
    // Absent from the DCS: Patroni's own default applies.
    const maxLag = set ?? PATRONI_DEFAULT_MAX_LAG
    const shown = `maximum_lag_on_failover ${(maxLag / MB).toFixed(1)} MB${set === undefined ? " (Patroni's default)" : ''}`
    if (read && read.dcs.synchronousModeStrict !== true && maxLag > p.maxLagOnFailoverMb * MB)
      problems.push(
        read.dcs.synchronousMode === true
          ? `synchronous_mode without synchronous_mode_strict falls back to asynchronous when the Sync Standby is lost, and ${shown} then lets a failover lose that much (limit ${p.maxLagOnFailoverMb} MB)`
          : `asynchronous with ${shown}: a failover may lose that much (limit ${p.maxLagOnFailoverMb} MB)`,
      )
    if (problems.length) return fail(problems.join('; '), evidence)
    const replicas = members.filter((x) => x.role !== 'Leader')
    const lags = replicas.map((m) => `${m.name} ${m.role} ${m.state} lag ${m.lagMb ?? '?'} MB`).join(', ')
    if (!read)
      return unknown(
        `${lags}; no member could read the DCS settings: what a failover may lose (maximum_lag_on_failover) is unknown`,
        evidence,
      )
    return pass(`${lags}; ${shown}`, evidence)
  },
  remediation: remediation(
    'A Patroni replica is not streaming or lags too far, or an asynchronous failover may lose too much.',
    "`patronictl list` shows each member's state and lag; on a lagging replica look at `pg_stat_wal_receiver` and its log (network, disk, a long query on the replica holding replay back with hot_standby_feedback). Bound the loss of an asynchronous failover with `patronictl edit-config -s maximum_lag_on_failover=<bytes>` (Patroni's default is 1048576, 1 MiB), or forbid asynchronous operation with `patronictl edit-config -s synchronous_mode=true -s synchronous_mode_strict=true` (writes then stop while no replica can be synchronous).",
    ['https://patroni.readthedocs.io/en/latest/dynamic_configuration.html'],
  ),
})
