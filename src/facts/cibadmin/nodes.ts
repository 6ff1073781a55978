/** Nodes: as configured (attributes, utilization, standby) and as the status section sees them. */
import {toBool} from '../util.js'
import {attrInt, child, childrenNamed, descendants, type XmlEl} from '../xml.js'
import type {NvReader} from './secrets.js'

export interface CibNode {
  id: string
  uname?: string
  type?: string
  attributes: Record<string, string>
  utilization: Record<string, string>
  /** instance attribute standby on/true. */
  standby?: boolean
}

export interface NodeFailCount {
  resource: string
  operation?: string
  intervalMs?: number
  /** INFINITY is 1000000, as Pacemaker counts it. */
  count: number
}

export interface FailedOp {
  node?: string
  resource: string
  operation?: string
  intervalMs?: number
  rc?: number
  expectedRc?: number
  opStatus?: number
  exitReason?: string
  lastRcChange?: number
  /** rc differs from the expected rc of its transition, or the op did not complete (op-status ≠ 0). */
  unexpected: boolean
}

export interface CibNodeState {
  id: string
  uname?: string
  /** in_ccm: "true"/"false" or, since Pacemaker 2.1.7, a timestamp (= true). */
  inCcm?: boolean
  /** crmd "online"/"offline" or a timestamp (= online). */
  crmdOnline?: boolean
  join?: string
  expected?: string
  transientAttributes: Record<string, string>
  failCounts: NodeFailCount[]
}

const INFINITY = 1_000_000

function memberFlag(v: string | undefined, on: string): boolean | undefined {
  if (v === undefined) return undefined
  if (v === on || v === 'true') return true
  if (v === 'false' || v === 'offline' || v === '0') return false
  if (/^\d+$/.test(v)) return true
  return undefined
}

function failCountsOf(attrs: Record<string, string>): NodeFailCount[] {
  const out: NodeFailCount[] = []
  for (const [name, value] of Object.entries(attrs)) {
    const m = /^fail-count-(.+?)(?:#([^_]+)_(\d+))?$/.exec(name)
    if (!m) continue
    const count = /^\+?INFINITY$/i.test(value) ? INFINITY : Number(value)
    if (!Number.isFinite(count)) continue
    out.push({
      resource: m[1] ?? '',
      operation: m[2],
      intervalMs: m[3] === undefined ? undefined : Number(m[3]),
      count,
    })
  }
  return out
}

function failedOpsOf(status: XmlEl | undefined): FailedOp[] {
  const out: FailedOp[] = []
  for (const ns of childrenNamed(status, 'node_state')) {
    for (const r of descendants(ns, 'lrm_resource')) {
      for (const op of childrenNamed(r, 'lrm_rsc_op')) {
        if (!/_last_failure_\d+$/.test(op.attrs['id'] ?? '')) continue
        const key = op.attrs['transition-key']?.split(':')
        const rc = attrInt(op, 'rc-code')
        const expectedRc = key && key.length >= 3 ? Number(key[2]) : undefined
        const opStatus = attrInt(op, 'op-status')
        out.push({
          node: ns.attrs['uname'] ?? op.attrs['on_node'],
          resource: r.attrs['id'] ?? '',
          operation: op.attrs['operation'],
          intervalMs: attrInt(op, 'interval'),
          rc,
          expectedRc,
          opStatus,
          exitReason: op.attrs['exit-reason'] || undefined,
          lastRcChange: attrInt(op, 'last-rc-change'),
          unexpected:
            (expectedRc !== undefined && rc !== expectedRc) || (opStatus !== undefined && opStatus !== 0),
        })
      }
    }
  }
  return out
}

export function nodesOf(nv: NvReader, config: XmlEl): CibNode[] {
  return childrenNamed(child(config, 'nodes'), 'node').map((n) => {
    const attributes = nv.sets(n, 'instance_attributes')
    return {
      id: n.attrs['id'] ?? '',
      uname: n.attrs['uname'],
      type: n.attrs['type'],
      attributes,
      utilization: nv.sets(n, 'utilization'),
      standby: toBool(attributes['standby']),
    }
  })
}

/** The status section: membership and fail counts per node, and failed operations. */
export function statusOf(
  nv: NvReader,
  statusEl: XmlEl | undefined,
): {nodes: CibNodeState[]; failedOps: FailedOp[]} {
  const nodes: CibNodeState[] = childrenNamed(statusEl, 'node_state').map((ns) => {
    const transientAttributes = nv.sets(child(ns, 'transient_attributes'), 'instance_attributes')
    return {
      id: ns.attrs['id'] ?? '',
      uname: ns.attrs['uname'],
      inCcm: memberFlag(ns.attrs['in_ccm'], 'true'),
      crmdOnline: memberFlag(ns.attrs['crmd'], 'online'),
      join: ns.attrs['join'],
      expected: ns.attrs['expected'],
      transientAttributes,
      failCounts: failCountsOf(transientAttributes),
    }
  })
  return {nodes, failedOps: failedOpsOf(statusEl)}
}
