import {cibadmin, type Cib} from '../../facts/cibadmin.js'
import {defineClusterCheck, fail, pass, skip, unknown, warn} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

type Util = Record<string, number>

const num = (v: string | undefined): number => {
  const n = Number(v)
  return Number.isFinite(n) ? n : 0
}

function toUtil(u: Record<string, string>): Util {
  return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, num(v)]))
}

/** Placement units: a group is placed as one (colocated members), a lone primitive alone. Clones are per node. */
export function placementUnits(cib: Cib): {units: {id: string; util: Util}[]; perNode: Util} {
  const units = new Map<string, Util>()
  const perNode: Util = {}
  for (const p of cib.primitives) {
    if (p.isStonith || p.disabled) continue
    const util = toUtil(p.utilization)
    if (Object.keys(util).length === 0) continue
    if (p.clone) {
      for (const [k, v] of Object.entries(util)) perNode[k] = (perNode[k] ?? 0) + v
      continue
    }
    const key = p.group ?? p.id
    const u = units.get(key) ?? {}
    for (const [k, v] of Object.entries(util)) u[k] = (u[k] ?? 0) + v
    units.set(key, u)
  }
  return {units: [...units].map(([id, util]) => ({id, util})), perNode}
}

/** First-fit decreasing of the units into the survivors' capacity; returns the units that do not fit. */
export function packFails(units: {id: string; util: Util}[], capacities: Util[]): string[] {
  const free = capacities.map((c) => ({...c}))
  const size = (u: Util): number => Object.values(u).reduce((a, b) => a + b, 0)
  const sorted = [...units].sort((a, b) => size(b.util) - size(a.util))
  const failed: string[] = []
  for (const unit of sorted) {
    const slot = free.find((f) => Object.entries(unit.util).every(([k, v]) => (f[k] ?? 0) >= v))
    if (!slot) {
      failed.push(unit.id)
      continue
    }
    for (const [k, v] of Object.entries(unit.util)) slot[k] = (slot[k] ?? 0) - v
  }
  return failed
}

/**
 * Item 10: with any one node down, the survivors can carry every resource.
 * Judged from Pacemaker utilization (node capacity vs resource utilization,
 * as the scheduler would place them) and, when the inventory declares
 * `cluster.peakLoad`, from that declared load vs the survivors' capacity.
 */
export default defineClusterCheck({
  id: 'capacity.n-minus-1',
  title: 'With any one node down, the survivors can carry the full load',
  area: 'capacity',
  severity: 'critical',
  rationale:
    'Failover that moves the load onto nodes that cannot carry it turns one failure into a cascading one: overloaded survivors miss their monitors and tokens, and get fenced in turn.',
  params: {},
  claim: 'cluster-state',
  facts: {cib: cibadmin},
  evaluate(nodes, _p, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no CIB')
    const cib = first.facts.cib
    const members = cib.nodes.filter((n) => (n.type ?? 'member') === 'member')
    const caps = members.map((n) => ({name: n.uname ?? n.id, cap: toUtil(n.utilization)}))
    const {units, perNode} = placementUnits(cib)
    const peak = ctx.inventory.cluster['peakLoad'] as {cpu?: number; memoryBytes?: number} | undefined
    const declared = caps.some((c) => Object.keys(c.cap).length > 0)
    const e = [
      ev(first.node.name, cibadmin, {
        placementStrategy: cib.cluster.placementStrategy ?? 'default',
        nodeCapacity: Object.fromEntries(caps.map((c) => [c.name, c.cap])),
        resourceUtilization: Object.fromEntries(units.map((u) => [u.id, u.util])),
        perNodeClones: perNode,
      }),
    ]
    if (!declared && units.length === 0 && !peak) {
      return skip(
        'no Pacemaker utilization attributes and no cluster.peakLoad in the inventory: declare one to judge N-1 capacity',
      )
    }
    if (members.length < 2) return fail(`only ${members.length} node(s): there is no N-1`, e)
    const problems: string[] = []
    for (const down of caps) {
      const survivors = caps
        .filter((c) => c !== down)
        .map((c) => {
          const left: Util = {...c.cap}
          for (const [k, v] of Object.entries(perNode)) left[k] = (left[k] ?? 0) - v
          return left
        })
      const failed = packFails(units, survivors)
      if (failed.length) problems.push(`without ${down.name}: ${failed.join(', ')} cannot be placed`)
      if (peak) {
        const total: Util = {}
        for (const s of survivors) for (const [k, v] of Object.entries(s)) total[k] = (total[k] ?? 0) + v
        if (peak.cpu !== undefined && total['cpu'] !== undefined && total['cpu'] < peak.cpu)
          problems.push(`without ${down.name}: ${total['cpu']} cpu left for a declared peak of ${peak.cpu}`)
        const memMiB = peak.memoryBytes !== undefined ? peak.memoryBytes / 1048576 : undefined
        if (memMiB !== undefined && total['memory'] !== undefined && total['memory'] < memMiB)
          problems.push(
            `without ${down.name}: ${total['memory']} MiB left for a declared peak of ${memMiB} MiB`,
          )
      }
    }
    if (peak)
      e.push({source: 'inventory', observed: {peakLoad: peak}, note: 'declared peak load (cluster.peakLoad)'})
    if (problems.length) return fail(problems.join('; '), e)
    if (declared && (cib.cluster.placementStrategy ?? 'default') === 'default') {
      return warn(
        'utilization fits N-1, but placement-strategy is default: Pacemaker ignores utilization when placing resources',
        e,
      )
    }
    return pass(
      `every single-node failure leaves room for ${units.length} placement unit(s)${peak ? ' and the declared peak load' : ''}`,
      e,
    )
  },
  remediation: remediation(
    'Losing one node would leave more load than the survivors can carry.',
    'Add capacity (a node, or more CPU/memory per node), or reduce what must fail over. Keep Pacemaker utilization honest: node capacity `pcs node utilization <node> cpu=<n> memory=<MiB>`, resource needs `pcs resource utilization <rsc> cpu=<n> memory=<MiB>`, and `pcs property set placement-strategy=balanced` so the scheduler respects them. Verify with `crm_simulate -Ls` after `crm_simulate --node-down <node>`.',
    [
      'https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/utilization.html',
      'crm_simulate(8)',
    ],
  ),
})
