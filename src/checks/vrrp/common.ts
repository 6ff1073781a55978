import type {Fact} from '../../facts/gatherer.js'
import {keepalivedConf, type KeepalivedConf, type VrrpInstanceConf} from '../../facts/keepalived-conf.js'
import type {NodeSpec} from '../../core/types.js'
import {skip, unknown, type Finding} from '../define.js'
import {ev} from '../evidence.js'

/** One node's VRRP instances from its keepalived.conf. */
export interface NodeInstances {
  node: string
  conf: KeepalivedConf
  instances: VrrpInstanceConf[]
}

/** A VRRP router: its virtual_router_id (instance names may differ between peers). */
export const routerKey = (i: VrrpInstanceConf): string =>
  i.virtualRouterId !== undefined ? `vrid ${i.virtualRouterId}` : `instance ${i.name}`

/**
 * The LB nodes' keepalived configurations. Nodes without keepalived are left out; when no LB node runs it,
 * a skip; when a configuration could not be read, "could not tell" (never a pass).
 */
export function confsOf(
  nodes: readonly {node: NodeSpec; optional: {conf: Fact<KeepalivedConf>}}[],
): NodeInstances[] | Finding {
  const out: NodeInstances[] = []
  for (const {node, optional} of nodes) {
    const f = optional.conf
    if (f.ok) {
      out.push({node: node.name, conf: f.value, instances: f.value.instances})
      continue
    }
    if (f.error.code === 'not-applicable' || f.error.code === 'not-installed') continue
    return unknown(`${node.name}: ${f.error.message}`, [ev(node.name, keepalivedConf, f.error)])
  }
  if (out.length === 0 || out.every((n) => n.instances.length === 0))
    return skip('no LB node runs keepalived with a vrrp_instance (the VIP is not held by VRRP)')
  return out
}

export function isFinding(x: unknown): x is Finding {
  return typeof x === 'object' && x !== null && 'status' in x && 'evidence' in x
}

/** Instances grouped by router, with the node each is on. */
export function byRouter(
  confs: readonly NodeInstances[],
): Map<string, {node: string; inst: VrrpInstanceConf}[]> {
  const m = new Map<string, {node: string; inst: VrrpInstanceConf}[]>()
  for (const c of confs)
    for (const inst of c.instances) {
      const k = routerKey(inst)
      m.set(k, [...(m.get(k) ?? []), {node: c.node, inst}])
    }
  return m
}

export const where = (x: {node: string; inst: VrrpInstanceConf}): string =>
  `${x.node} ${x.inst.name}${x.inst.file ? ` (${x.inst.file}:${x.inst.line})` : ''}`
