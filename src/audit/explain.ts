/** What `hacheck checks explain ID` says about a check, as data (for the command and the HTML report). Pure. */
import type {AnyCheck} from '../checks/define.js'
import {commandOf} from '../facts/gatherer.js'
import {gatherersOf, rolesOf} from './engine.js'

export interface CheckExplanation {
  id: string
  title: string
  area: string
  severity: string
  scope: 'node' | 'cluster'
  roles: string[]
  rationale: string
  gathers: {id: string; description: string; command: string; where: 'node' | 'controller'}[]
  params: Record<string, unknown>
  remediation: string
  references: string[]
}

export function explainCheck(c: AnyCheck): CheckExplanation {
  return {
    id: c.id,
    title: c.title,
    area: c.area,
    severity: c.severity,
    scope: c.scope,
    roles: rolesOf(c),
    rationale: c.rationale,
    gathers: gatherersOf(c).map((g) => ({
      id: g.id,
      description: g.description,
      command: g.script,
      where: g.controller ? ('controller' as const) : ('node' as const),
    })),
    params: c.params,
    remediation: c.remediation,
    references: c.references ?? [],
  }
}

/** Explanations of the checks among `ids` that the catalogue knows, by id. */
export function explanationsFor(
  ids: Iterable<string>,
  checks: ReadonlyMap<string, AnyCheck>,
): Record<string, CheckExplanation & {shownCommands: string[]}> {
  const out: Record<string, CheckExplanation & {shownCommands: string[]}> = {}
  for (const id of ids) {
    const c = checks.get(id)
    if (c) out[id] = {...explainCheck(c), shownCommands: gatherersOf(c).map((g) => commandOf(g))}
  }
  return out
}
