/**
 * A game day against the inventory it will run on, before anything connects: every node it names (step
 * targets, options of type node, partition groups, rollbacks) and every network (link-pull's and netem's
 * network) must be in the inventory. Each problem is placed at its line and column in the game-day file, so
 * a typo is an input error naming FILE:LINE:COL and the field, not a refusal half-way through a game day
 * written as if it came from a flag ("--node n9: no such node"). Roles (@service, @dc, @replica) are
 * resolved against the cluster at run time and are not checked here. An experiment step is checked by the
 * same pure choice `hacheck chaos data` makes (its system's nodes, with.node, the database).
 */
import {isCidr} from '../../core/address.js'
import type {Inventory} from '../../core/types.js'
import {formatPath} from '../../inventory/messages.js'
import type {PathSegment, Problem} from '../../inventory/source.js'
import {faultById} from '../faults/index.js'
import {parseGroups} from '../faults/partition.js'
import {chooseData, dataArgsOf} from '../run/data-plan.js'
import type {ExperimentStep, GameDay} from './file.js'

const isRole = (name: string): boolean => name.startsWith('@')

/**
 * An experiment step against the inventory, by the same pure choice `hacheck chaos data` makes before it
 * connects: the system's nodes (role galera or patroni), with.node one of them, a database and a user.
 */
function experimentProblems(
  s: ExperimentStep,
  inv: Inventory,
  at: (path: PathSegment[], message: string) => void,
): void {
  try {
    chooseData({...dataArgsOf(s.experiment, s.with), env: {}}, inv, {
      patroniLeader: '(leader)',
      etcdLeader: '(leader)',
    })
  } catch (err) {
    const code = (err as {code?: string}).code
    const message = (err instanceof Error ? err.message : String(err))
      .replace(/^--node /, '')
      .replace(/pass --database and --db-user/, 'give with.database and with.dbUser')
    at(
      code === 'unknown-node' ? ['with', 'node'] : code === 'missing-database' ? ['with'] : ['experiment'],
      message,
    )
  }
}

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
    if (s.kind === 'experiment') {
      experimentProblems(s, inv, (path, message) => at(['steps', i, ...path], message))
      return
    }
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
