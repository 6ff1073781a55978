import {redisSentinel} from '../../facts/redis-sentinel.js'
import {defineClusterCheck, fail, pass, skip, unknown, type Finding} from '../define.js'
import {systemGroups} from '../../view/systems.js'
import {ev, remediation} from '../evidence.js'

/**
 * Judged from the cluster view's Sentinel groups (src/view/groups.ts): the Sentinels that answered, on which
 * nodes, their quorum, and what is left after losing the node that carries the most of them.
 */
export default defineClusterCheck({
  id: 'session.sentinel-quorum',
  title: 'Redis Sentinel keeps its quorum after losing any one node',
  area: 'session',
  severity: 'critical',
  rationale:
    'Sentinel fails over only when `quorum` Sentinels agree the master is down AND a majority of all Sentinels authorises one of them. With fewer than three Sentinels on separate nodes, or a quorum as large as the number of Sentinels, losing the node of the master (and its Sentinel) leaves nobody able to promote a replica: the session store stays down.',
  params: {minSentinels: 3},
  roles: ['session'],
  facts: {},
  optionalFacts: {sentinel: redisSentinel},
  evaluate(nodes, {minSentinels}, ctx) {
    const view = ctx.view
    if (!view) return unknown('no cluster view was built: cannot count the Sentinels')
    const groups = systemGroups(view.systems, 'redis-sentinel')
    if (groups.length === 0) {
      const errors = nodes.filter(
        (n) =>
          !n.optional.sentinel.ok &&
          !['not-applicable', 'not-installed'].includes(n.optional.sentinel.error.code),
      )
      if (errors.length)
        return unknown(
          `could not read Redis Sentinel on ${errors.map((n) => n.node.name).join(', ')}`,
          errors.map((n) =>
            ev(n.node.name, redisSentinel, n.optional.sentinel.ok ? null : n.optional.sentinel.error),
          ),
        )
      return skip('no Redis Sentinel runs on the session nodes')
    }
    const findings: Finding[] = []
    for (const g of groups) {
      const perNode = new Map<string, number>()
      for (const m of g.members) perNode.set(m.node, (perNode.get(m.node) ?? 0) + (m.votes ?? 1))
      const n = [...perNode.values()].reduce((a, b) => a + b, 0)
      const known = Math.max(n, ...g.members.map((m) => Number(m.detail?.['knownSentinels'] ?? 0)))
      const quorum = Math.max(0, ...g.members.map((m) => m.quorum ?? 0))
      const majority = Math.floor(known / 2) + 1
      const worst = Math.max(...perNode.values())
      const left = n - worst
      const need = Math.max(quorum, majority)
      const e = [
        ...g.members.map((m) =>
          ev(
            m.node,
            redisSentinel,
            {master: g.group, names: m.names ?? null, quorum: m.quorum ?? null, ...(m.detail ?? {})},
            `>= ${minSentinels} Sentinels on separate nodes; after losing one node, >= max(quorum, majority) left`,
          ),
        ),
        ...g.unread.map((u) => ev(u.node, redisSentinel, {error: u.error})),
      ]
      const where = [...perNode].map(([node, c]) => (c > 1 ? `${node} (${c})` : node)).join(', ')
      const problems: string[] = []
      if (perNode.size < (minSentinels as number))
        problems.push(
          `only ${perNode.size} node(s) run a Sentinel for ${g.group} (${where}); want ${minSentinels}`,
        )
      if (left < need)
        problems.push(
          `after losing ${[...perNode].find(([, c]) => c === worst)?.[0] ?? 'one node'}, ${left} Sentinel(s) are left but a failover needs ${need} (quorum ${quorum}, majority of ${known} is ${majority})`,
        )
      if (problems.length) findings.push(fail(`${g.group}: ${problems.join('; ')}`, e))
      else if (g.unread.length)
        findings.push(
          unknown(`${g.group}: could not read Sentinel on ${g.unread.map((u) => u.node).join(', ')}`, e),
        )
      else
        findings.push(
          pass(
            `${g.group}: ${n} Sentinels on ${where}, quorum ${quorum}: losing any one node leaves ${left} (needs ${need})`,
            e,
          ),
        )
    }
    return findings
  },
  remediation: remediation(
    'Losing one node can leave Redis Sentinel unable to fail the session store over.',
    'Run at least {{minSentinels}} Sentinels, each on its own node (not all next to the master), all with the same `sentinel monitor NAME HOST PORT QUORUM`, and set QUORUM to a majority of them (2 of 3, 3 of 5). Check with `redis-cli -p 26379 SENTINEL ckquorum NAME` on each Sentinel.',
    ['https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/'],
  ),
})
