/**
 * From gathered facts to the cluster view's input: which facts the view needs on
 * which node (always gathered, whatever checks were selected), and the mapping
 * of those facts to readings. Pure.
 */
import type {Inventory, NodeSpec} from '../core/types.js'
import {corosyncConf, type CorosyncConf} from '../facts/corosync-conf.js'
import {corosyncQuorumtool} from '../facts/corosync-quorumtool.js'
import {crmMon, type CrmMon} from '../facts/crm-mon.js'
import type {Fact, FactError, Gatherer} from '../facts/gatherer.js'
import {ipAddr} from '../facts/ip-addr.js'
import {ipmiPowerStatus, type PowerStatus} from '../facts/ipmi.js'
import type {ChaosHistoryEntry, ClusterIdentity} from '../core/results.js'
import {buildClusterView, nameResolver, speakerOf} from '../view/build.js'
import {corosyncIdentity, inventoryIdentity, sameCluster} from '../view/identity.js'
import {pacemakerStateOf} from '../view/pacemaker.js'
import {globalAddressesOf, membershipOf} from '../view/readings.js'
import type {ClusterView, NodeReadings, Reading, ViewInput} from '../view/types.js'
import {systemOutcomes, SYSTEM_GATHERERS} from './view-systems.js'
import type {FactStore} from './facts.js'
import {reachReason} from './reach.js'
import {systemGatherers, systemInputsOf} from './system-input.js'

/** Gatherers the view reads on a node (beyond what the selected checks need). */
export function viewGatherers(inv: Inventory, node: NodeSpec): Gatherer<unknown>[] {
  const out: Gatherer<unknown>[] = []
  const pacemaker = inv.cluster.stack === 'pacemaker' && node.roles.includes('cluster')
  if (pacemaker) out.push(corosyncQuorumtool, crmMon, corosyncConf)
  if (pacemaker || inv.cluster.vip !== undefined) out.push(ipAddr)
  if (node.bmc) out.push(ipmiPowerStatus)
  out.push(...systemGatherers(node))
  for (const s of SYSTEM_GATHERERS) if (s.roles.some((r) => node.roles.includes(r))) out.push(s.gatherer)
  return out as Gatherer<unknown>[]
}

function reading<T, R>(f: Fact<unknown> | undefined, map: (v: T) => R): Reading<R> | undefined {
  if (!f) return undefined
  return f.ok ? {ok: true, value: map(f.value as T)} : {ok: false, error: f.error.message}
}

/** Corosync node names ↔ ring addresses, from any node's corosync.conf: so "198.18.1.13" in a membership is n3. */
function ringAliases(inv: Inventory, facts: FactStore): Map<string, string[]> {
  const out = new Map<string, string[]>()
  // The first inventory node with that name or host, by its position: a scan of the inventory per
  // corosync.conf entry on every node was O(N²) in the fleet size.
  const byName = new Map<string, number>()
  const byHost = new Map<string, number>()
  inv.nodes.forEach((x, i) => {
    if (!byName.has(x.name)) byName.set(x.name, i)
    if (!byHost.has(x.host)) byHost.set(x.host, i)
  })
  for (const n of inv.nodes) {
    const f = facts.get(n.name)?.get(corosyncConf.id)
    if (!f?.ok) continue
    const conf = f.value as CorosyncConf
    for (const cn of conf.nodes) {
      const at = [
        cn.name === undefined ? undefined : byName.get(cn.name),
        ...cn.addrs.map((a) => byHost.get(a.addr)),
      ].filter((i): i is number => i !== undefined)
      const inventoryName = at.length ? inv.nodes[Math.min(...at)]?.name : undefined
      if (!inventoryName) continue
      const aliases = [...(cn.name ? [cn.name] : []), ...cn.addrs.map((a) => a.addr)]
      out.set(inventoryName, [...new Set([...(out.get(inventoryName) ?? []), ...aliases])])
    }
  }
  return out
}

function reachOf(err: FactError | undefined): NodeReadings['reach'] {
  if (!err) return {ok: true}
  return {ok: false, reason: reachReason(err.reason ?? err.code, err.message), message: err.message}
}

export function viewInputOf(
  inv: Inventory,
  outcome: {facts: FactStore; nodeErrors: ReadonlyMap<string, FactError>},
): ViewInput {
  const aliases = ringAliases(inv, outcome.facts)
  const readings: Record<string, NodeReadings> = {}
  for (const n of inv.nodes) {
    const facts = outcome.facts.get(n.name)
    if (!facts) continue
    const r: NodeReadings = {reach: reachOf(outcome.nodeErrors.get(n.name))}
    const bmc = reading<PowerStatus, 'on' | 'off'>(facts.get(ipmiPowerStatus.id), (p) =>
      p.on ? 'on' : 'off',
    )
    if (bmc) r.bmc = bmc
    const membership = reading(facts.get(corosyncQuorumtool.id), membershipOf)
    if (membership) r.membership = membership
    const pacemaker = reading(facts.get(crmMon.id), (m: CrmMon) => pacemakerStateOf(m))
    if (pacemaker) r.pacemaker = pacemaker
    const addresses = reading(facts.get(ipAddr.id), globalAddressesOf)
    if (addresses) r.addresses = addresses
    const groups = systemOutcomes(facts)
    if (groups.length) r.groups = groups
    readings[n.name] = r
  }
  const nodes = inv.nodes.map((n) => ({
    name: n.name,
    aliases: [n.host, ...(aliases.get(n.name) ?? [])],
    roles: n.roles,
    hasBmc: n.bmc !== undefined,
  }))
  const systems = systemInputsOf(inv, outcome, nameResolver(nodes))
  return {
    stack: inv.cluster.stack,
    ...(inv.cluster.vip !== undefined ? {vip: inv.cluster.vip} : {}),
    nodes,
    readings,
    ...(systems.length ? {systems} : {}),
  }
}

export function clusterViewOf(
  inv: Inventory,
  outcome: {facts: FactStore; nodeErrors: ReadonlyMap<string, FactError>},
): ClusterView {
  return buildClusterView(viewInputOf(inv, outcome))
}

/** The cluster's identity: corosync.conf of the quorate partition's speaker (or any node), else the inventory. */
export function identityOf(
  inv: Inventory,
  outcome: {facts: FactStore},
  view: ClusterView,
): ClusterIdentity | undefined {
  if (inv.cluster.stack !== 'pacemaker')
    return inventoryIdentity(
      inv.cluster.name,
      inv.nodes.map((n) => n.host),
    )
  const speaker = speakerOf(view)
  const order = [...(speaker ? [speaker] : []), ...inv.nodes.map((n) => n.name)]
  for (const name of order) {
    const f = outcome.facts.get(name)?.get(corosyncConf.id)
    if (!f?.ok) continue
    const conf = f.value as CorosyncConf
    const id = corosyncIdentity(conf.totem.clusterName, conf.nodes)
    if (id) return id
  }
  return undefined
}

/** The chaos runs made against this very cluster, and how many saved runs were about something else. */
export function matchHistory(
  history: readonly ChaosHistoryEntry[] | undefined,
  identity: ClusterIdentity | undefined,
): {mine: ChaosHistoryEntry[]; unmatched: number} {
  const all = history ?? []
  const mine = all.filter((h) => sameCluster(h.identity, identity))
  return {mine, unmatched: all.length - mine.length}
}
