import {corosyncCmapctl} from '../../facts/corosync-cmapctl.js'
import {defineClusterCheck, fail, pass, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/** Also expected: corosync token/consensus timing sane (consensus >= 1.2 x token; token not absurdly low or high). */
export default defineClusterCheck({
  id: 'corosync.token-consensus',
  title: 'Corosync token and consensus timeouts are coherent',
  area: 'corosync',
  severity: 'warning',
  rationale:
    'The token timeout is how long a silent node is tolerated before it is declared lost; consensus must be at least 1.2 x token or membership changes can fail to converge. A token below ~1 s fences nodes on every scheduling hiccup; far above the RTO target makes failover slower than promised.',
  params: {minTokenMs: 1000, maxTokenMs: 60000, consensusFactor: 1.2},
  claim: 'cluster-state',
  facts: {cmap: corosyncCmapctl},
  evaluate(nodes, {minTokenMs, maxTokenMs, consensusFactor}, ctx) {
    const evidence = nodes.map(({node, facts}) =>
      ev(
        node.name,
        corosyncCmapctl,
        {token: facts.cmap.runtime.token, consensus: facts.cmap.runtime.consensus},
        `token ${minTokenMs}-${maxTokenMs} ms, consensus >= ${consensusFactor} x token`,
      ),
    )
    const problems: string[] = []
    for (const {node, facts} of nodes) {
      const {token, consensus} = facts.cmap.runtime
      if (token === undefined || consensus === undefined) {
        problems.push(`${node.name}: runtime token/consensus not found in cmap`)
        continue
      }
      if (consensus < consensusFactor * token)
        problems.push(`${node.name}: consensus ${consensus} ms < ${consensusFactor} x token ${token} ms`)
      if (token < minTokenMs) problems.push(`${node.name}: token ${token} ms below ${minTokenMs} ms`)
      if (token > maxTokenMs) problems.push(`${node.name}: token ${token} ms above ${maxTokenMs} ms`)
    }
    const tokens = new Set(nodes.map(({facts}) => facts.cmap.runtime.token))
    if (tokens.size > 1) problems.push(`nodes run with different tokens: ${[...tokens].join(', ')} ms`)
    const first = authority(nodes, ctx)?.facts.cmap.runtime
    if (problems.length === 0)
      return pass(`token ${first?.token} ms, consensus ${first?.consensus} ms`, evidence)
    const hard = problems.some((p) => p.includes('consensus') || p.includes('different'))
    return (hard ? fail : warn)(problems.join('; '), evidence)
  },
  remediation: remediation(
    'Corosync membership timing is outside the safe range.',
    'Set `totem { token: <ms> }` in corosync.conf on every node and leave `consensus` unset (it defaults to 1.2 x token) or set it >= 1.2 x token; apply with `corosync-cfgtool -R`. Keep stonith-timeout and the RTO objective consistent with the new token.',
    ['corosync.conf(5) totem token, consensus, token_coefficient'],
  ),
})
