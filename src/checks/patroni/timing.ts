import {patroni} from '../../facts/patroni.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {dcsOf, PATRONI_ROLES, patroniEvidence} from './common.js'

/** ttl ≥ loop_wait + 2 × retry_timeout (Patroni's own rule for its DCS timings). */
export default defineClusterCheck({
  id: 'patroni.timing',
  title: 'Patroni ttl, loop_wait and retry_timeout are coherent (ttl ≥ loop_wait + 2 × retry_timeout)',
  area: 'patroni',
  severity: 'critical',
  claim: 'cluster-state',
  rationale:
    'The leader renews its key every loop_wait seconds and may spend up to retry_timeout retrying a slow DCS (and as long again on PostgreSQL). If ttl is shorter than loop_wait + 2 × retry_timeout, the key can expire while a healthy leader is still retrying: a replica takes over and the old leader demotes, a failover with nothing failed.',
  params: {},
  roles: PATRONI_ROLES,
  facts: {p: patroni},
  evaluate(nodes) {
    const read = dcsOf(nodes)
    if (!read) return unknown('no member could read the DCS configuration (patronictl show-config)')
    const {ttl = 30, loopWait = 10, retryTimeout = 10} = read.dcs
    const evidence = [
      patroniEvidence(read.from, nodes.find((n) => n.node.name === read.from)!.facts.p, {
        ttl,
        loop_wait: loopWait,
        retry_timeout: retryTimeout,
      }),
    ]
    const need = loopWait + 2 * retryTimeout
    if (ttl < need)
      return fail(
        `ttl ${ttl} s < loop_wait ${loopWait} + 2 × retry_timeout ${retryTimeout} = ${need} s: the leader key can expire while the leader retries`,
        evidence,
      )
    return pass(
      `ttl ${ttl} s ≥ loop_wait ${loopWait} + 2 × retry_timeout ${retryTimeout} = ${need} s`,
      evidence,
    )
  },
  remediation: remediation(
    'The leader key can expire while a healthy leader is still retrying the DCS.',
    "`patronictl -c /etc/patroni/config.yml edit-config -s ttl=30 -s loop_wait=10 -s retry_timeout=10` (Patroni's defaults), or any values with ttl ≥ loop_wait + 2 × retry_timeout.",
    ['https://patroni.readthedocs.io/en/latest/dynamic_configuration.html'],
  ),
})
