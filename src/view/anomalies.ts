/**
 * What an HA engineer would flag on reading the view: nodes not examined, a
 * member whose BMC says it is off, partitions, minorities, VIP holders. Pure.
 */
import type {Anomaly, ClusterView, NodeView, Partition, ReachReason} from './types.js'

const REASON: Record<ReachReason, string> = {
  refused: 'SSH refused',
  'no-route': 'no route to the node',
  timeout: 'SSH timeout',
  auth: 'SSH authentication failed',
  'host-key': 'SSH host key not trusted',
  sudo: 'sudo needs a password',
  disconnected: 'SSH connection dropped',
  dns: 'host name does not resolve',
  unreachable: 'unreachable',
}

export function reasonText(reason: ReachReason): string {
  return REASON[reason]
}

export function bmcText(n: NodeView): string | undefined {
  if (n.bmc === undefined) return undefined
  if (n.bmc === 'unknown') return `BMC not readable (${n.bmcError ?? 'no reading'})`
  return `BMC reports power ${n.bmc}`
}

const list = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`

/** "n3: not examined — SSH timeout, BMC reports power off" (the words every report uses). */
export function notExaminedText(n: NodeView): string {
  const parts = [n.notExamined ? reasonText(n.notExamined.reason) : 'not gathered']
  const b = bmcText(n)
  if (b) parts.push(b)
  return `${n.name}: not examined — ${parts.join(', ')}`
}

function countedBy(view: ClusterView, node: string): Partition[] {
  return view.partitions.filter((p) => p.members.includes(node))
}

function nodeAnomalies(view: ClusterView, n: NodeView): Anomaly[] {
  const out: Anomaly[] = []
  const counting = countedBy(view, n.name)
  const counters = counting.flatMap((p) => p.reporters).filter((r) => r !== n.name)
  if (!n.examined) {
    let tail = ''
    if (view.stack === 'pacemaker' && n.cluster && view.partitions.length)
      tail = counters.length
        ? `; still a member for ${list(counters)}`
        : `; not in the membership of any examined node`
    out.push({
      kind: 'not-examined',
      severity: n.cluster ? 'critical' : 'warning',
      nodes: [n.name],
      message: `${notExaminedText(n)}${tail}`,
    })
  }
  if (n.bmc === 'off' && counters.length)
    out.push({
      kind: 'powered-off-member',
      severity: 'critical',
      nodes: [n.name],
      message: `${n.name} is powered off (its BMC says so${n.examined ? '' : ', and it does not answer'}), yet ${list(counters)} still count it as a member: the membership has not noticed the loss yet`,
    })
  if (view.stack === 'pacemaker' && n.cluster && n.examined && !n.membership)
    out.push({
      kind: 'stack-down',
      severity: 'critical',
      nodes: [n.name],
      message: `${n.name} answers but reports no corosync membership${n.membershipError ? ` (${n.membershipError})` : ''}: its cluster stack is not running`,
    })
  return out
}

function vipAnomalies(view: ClusterView, primary: Partition | undefined): Anomaly[] {
  if (view.vip === undefined) return []
  const holders = view.nodes.filter((n) => n.holdsVip === true).map((n) => n.name)
  const out: Anomaly[] = []
  if (holders.length > 1)
    out.push({
      kind: 'vip-several-holders',
      severity: 'critical',
      nodes: holders,
      message: `the VIP ${view.vip} is up on ${list(holders)} at once: split brain, clients reach two services`,
    })
  const outside = primary ? holders.filter((h) => !primary.members.includes(h)) : []
  if (outside.length)
    out.push({
      kind: 'vip-outside-primary',
      severity: 'critical',
      nodes: outside,
      message: `the VIP ${view.vip} is held by ${list(outside)}, outside the quorate partition ${primary?.name}`,
    })
  const cluster = view.nodes.filter((n) => n.cluster)
  if (holders.length === 0 && cluster.length && cluster.every((n) => n.holdsVip === false))
    out.push({
      kind: 'vip-nowhere',
      severity: 'warning',
      nodes: [],
      message: `no cluster node holds the VIP ${view.vip}: the service address is down`,
    })
  return out
}

function partitionAnomalies(view: ClusterView, primary: Partition | undefined): Anomaly[] {
  const out: Anomaly[] = []
  const ps = view.partitions
  if (ps.length > 1)
    out.push({
      kind: 'split-view',
      severity: 'critical',
      nodes: ps.flatMap((p) => p.reporters),
      message: `nodes disagree on the membership: ${ps.map((p) => `${list(p.reporters)} ${p.reporters.length > 1 ? 'see' : 'sees'} ${p.name}${p.quorate ? ' (quorate)' : p.quorate === false ? ' (no quorum)' : ''}`).join('; ')}`,
    })
  const quorate = ps.filter((p) => p.quorate === true)
  if (quorate.length > 1)
    out.push({
      kind: 'several-quorate-partitions',
      severity: 'critical',
      nodes: quorate.flatMap((p) => p.members),
      message: `${quorate.length} partitions each claim quorum (${quorate.map((p) => p.name).join(' and ')}): split brain`,
    })
  else if (ps.length && quorate.length === 0)
    out.push({
      kind: 'no-quorate-partition',
      severity: 'critical',
      nodes: ps.flatMap((p) => p.members),
      message: `no partition has quorum (${ps.map((p) => p.name).join(', ')}): the cluster stops or freezes its resources`,
    })
  if (primary)
    for (const p of ps.filter((x) => !x.primary)) {
      const vip = p.vipHolders.length ? `; still holds the VIP ${view.vip} on ${list(p.vipHolders)}` : ''
      out.push({
        kind: 'minority',
        severity: 'critical',
        nodes: p.reporters,
        message: `${list(p.reporters)} ${p.reporters.length > 1 ? 'are' : 'is'} in a minority partition (${p.name}, ${p.quorate === false ? 'no quorum' : 'quorum unknown'}) cut off from the quorate partition ${primary.name}${vip}`,
      })
    }
  if (primary && primary.speaker && primary.dc === undefined)
    out.push({
      kind: 'no-dc',
      severity: 'warning',
      nodes: [primary.speaker],
      message: `Pacemaker on ${primary.speaker} reports no DC in the quorate partition ${primary.name} (an election is under way or Pacemaker is not running)`,
    })
  return out
}

function pacemakerAnomalies(view: ClusterView, primary: Partition | undefined): Anomaly[] {
  const speaker = view.nodes.find((n) => n.name === primary?.speaker)
  if (!primary || !speaker?.pacemaker) return []
  const online = speaker.pacemaker.nodes.filter((n) => n.online && n.type === 'member').map((n) => n.name)
  const stale = online.filter((n) => !primary.members.includes(n))
  if (!stale.length) return []
  return [
    {
      kind: 'pacemaker-disagrees',
      severity: 'warning',
      nodes: stale,
      message: `Pacemaker on ${speaker.name} still shows ${list(stale)} online while corosync no longer counts ${stale.length > 1 ? 'them' : 'it'} (a view about to change)`,
    },
  ]
}

export function anomaliesOf(view: ClusterView): Anomaly[] {
  const primary = view.partitions.find((p) => p.primary)
  return [
    ...view.nodes.flatMap((n) => nodeAnomalies(view, n)),
    ...partitionAnomalies(view, primary),
    ...vipAnomalies(view, primary),
    ...pacemakerAnomalies(view, primary),
  ]
}
