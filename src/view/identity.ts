/**
 * Which cluster this is, independent of what the inventory calls it: two labs
 * both named "lab" are not the same cluster, and a chaos run against one is no
 * evidence about the other. Built from what the cluster says of itself (the
 * corosync cluster name and its node list), or, for stacks without corosync,
 * from the inventory's node addresses. Pure.
 */
import {createHash} from 'node:crypto'

import type {ClusterIdentity} from '../core/results.js'

export function clusterIdentity(
  source: ClusterIdentity['source'],
  name: string,
  members: readonly string[],
): ClusterIdentity {
  const sorted = [...new Set(members)].sort()
  const digest = createHash('sha256')
    .update(`${source}\n${name}\n${sorted.join('\n')}`)
    .digest('hex')
    .slice(0, 16)
  return {source, name, members: sorted, id: `${source}:${digest}`}
}

/** From corosync (corosync.conf or corosync-cmapctl): totem.cluster_name and the nodelist names (or ring 0 addresses). */
export function corosyncIdentity(
  clusterName: string | undefined,
  nodes: readonly {name?: string; addrs: readonly {link: number; addr: string}[]}[],
): ClusterIdentity | undefined {
  const members = nodes
    .map((n) => n.name ?? n.addrs.find((a) => a.link === 0)?.addr)
    .filter((x): x is string => !!x)
  if (members.length === 0) return undefined
  return clusterIdentity('corosync', clusterName ?? '', members)
}

/** For stacks hacheck reads no membership of: the inventory's own name and node addresses. */
export function inventoryIdentity(name: string, hosts: readonly string[]): ClusterIdentity {
  return clusterIdentity('inventory', name, hosts)
}

export function sameCluster(a: ClusterIdentity | undefined, b: ClusterIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.id === b.id
}
