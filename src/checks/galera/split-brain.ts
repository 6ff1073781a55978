import {galera} from '../../facts/galera.js'
import {defineClusterCheck, fail, pass} from '../define.js'
import {remediation} from '../evidence.js'
import {arbitrators, GALERA_ROLES, galeraEvidence, serverOf, weightOf} from './common.js'

/**
 * No setting defeats Galera's quorum: pc.ignore_sb and pc.ignore_quorum are off on every node, and no
 * single node carries half of the votes or more (pc.weight), which would make it decide alone.
 */
export default defineClusterCheck({
  id: 'galera.split-brain',
  title: 'No Galera setting defeats quorum (pc.ignore_sb, pc.ignore_quorum, a dominant pc.weight)',
  area: 'galera',
  severity: 'critical',
  rationale:
    'pc.ignore_sb=true lets every side of a partition keep accepting writes (split brain: diverged data that cannot be merged); pc.ignore_quorum=true lets a minority act as primary. A node whose pc.weight is half of the votes or more is a single point of failure: when it fails, the others are a minority and stop.',
  params: {},
  roles: GALERA_ROLES,
  facts: {g: galera},
  evaluate(nodes, _p, ctx) {
    const arb = arbitrators(ctx.inventory)
    const weights = nodes.map(({node, facts}) => ({node: node.name, w: weightOf(serverOf(facts.g))}))
    const total = weights.reduce((a, v) => a + v.w, 0) + arb.length
    const evidence = nodes.map(({node, facts}) => {
      const s = serverOf(facts.g)
      return galeraEvidence(node.name, s, {
        'pc.ignore_sb': s?.providerOptions['pc.ignore_sb'],
        'pc.ignore_quorum': s?.providerOptions['pc.ignore_quorum'],
        'pc.weight': weightOf(s),
      })
    })
    const problems: string[] = []
    const sb = nodes.filter(({facts}) => serverOf(facts.g)?.ignoreSb === true).map((x) => x.node.name)
    if (sb.length)
      problems.push(
        `pc.ignore_sb=true on ${sb.join(', ')}: each side of a partition keeps writing (split brain)`,
      )
    const iq = nodes.filter(({facts}) => serverOf(facts.g)?.ignoreQuorum === true).map((x) => x.node.name)
    if (iq.length) problems.push(`pc.ignore_quorum=true on ${iq.join(', ')}: a minority acts as primary`)
    // With 2 equal votes or fewer every node "dominates": galera.odd-size says that better.
    if (total > 2)
      for (const {node, w} of weights)
        if (2 * w >= total)
          problems.push(
            `${node} carries ${w} of ${total} votes (pc.weight): if ${node} fails, the others hold ${total - w} and lose the primary component`,
          )
    if (problems.length) return fail(problems.join('; '), evidence)
    return pass(
      `pc.ignore_sb and pc.ignore_quorum off everywhere; weights ${weights.map((x) => `${x.node} ${x.w}`).join(', ')} of ${total}: no node decides alone`,
      evidence,
    )
  },
  remediation: remediation(
    'A Galera provider option lets a partition write on both sides, or makes one node decide alone.',
    "Remove `pc.ignore_sb`/`pc.ignore_quorum` from `wsrep_provider_options` (my.cnf) and restart the nodes one at a time, each back to Synced before the next. Keep `pc.weight` equal (default 1) and get an odd vote count from the number of nodes or a garbd arbitrator. `SET GLOBAL wsrep_provider_options='pc.weight=1'` changes a weight at run time (it is replicated as a view change).",
    [
      'https://galeracluster.com/library/documentation/galera-parameters.html#pc-ignore-sb',
      'https://galeracluster.com/library/documentation/weighted-quorum.html',
    ],
  ),
})
