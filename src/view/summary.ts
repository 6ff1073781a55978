/** The view in the words of a report's first lines, and as stored in run JSON (pure). */
import {bmcText, reasonText} from './anomalies.js'
import type {ViewSummary} from '../core/results.js'
import type {ClusterView} from './types.js'

const RANK = {critical: 0, warning: 1, info: 2} as const

function healthyLine(view: ClusterView): string {
  const cluster = view.nodes.filter((n) => n.cluster)
  const counted = cluster.length ? cluster : view.nodes
  const parts = [
    `${counted.filter((n) => n.examined).length}/${counted.length} ${cluster.length ? 'cluster ' : ''}nodes examined`,
  ]
  const p = view.partitions.find((x) => x.primary)
  if (p) parts.push(`one partition ${p.name}, quorate${p.dc ? `, DC ${p.dc}` : ''}`)
  if (view.vip !== undefined && p?.vipHolders.length) parts.push(`VIP on ${p.vipHolders.join(', ')}`)
  for (const s of view.systems) {
    if (s.primary)
      parts.push(`${s.system}: primary component ${s.primary}${s.leader ? `, leader ${s.leader}` : ''}`)
  }
  return `cluster view: ${parts.join('; ')}`
}

export function summarizeView(view: ClusterView): ViewSummary {
  // A system's node that was not examined is already named by the view's own notice.
  const systemNotices = view.systems.flatMap((s) => s.anomalies.filter((a) => a.kind !== 'not-examined'))
  const notices = [...view.anomalies, ...systemNotices]
    .sort((a, b) => RANK[a.severity] - RANK[b.severity])
    .map((a) => ({severity: a.severity, kind: a.kind, nodes: a.nodes, message: a.message}))
  // In the headline, one sentence per node: "powered off yet still a member" says more than "not examined".
  const poweredOff = new Set(notices.filter((n) => n.kind === 'powered-off-member').flatMap((n) => n.nodes))
  const serious = notices.filter(
    (n) => n.severity !== 'info' && !(n.kind === 'not-examined' && n.nodes.every((x) => poweredOff.has(x))),
  )
  const degraded = notices.some((n) => n.severity !== 'info')
  // Node-level notices that repeat what a partition notice says are kept in `notices`; the headline takes the first two.
  const headline = degraded
    ? `DEGRADED: ${serious
        .slice(0, 2)
        .map((n) => n.message)
        .join('; ')}${serious.length > 2 ? ` (+${serious.length - 2} more)` : ''}`
    : healthyLine(view)
  return {
    headline,
    degraded,
    notices,
    nodes: view.nodes.map((n) => ({
      name: n.name,
      examined: n.examined,
      ...(n.notExamined ? {why: `${reasonText(n.notExamined.reason)}: ${n.notExamined.message}`} : {}),
      ...(n.bmc !== undefined ? {bmc: bmcText(n)} : {}),
      ...(n.partition ? {partition: n.partition} : {}),
    })),
    partitions: view.partitions.map((p) => ({
      name: p.name,
      members: p.members,
      ...(p.quorate !== undefined ? {quorate: p.quorate} : {}),
      primary: p.primary,
      ...(p.dc ? {dc: p.dc} : {}),
      vipHolders: p.vipHolders,
    })),
  }
}
