import {createHash} from 'node:crypto'

import {corosyncConf, type ConfSection} from '../../facts/corosync-conf.js'
import {defineClusterCheck, fail, pass} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Canonical text of a corosync.conf tree: comments, blank lines and whitespace do not count. */
function canonical(s: ConfSection): string {
  const entries = s.entries.map((e) => `${e.key}:${e.value}`)
  const subs = s.sections.map(canonical)
  return `${s.name}{${entries.join(';')}|${subs.join('')}}`
}

/** Also expected: no configuration drift between nodes (corosync.conf must be identical everywhere). */
export default defineClusterCheck({
  id: 'corosync.config-drift',
  title: 'corosync.conf is identical on every node',
  area: 'corosync',
  severity: 'critical',
  rationale:
    'Nodes that disagree on the nodelist, quorum or token behave differently during a failure: one may think it is quorate while another does not. The difference usually shows only on the bad day.',
  params: {},
  facts: {conf: corosyncConf},
  needsAllNodes: true,
  evaluate(nodes) {
    const digests = nodes.map(({node, facts}) => ({
      node: node.name,
      digest: createHash('sha256').update(canonical(facts.conf.tree)).digest('hex').slice(0, 16),
    }))
    const groups = new Map<string, string[]>()
    for (const d of digests) groups.set(d.digest, [...(groups.get(d.digest) ?? []), d.node])
    const e = digests.map((d) =>
      ev(
        d.node,
        corosyncConf,
        {sha256: d.digest},
        'the same on every node',
        'digest of the parsed file (comments and whitespace ignored)',
      ),
    )
    if (groups.size === 1) return pass(`identical on ${nodes.length} node(s)`, e)
    return fail(
      `${groups.size} different versions: ${[...groups.values()].map((g) => g.join('+')).join(' vs ')}`,
      e,
    )
  },
  remediation: remediation(
    'corosync.conf differs between nodes.',
    'Pick the correct version, copy it to every node (`pcs cluster sync`, or `crm cluster copy /etc/corosync/corosync.conf`), then reload with `corosync-cfgtool -R`.',
    ['corosync.conf(5)'],
  ),
})
