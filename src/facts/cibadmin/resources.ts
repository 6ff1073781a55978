/** The resources section, flattened: every primitive with its parents, and every container. */
import {durationMs, toBool} from '../util.js'
import {child, descendants, type XmlEl} from '../xml.js'
import type {NvReader} from './secrets.js'

export interface CibOp {
  id?: string
  name: string
  interval?: string
  intervalMs?: number
  timeout?: string
  timeoutMs?: number
  role?: string
  onFail?: string
}

export interface CibPrimitive {
  id: string
  class?: string
  provider?: string
  type?: string
  /** "class:provider:type" or "class:type". */
  agent?: string
  template?: string
  params: Record<string, string>
  meta: Record<string, string>
  utilization: Record<string, string>
  operations: CibOp[]
  /** Ancestor ids, outermost first. */
  parents: string[]
  group?: string
  clone?: string
  bundle?: string
  /** In a promotable clone (clone meta promotable=true, or a legacy <master>). */
  promotable: boolean
  /** target-role Stopped on it or on an ancestor. */
  disabled: boolean
  isStonith: boolean
}

export interface CibContainer {
  id: string
  kind: 'group' | 'clone' | 'master' | 'bundle'
  parents: string[]
  promotable: boolean
  meta: Record<string, string>
  /** Direct child resource ids. */
  children: string[]
}

function agentOf(el: XmlEl): {agent?: string; class?: string; provider?: string; type?: string} {
  const cls = el.attrs['class']
  const provider = el.attrs['provider']
  const type = el.attrs['type']
  if (!cls || !type) return {class: cls, provider, type}
  return {agent: provider ? `${cls}:${provider}:${type}` : `${cls}:${type}`, class: cls, provider, type}
}

function opsOf(el: XmlEl): CibOp[] {
  return descendants(child(el, 'operations'), 'op').map((o) => ({
    id: o.attrs['id'],
    name: o.attrs['name'] ?? '',
    interval: o.attrs['interval'],
    intervalMs: durationMs(o.attrs['interval']),
    timeout: o.attrs['timeout'],
    timeoutMs: durationMs(o.attrs['timeout']),
    role: o.attrs['role'],
    onFail: o.attrs['on-fail'],
  }))
}

const CONTAINERS = new Set(['group', 'clone', 'master', 'bundle'])

function walkResources(
  nv: NvReader,
  el: XmlEl | undefined,
  ancestors: {el: XmlEl; meta: Record<string, string>; promotable: boolean}[],
  primitives: CibPrimitive[],
  containers: CibContainer[],
): void {
  for (const c of el?.children ?? []) {
    if (c.name === 'primitive') {
      const meta = nv.sets(c, 'meta_attributes')
      const chainRoles = [meta, ...ancestors.map((a) => a.meta)]
      const nearest = (kind: string) =>
        [...ancestors]
          .reverse()
          .find((a) => a.el.name === kind || (kind === 'clone' && a.el.name === 'master'))?.el.attrs['id']
      const a = agentOf(c)
      primitives.push({
        id: c.attrs['id'] ?? '',
        ...a,
        template: c.attrs['template'],
        params: nv.sets(c, 'instance_attributes'),
        meta,
        utilization: nv.sets(c, 'utilization'),
        operations: opsOf(c),
        parents: ancestors.map((x) => x.el.attrs['id'] ?? ''),
        group: nearest('group'),
        clone: nearest('clone'),
        bundle: nearest('bundle'),
        promotable: ancestors.some((x) => x.promotable),
        disabled: chainRoles.some((m) => m['target-role']?.toLowerCase() === 'stopped'),
        isStonith: a.class === 'stonith',
      })
    } else if (CONTAINERS.has(c.name)) {
      const meta = nv.sets(c, 'meta_attributes')
      const promotable = c.name === 'master' || (c.name === 'clone' && toBool(meta['promotable']) === true)
      containers.push({
        id: c.attrs['id'] ?? '',
        kind: c.name as CibContainer['kind'],
        parents: ancestors.map((x) => x.el.attrs['id'] ?? ''),
        promotable,
        meta,
        children: c.children
          .filter((x) => x.name === 'primitive' || CONTAINERS.has(x.name))
          .map((x) => x.attrs['id'] ?? ''),
      })
      walkResources(nv, c, [...ancestors, {el: c, meta, promotable}], primitives, containers)
    }
  }
}

export function resourcesOf(
  nv: NvReader,
  resources: XmlEl | undefined,
): {primitives: CibPrimitive[]; containers: CibContainer[]} {
  const primitives: CibPrimitive[] = []
  const containers: CibContainer[] = []
  walkResources(nv, resources, [], primitives, containers)
  return {primitives, containers}
}
