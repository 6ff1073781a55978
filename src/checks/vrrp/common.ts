import type {Fact} from '../../facts/gatherer.js'
import {keepalivedConf, type KeepalivedConf, type VrrpInstanceConf} from '../../facts/keepalived-conf.js'
import type {NodeSpec} from '../../core/types.js'
import {skip, unknown, type AuditContext, type ClusterCheck, type Finding, type Params} from '../define.js'
import {defineGroupedCheck, type GroupedCheck} from '../define-grouped.js'
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

/** One peer of a VRRP router: its instance, the node it is on and that node's whole configuration. */
export interface RouterMember {
  node: string
  inst: VrrpInstanceConf
  conf: KeepalivedConf
}

/** Instances grouped by router, with the node each is on. */
export function byRouter(confs: readonly NodeInstances[]): Map<string, RouterMember[]> {
  const m = new Map<string, RouterMember[]>()
  for (const c of confs)
    for (const inst of c.instances) {
      const k = routerKey(inst)
      m.set(k, [...(m.get(k) ?? []), {node: c.node, inst, conf: c.conf}])
    }
  return m
}

type ConfFacts = {conf: typeof keepalivedConf}

/**
 * A check of the LB nodes' keepalived.conf judged router by router (the shared preamble of the VRRP
 * configuration checks): role lb, the configuration as an optional fact (no keepalived: skip; unreadable:
 * could not tell), judged from any LB (cluster-state). `judge` gets each router's peers.
 */
export function defineVrrpConfCheck<P extends Params>(
  c: Omit<
    GroupedCheck<Record<never, never>, ConfFacts, P, RouterMember[]>,
    'area' | 'roles' | 'facts' | 'optionalFacts' | 'claim' | 'groups' | 'judge'
  > & {judge(router: string, members: RouterMember[], params: P, ctx: AuditContext): Finding | Finding[]},
): ClusterCheck<Record<never, never>, ConfFacts, P> {
  return defineGroupedCheck<Record<never, never>, P, RouterMember[], ConfFacts>({
    area: 'vrrp',
    roles: ['lb'],
    facts: {},
    optionalFacts: {conf: keepalivedConf},
    claim: 'cluster-state',
    ...c,
    groups(nodes) {
      const confs = confsOf(nodes)
      return isFinding(confs) ? confs : byRouter(confs)
    },
  })
}

export const where = (x: {node: string; inst: VrrpInstanceConf}): string =>
  `${x.node} ${x.inst.name}${x.inst.file ? ` (${x.inst.file}:${x.inst.line})` : ''}`
