/**
 * The cluster as the chaos observer and preflight need it, parsed from
 * `crm_mon -1 --output-as=xml --fence-history=3` (Pacemaker ≥ 2.0.3). Pure.
 * Kept small on purpose: the observer polls it several times a second, and
 * only nodes, resource locations, quorum and fence history matter here.
 */
import {attrBool, child, childrenNamed, descendants, parseXml, type XmlEl} from '../facts/xml.js'

export interface ClusterNode {
  name: string
  online: boolean
  unclean: boolean
  standby: boolean
  maintenance: boolean
  pending: boolean
  isDc: boolean
  type: string
}

export interface ResourceState {
  id: string
  agent: string
  role: string
  active: boolean
  failed: boolean
  blocked: boolean
  managed: boolean
  /** An action in flight (crm_mon's `pending` attribute, e.g. "Starting"): the role is only the goal then. */
  pending?: string
  nodes: string[]
}

export interface FenceRecord {
  target: string
  action: string
  /** success, pending, failed. */
  status: string
  /** completed= timestamp as printed by crm_mon (node-local clock), when done. */
  completed?: string
  delegate?: string
  origin?: string
  client?: string
}

export interface ClusterState {
  dc?: string
  quorate: boolean
  stonithEnabled: boolean
  maintenanceMode: boolean
  noQuorumPolicy?: string
  nodes: ClusterNode[]
  resources: ResourceState[]
  fences: FenceRecord[]
  failedActions: number
}

export const CRM_MON_ARGV = ['crm_mon', '-1', '--output-as=xml', '--fence-history=3'] as const

function bool(el: XmlEl | undefined, name: string): boolean {
  return attrBool(el, name) ?? false
}

export function parseClusterState(xml: string): ClusterState {
  const root = parseXml(xml, 'crm_mon')
  const summary = child(root, 'summary')
  const dcEl = child(summary, 'current_dc')
  const opts = child(summary, 'cluster_options')
  const stonith = opts?.attrs['stonith-enabled'] ?? opts?.attrs['fencing-enabled']
  const nodes = childrenNamed(child(root, 'nodes'), 'node').map((n): ClusterNode => ({
    name: n.attrs.name ?? '?',
    online: bool(n, 'online'),
    unclean: bool(n, 'unclean'),
    standby: bool(n, 'standby'),
    maintenance: bool(n, 'maintenance'),
    pending: bool(n, 'pending'),
    isDc: bool(n, 'is_dc'),
    type: n.attrs.type ?? 'member',
  }))
  const resources = descendants(child(root, 'resources'), 'resource').map((r): ResourceState => ({
    id: r.attrs.id ?? '?',
    agent: r.attrs.resource_agent ?? '',
    role: r.attrs.role ?? '',
    active: bool(r, 'active'),
    failed: bool(r, 'failed'),
    blocked: bool(r, 'blocked'),
    managed: attrBool(r, 'managed') ?? true,
    ...(r.attrs.pending ? {pending: r.attrs.pending} : {}),
    nodes: childrenNamed(r, 'node').map((n) => n.attrs.name ?? '?'),
  }))
  const fences = childrenNamed(child(root, 'fence_history'), 'fence_event').map((f): FenceRecord => ({
    target: f.attrs.target ?? '?',
    action: f.attrs.action ?? '?',
    status: f.attrs.status ?? '?',
    completed: f.attrs.completed,
    delegate: f.attrs.delegate,
    origin: f.attrs.origin,
    client: f.attrs.client,
  }))
  const dcName =
    dcEl && bool(dcEl, 'present') ? (dcEl.attrs.name ?? nodes.find((n) => n.isDc)?.name) : undefined
  return {
    dc: dcName,
    quorate: bool(dcEl, 'with_quorum'),
    stonithEnabled: (stonith ?? 'false').toLowerCase() === 'true',
    maintenanceMode: bool(opts, 'maintenance-mode'),
    noQuorumPolicy: opts?.attrs['no-quorum-policy'],
    nodes,
    resources,
    fences,
    failedActions: childrenNamed(child(root, 'failures'), 'failure').length,
  }
}

/**
 * Roles of a resource that is up. crm_mon shows a start in flight as role
 * Starting; a `pending` start/stop/migration means not up yet either, but a
 * pending Monitoring (the first monitor right after a start) does not.
 */
const RUNNING_ROLES = new Set(['Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'])
const IN_FLIGHT = /^(Start|Stop|Migrat|Promot|Demot)/

/**
 * Where each resource is: id → node names. `running` counts only finished
 * starts (crm_mon lists a pending start as role Starting, already on its new
 * node); without it, any active instance counts (a Stopping one included).
 */
export function resourceLocations(s: ClusterState, opts: {running?: boolean} = {}): Map<string, string[]> {
  const m = new Map<string, string[]>()
  for (const r of s.resources) {
    if (!r.active) continue
    if (opts.running && (!RUNNING_ROLES.has(r.role) || (r.pending && IN_FLIGHT.test(r.pending)))) continue
    const prev = m.get(r.id) ?? []
    m.set(r.id, [...prev, ...r.nodes])
  }
  return m
}

/** Reasons the cluster is not healthy enough to break on purpose; empty when it is. */
export function healthProblems(s: ClusterState): string[] {
  const out: string[] = []
  if (!s.dc) out.push('no designated controller (DC)')
  if (!s.quorate) out.push('the cluster is not quorate')
  if (!s.stonithEnabled) out.push('fencing is disabled (stonith-enabled=false)')
  if (s.maintenanceMode) out.push('the cluster is in maintenance mode')
  for (const n of s.nodes.filter((x) => x.type === 'member')) {
    if (!n.online) out.push(`node ${n.name} is offline`)
    if (n.unclean) out.push(`node ${n.name} is unclean`)
    if (n.standby) out.push(`node ${n.name} is in standby`)
    if (n.maintenance) out.push(`node ${n.name} is in maintenance`)
    if (n.pending) out.push(`node ${n.name} is pending`)
  }
  for (const r of s.resources) {
    if (r.failed) out.push(`resource ${r.id} has failed`)
    if (r.blocked) out.push(`resource ${r.id} is blocked`)
  }
  const pending = s.fences.filter((f) => f.status === 'pending')
  for (const f of pending) out.push(`a fence action (${f.action}) against ${f.target} is pending`)
  return out
}

/* ------------------------------------------------------------------ */
/* corosync-quorumtool -s and corosync-cmapctl totem keys               */

export interface Votes {
  expected: number
  total: number
  quorum: number
  qdevice: boolean
}

/** `corosync-quorumtool -s` → votes; undefined when the text has none. */
export function parseVotes(text: string): Votes | undefined {
  const num = (label: string): number | undefined => {
    const m = new RegExp(`^${label}:\\s+(\\d+)`, 'm').exec(text)
    return m?.[1] ? Number(m[1]) : undefined
  }
  const expected = num('Expected votes')
  const total = num('Total votes')
  const quorum = num('Quorum')
  if (expected === undefined || quorum === undefined) return undefined
  const flags = /^Flags:\s+(.*)$/m.exec(text)?.[1] ?? ''
  return {
    expected,
    total: total ?? expected,
    quorum,
    qdevice: /\bQdevice\b/.test(flags) || /Qdevice/.test(text),
  }
}

export interface Totem {
  tokenMs?: number
  consensusMs?: number
  tokenCoefficientMs?: number
}

/** `corosync-cmapctl -b runtime.config.totem` (or the whole map) → token timings. */
export function parseTotem(text: string): Totem {
  const val = (key: string): number | undefined => {
    const m = new RegExp(`^${key.replace(/\./g, '\\.')} \\([a-z0-9]+\\) = (\\d+)`, 'm').exec(text)
    return m?.[1] ? Number(m[1]) : undefined
  }
  return {
    tokenMs: val('runtime.config.totem.token') ?? val('totem.token'),
    consensusMs: val('runtime.config.totem.consensus') ?? val('totem.consensus'),
    tokenCoefficientMs: val('totem.token_coefficient') ?? val('runtime.config.totem.token_coefficient'),
  }
}

export interface FenceTiming {
  device?: string
  agent?: string
  delayBaseMs?: number
  /** The pause of a reboot-style fence between off and on (power_wait), when known. */
  actionMs?: number
}

function secondsParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim())
  if (!m) return undefined
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000
}

/**
 * The fence device that covers `node` in `cibadmin --query --scope resources`
 * output, and the timings it adds to any fence: pcmk_delay_base, and
 * power_wait (fence_ipmilan waits 2 s between off and on by default).
 */
export function fenceTimingFromCib(xml: string, node: string): FenceTiming {
  const root = parseXml(xml, 'cibadmin')
  const prims = descendants(root, 'primitive').filter((p) => p.attrs.class === 'stonith')
  for (const p of prims) {
    const params: Record<string, string> = {}
    for (const nv of descendants(p, 'nvpair')) if (nv.attrs.name) params[nv.attrs.name] = nv.attrs.value ?? ''
    const hosts = `${params.pcmk_host_list ?? ''} ${params.pcmk_host_map ?? ''} ${params.plug ?? ''}`
    if (!hosts.split(/[\s,;:]+/).includes(node)) continue
    const agent = p.attrs.type
    const powerWait = secondsParam(params.power_wait)
    return {
      device: p.attrs.id,
      agent,
      delayBaseMs: secondsParam(params.pcmk_delay_base),
      actionMs: powerWait ?? (agent === 'fence_ipmilan' ? 2000 : undefined),
    }
  }
  return {}
}
