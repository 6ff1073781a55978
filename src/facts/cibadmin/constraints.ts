/** Location, colocation and order constraints (with cli-ban/cli-prefer leftovers), and tags. */
import {dict, toBool} from '../util.js'
import {child, childrenNamed, descendants, type XmlEl} from '../xml.js'

export interface CibRule {
  id?: string
  score?: string
  scoreAttribute?: string
  role?: string
  booleanOp?: string
  expressions: {attribute?: string; operation?: string; value?: string; type?: string}[]
}

export interface ResourceSet {
  id?: string
  resources: string[]
  role?: string
  sequential?: boolean
  action?: string
}

export interface LocationConstraint {
  id: string
  rsc?: string
  rscPattern?: string
  node?: string
  score?: string
  role?: string
  rules: CibRule[]
  sets: ResourceSet[]
  /** Leftover of `crm_resource --ban` (cli-ban-*) or `--move` (cli-prefer-*). */
  leftover?: 'ban' | 'prefer'
}

export interface ColocationConstraint {
  id: string
  rsc?: string
  withRsc?: string
  score?: string
  rscRole?: string
  withRscRole?: string
  sets: ResourceSet[]
}

export interface OrderConstraint {
  id: string
  first?: string
  then?: string
  firstAction?: string
  thenAction?: string
  kind?: string
  score?: string
  symmetrical?: boolean
  sets: ResourceSet[]
}

export interface CibConstraints {
  locations: LocationConstraint[]
  colocations: ColocationConstraint[]
  orders: OrderConstraint[]
}

function rulesOf(el: XmlEl): CibRule[] {
  return childrenNamed(el, 'rule').map((r) => ({
    id: r.attrs['id'],
    score: r.attrs['score'],
    scoreAttribute: r.attrs['score-attribute'],
    role: r.attrs['role'],
    booleanOp: r.attrs['boolean-op'],
    expressions: descendants(r, 'expression').map((e) => ({
      attribute: e.attrs['attribute'],
      operation: e.attrs['operation'],
      value: e.attrs['value'],
      type: e.attrs['type'],
    })),
  }))
}

function setsOf(el: XmlEl): ResourceSet[] {
  return childrenNamed(el, 'resource_set').map((s) => ({
    id: s.attrs['id'],
    resources: childrenNamed(s, 'resource_ref').map((r) => r.attrs['id'] ?? ''),
    role: s.attrs['role'],
    sequential: toBool(s.attrs['sequential']),
    action: s.attrs['action'],
  }))
}

export function constraintsOf(config: XmlEl): CibConstraints {
  const cons = child(config, 'constraints')
  const locations: LocationConstraint[] = childrenNamed(cons, 'rsc_location').map((l) => {
    const id = l.attrs['id'] ?? ''
    return {
      id,
      rsc: l.attrs['rsc'],
      rscPattern: l.attrs['rsc-pattern'],
      node: l.attrs['node'],
      score: l.attrs['score'],
      role: l.attrs['role'],
      rules: rulesOf(l),
      sets: setsOf(l),
      leftover: id.startsWith('cli-ban-') ? 'ban' : id.startsWith('cli-prefer-') ? 'prefer' : undefined,
    }
  })
  const colocations: ColocationConstraint[] = childrenNamed(cons, 'rsc_colocation').map((c) => ({
    id: c.attrs['id'] ?? '',
    rsc: c.attrs['rsc'],
    withRsc: c.attrs['with-rsc'],
    score: c.attrs['score'],
    rscRole: c.attrs['rsc-role'],
    withRscRole: c.attrs['with-rsc-role'],
    sets: setsOf(c),
  }))
  const orders: OrderConstraint[] = childrenNamed(cons, 'rsc_order').map((o) => ({
    id: o.attrs['id'] ?? '',
    first: o.attrs['first'],
    then: o.attrs['then'],
    firstAction: o.attrs['first-action'],
    thenAction: o.attrs['then-action'],
    kind: o.attrs['kind'],
    score: o.attrs['score'],
    symmetrical: toBool(o.attrs['symmetrical']),
    sets: setsOf(o),
  }))

  return {locations, colocations, orders}
}

/** Tag id → the ids it refers to. */
export function tagsOf(config: XmlEl): Record<string, string[]> {
  const tags = dict<string[]>()
  for (const t of childrenNamed(child(config, 'tags'), 'tag')) {
    tags[t.attrs['id'] ?? ''] = childrenNamed(t, 'obj_ref').map((r) => r.attrs['id'] ?? '')
  }
  return tags
}
