/**
 * A game day against the inventory it will run on, before anything connects: every node it names (step
 * targets, options of type node, partition groups, rollbacks) and every network (link-pull's and netem's
 * network) must be in the inventory. Each problem is placed at its line and column in the game-day file, so
 * a typo is an input error naming FILE:LINE:COL and the field, not a refusal half-way through a game day
 * written as if it came from a flag ("--node n9: no such node"). Roles (@service, @dc, @replica) are
 * resolved against the cluster at run time and are not checked here.
 */
import {isCidr} from '../../core/address.js'
import type {Inventory} from '../../core/types.js'
import {formatPath} from '../../inventory/messages.js'
import type {PathSegment, Problem} from '../../inventory/source.js'
import {faultById} from '../faults/index.js'
import {parseGroups} from '../faults/partition.js'
import type {GameDay} from './file.js'

const isRole = (name: string): boolean => name.startsWith('@')

export function inventoryProblems(g: GameDay, inv: Inventory): Problem[] {
  const problems: Problem[] = []
  const nodes = inv.nodes.map((n) => n.name)
  const networks = Object.keys(inv.networks)
  const at = (path: PathSegment[], message: string): void => {
    problems.push({...(g.locate?.(path) ?? {}), path: formatPath(path), message})
  }
  const node = (path: PathSegment[], name: string): void => {
    if (!isRole(name) && !nodes.includes(name))
      at(
        path,
        `expected a node of the inventory (${nodes.join(', ')}) or @service, @dc, @replica, found "${name}"`,
      )
  }
  g.steps.forEach((s, i) => {
    if (s.target !== undefined) node(['steps', i, 'target'], s.target)
    const fault = faultById(s.fault)
    if (!fault) return
    for (const [k, spec] of Object.entries(fault.options)) {
      const v = s.with[k]
      if (typeof v !== 'string') continue
      const path: PathSegment[] = ['steps', i, 'with', k]
      if (spec.type === 'node') node(path, v)
      else if (spec.refersTo === 'network' && !networks.includes(v) && !isCidr(v))
        at(
          path,
          `expected a network of the inventory (${networks.join(', ') || 'it names none'}) or a CIDR, found "${v}"`,
        )
      else if (spec.refersTo === 'node-groups') {
        const unknown = parseGroups(v)
          .flat()
          .filter((name) => !isRole(name) && !nodes.includes(name))
        if (unknown.length)
          at(
            path,
            `expected groups of inventory nodes (${nodes.join(', ')}), found ${unknown.join(', ')} in "${v}"`,
          )
      }
    }
  })
  g.rollbacks.forEach((r, j) => {
    if (r.node !== 'any' && r.node !== 'all' && !nodes.includes(r.node))
      at(
        ['rollbacks', j, 'node'],
        `expected a node of the inventory (${nodes.join(', ')}), any or all, found "${r.node}"`,
      )
  })
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
}
