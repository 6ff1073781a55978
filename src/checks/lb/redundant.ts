import {defineClusterCheck, fail, pass} from '../define.js'
import {remediation} from '../evidence.js'

/** Also expected: the load balancer tier is itself redundant (>= 2 LB nodes). */
export default defineClusterCheck({
  id: 'lb.redundant',
  title: 'The load-balancer tier is redundant',
  area: 'lb',
  severity: 'critical',
  rationale:
    'A single load balancer in front of a redundant cluster is the single point of failure the cluster was built to avoid.',
  params: {minNodes: 2},
  roles: ['lb'],
  facts: {},
  evaluate(nodes, {minNodes}) {
    const names = nodes.map((n) => n.node.name)
    const e = [
      {source: 'inventory', observed: {lbNodes: names}, expected: `>= ${minNodes} nodes with role lb`},
    ]
    if (names.length < (minNodes as number))
      return fail(`${names.length} load balancer node(s): ${names.join(', ')}`, e)
    return pass(`${names.length} load balancer nodes: ${names.join(', ')}`, e)
  },
  remediation: remediation(
    'The load-balancer tier has a single node.',
    'Run at least two LB nodes with a floating VIP between them (keepalived/VRRP, or a Pacemaker-managed IPaddr2), with identical configuration and certificates.',
    ['docs/checklist.md (also expected)'],
  ),
})
