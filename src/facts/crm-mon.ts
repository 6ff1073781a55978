/**
 * crm-mon: Pacemaker's view of the cluster right now, from
 * `crm_mon -1 --inactive --output-as=xml` (Pacemaker ≥ 2.0.3) or, where that
 * option is unknown, `crm_mon -1 --inactive --as-xml` (Pacemaker 1.1).
 *
 * Both XML formats are read: the old `<crm_mon version="…">` document and the
 * newer `<pacemaker-result api-version="…">`. Differences handled: agent
 * strings "ocf::heartbeat:IPaddr2" (old) vs "ocf:heartbeat:IPaddr2"; current_dc
 * without name/id (2.0.x); cluster_options with stonith-enabled only, with
 * fencing-enabled only or with both (3.x); resources listed inside <node>
 * elements with no <resources> section (group-by-node output); roles
 * Master/Slave vs Promoted/Unpromoted (kept as printed).
 *
 * Resources are flattened: one entry per primitive instance (a clone of 3
 * gives 3 entries) with its parent chain (group/clone/bundle ids).
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {dict} from './util.js'
import {attrBool, attrInt, child, childrenNamed, descendants, parseXml, type XmlEl} from './xml.js'

export interface CrmMonSummary {
  stack?: string
  dc?: {present: boolean; name?: string; id?: string; version?: string}
  /** current_dc with_quorum; undefined when there is no DC. */
  quorate?: boolean
  nodesConfigured?: number
  /** Old format only ("unknown" on some 1.1 builds). */
  expectedVotes?: string
  resourcesConfigured?: number
  resourcesDisabled?: number
  resourcesBlocked?: number
  lastUpdate?: string
  lastChange?: string
  options: {
    /** fencing-enabled (Pacemaker 3) or stonith-enabled; true when either says true. */
    stonithEnabled?: boolean
    symmetricCluster?: boolean
    noQuorumPolicy?: string
    maintenanceMode?: boolean
    stopAllResources?: boolean
    stonithTimeoutMs?: number
    priorityFencingDelayMs?: number
    raw: Record<string, string>
  }
}

export interface CrmMonNode {
  name: string
  id?: string
  online?: boolean
  standby?: boolean
  standbyOnFail?: boolean
  maintenance?: boolean
  pending?: boolean
  unclean?: boolean
  shutdown?: boolean
  expectedUp?: boolean
  isDc?: boolean
  resourcesRunning?: number
  /** 'member' | 'remote' | 'ping' … */
  type?: string
  health?: string
  /** For guest/bundle nodes: the resource that runs them. */
  idAsResource?: string
}

export interface CrmMonResource {
  id: string
  /** Normalised "class:provider:type" or "class:type". */
  agent?: string
  class?: string
  provider?: string
  type?: string
  isStonith: boolean
  role?: string
  targetRole?: string
  active?: boolean
  orphaned?: boolean
  blocked?: boolean
  managed?: boolean
  failed?: boolean
  failureIgnored?: boolean
  maintenance?: boolean
  pending?: string
  nodesRunningOn?: number
  /** Names of the nodes it is active on. */
  nodes: string[]
  /** Ancestor ids, outermost first (e.g. ['mysql-clone-group', 'mysql-group:0']). */
  parents: string[]
  group?: string
  clone?: string
  bundle?: string
}

export interface CrmMonContainer {
  id: string
  kind: 'group' | 'clone' | 'bundle'
  parents: string[]
  /** Clones: multi_state (promotable). */
  promotable?: boolean
  unique?: boolean
  managed?: boolean
  disabled?: boolean
  failed?: boolean
  maintenance?: boolean
  targetRole?: string
}

export interface CrmMonOperation {
  call?: number
  task: string
  rc?: number
  rcText?: string
  intervalMs?: number
  lastRcChange?: string
  execTimeMs?: number
}

export interface CrmMonHistory {
  node: string
  resource: string
  failCount?: number
  migrationThreshold?: number
  lastFailure?: string
  orphan?: boolean
  operations: CrmMonOperation[]
}

export interface CrmMonFailure {
  opKey?: string
  node?: string
  task?: string
  exitStatus?: string
  exitReason?: string
  exitCode?: number
  call?: number
  status?: string
  intervalMs?: number
  lastRcChange?: string
}

export interface FenceEvent {
  action?: string
  target?: string
  client?: string
  origin?: string
  /** 'success' | 'failed' | 'pending' (from `status`, or `state` in old crm_mon). */
  status?: string
  delegate?: string
  completed?: string
  exitReason?: string
}

export interface CrmMonBan {
  id: string
  resource?: string
  node?: string
  weight?: number
  promotedOnly?: boolean
}

export interface CrmMon {
  format: 'crm_mon' | 'pacemaker-result'
  /** crm_mon version (old) or api-version (new). */
  version?: string
  summary: CrmMonSummary
  nodes: CrmMonNode[]
  resources: CrmMonResource[]
  containers: CrmMonContainer[]
  nodeAttributes: Record<string, Record<string, string>>
  history: CrmMonHistory[]
  failures: CrmMonFailure[]
  /** Undefined when the output has no fence_history section (not requested or old Pacemaker). */
  fenceHistory?: FenceEvent[]
  bans: CrmMonBan[]
  tickets: {id: string; status?: string; standby?: boolean}[]
  /** pacemaker-result status element. */
  status?: {code?: number; message?: string}
}

/** Splits "ocf::heartbeat:IPaddr2", "ocf:heartbeat:IPaddr2", "stonith:external/sbd", "lsb:haproxy". */
export function splitAgent(agent: string): {agent: string; class: string; provider?: string; type: string} {
  const parts = agent.split(':').filter((p) => p !== '')
  const cls = parts[0] ?? ''
  if (cls === 'ocf' && parts.length >= 3) {
    const provider = parts[1] ?? ''
    const type = parts.slice(2).join(':')
    return {agent: `ocf:${provider}:${type}`, class: cls, provider, type}
  }
  const type = parts.slice(1).join(':')
  return {agent: `${cls}:${type}`, class: cls, type}
}

function ms(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+)(ms)?$/.exec(v.trim())
  return m ? Number(m[1]) : undefined
}

function summaryOf(el: XmlEl | undefined): CrmMonSummary {
  const dcEl = child(el, 'current_dc')
  const opts = child(el, 'cluster_options')
  const raw = dict<string>()
  for (const [k, v] of Object.entries(opts?.attrs ?? {})) raw[k] = v
  const fencing = attrBool(opts, 'fencing-enabled')
  const stonith = attrBool(opts, 'stonith-enabled')
  const nodesConf = child(el, 'nodes_configured')
  const rscConf = child(el, 'resources_configured')
  const dcPresent = attrBool(dcEl, 'present')
  return {
    stack: child(el, 'stack')?.attrs['type'],
    dc: dcEl
      ? {
          present: dcPresent ?? false,
          name: dcEl.attrs['name'],
          id: dcEl.attrs['id'],
          version: dcEl.attrs['version'] || undefined,
        }
      : undefined,
    quorate: dcPresent ? attrBool(dcEl, 'with_quorum') : undefined,
    nodesConfigured: attrInt(nodesConf, 'number'),
    expectedVotes: nodesConf?.attrs['expected_votes'],
    resourcesConfigured: attrInt(rscConf, 'number'),
    resourcesDisabled: attrInt(rscConf, 'disabled'),
    resourcesBlocked: attrInt(rscConf, 'blocked'),
    lastUpdate: child(el, 'last_update')?.attrs['time'] || undefined,
    lastChange: child(el, 'last_change')?.attrs['time'] || undefined,
    options: {
      stonithEnabled:
        fencing === undefined && stonith === undefined ? undefined : fencing === true || stonith === true,
      symmetricCluster: attrBool(opts, 'symmetric-cluster'),
      noQuorumPolicy: opts?.attrs['no-quorum-policy'],
      maintenanceMode: attrBool(opts, 'maintenance-mode'),
      stopAllResources: attrBool(opts, 'stop-all-resources'),
      stonithTimeoutMs: ms(opts?.attrs['fencing-timeout-ms'] ?? opts?.attrs['stonith-timeout-ms']),
      priorityFencingDelayMs: ms(opts?.attrs['priority-fencing-delay-ms']),
      raw,
    },
  }
}

function nodeOf(el: XmlEl): CrmMonNode {
  return {
    name: el.attrs['name'] ?? '',
    id: el.attrs['id'],
    online: attrBool(el, 'online'),
    standby: attrBool(el, 'standby'),
    standbyOnFail: attrBool(el, 'standby_onfail'),
    maintenance: attrBool(el, 'maintenance'),
    pending: attrBool(el, 'pending'),
    unclean: attrBool(el, 'unclean'),
    shutdown: attrBool(el, 'shutdown'),
    expectedUp: attrBool(el, 'expected_up'),
    isDc: attrBool(el, 'is_dc'),
    resourcesRunning: attrInt(el, 'resources_running'),
    type: el.attrs['type'],
    health: el.attrs['health'],
    idAsResource: el.attrs['id_as_resource'],
  }
}

function resourceOf(el: XmlEl, parents: XmlEl[], onNode?: string): CrmMonResource {
  const agentText = el.attrs['resource_agent']
  const a = agentText ? splitAgent(agentText) : undefined
  const nearest = (kind: string) => [...parents].reverse().find((p) => p.name === kind)?.attrs['id']
  const nodes = childrenNamed(el, 'node')
    .map((n) => n.attrs['name'] ?? '')
    .filter((n) => n !== '')
  return {
    id: el.attrs['id'] ?? '',
    agent: a?.agent,
    class: a?.class,
    provider: a?.provider,
    type: a?.type,
    isStonith: a?.class === 'stonith',
    role: el.attrs['role'],
    targetRole: el.attrs['target_role'],
    active: attrBool(el, 'active'),
    orphaned: attrBool(el, 'orphaned') ?? attrBool(el, 'removed'),
    blocked: attrBool(el, 'blocked'),
    managed: attrBool(el, 'managed'),
    failed: attrBool(el, 'failed'),
    failureIgnored: attrBool(el, 'failure_ignored'),
    maintenance: attrBool(el, 'maintenance'),
    pending: el.attrs['pending'],
    nodesRunningOn: attrInt(el, 'nodes_running_on'),
    nodes: onNode !== undefined && nodes.length === 0 ? [onNode] : nodes,
    parents: parents.filter((p) => p.name !== 'replica').map((p) => p.attrs['id'] ?? ''),
    group: nearest('group'),
    clone: nearest('clone'),
    bundle: nearest('bundle'),
  }
}

function walkResources(
  el: XmlEl,
  parents: XmlEl[],
  resources: CrmMonResource[],
  containers: CrmMonContainer[],
  onNode?: string,
): void {
  for (const c of el.children) {
    if (c.name === 'resource') {
      resources.push(resourceOf(c, parents, onNode))
    } else if (c.name === 'group' || c.name === 'clone' || c.name === 'bundle') {
      containers.push({
        id: c.attrs['id'] ?? '',
        kind: c.name,
        parents: parents.filter((p) => p.name !== 'replica').map((p) => p.attrs['id'] ?? ''),
        promotable: c.name === 'clone' ? attrBool(c, 'multi_state') : undefined,
        unique: attrBool(c, 'unique'),
        managed: attrBool(c, 'managed'),
        disabled: attrBool(c, 'disabled'),
        failed: attrBool(c, 'failed'),
        maintenance: attrBool(c, 'maintenance'),
        targetRole: c.attrs['target_role'],
      })
      walkResources(c, [...parents, c], resources, containers, onNode)
    } else if (c.name === 'replica') {
      walkResources(c, [...parents, c], resources, containers, onNode)
    }
  }
}

function historyOf(el: XmlEl | undefined): CrmMonHistory[] {
  const out: CrmMonHistory[] = []
  for (const n of childrenNamed(el, 'node')) {
    for (const r of childrenNamed(n, 'resource_history')) {
      out.push({
        node: n.attrs['name'] ?? '',
        resource: r.attrs['id'] ?? '',
        failCount: attrInt(r, 'fail-count'),
        migrationThreshold: attrInt(r, 'migration-threshold'),
        lastFailure: r.attrs['last-failure'],
        orphan: attrBool(r, 'orphan') ?? attrBool(r, 'removed'),
        operations: childrenNamed(r, 'operation_history').map((o) => ({
          call: attrInt(o, 'call'),
          task: o.attrs['task'] ?? '',
          rc: attrInt(o, 'rc'),
          rcText: o.attrs['rc_text'],
          intervalMs: ms(o.attrs['interval']),
          lastRcChange: o.attrs['last-rc-change'],
          execTimeMs: ms(o.attrs['exec-time']),
        })),
      })
    }
  }
  return out
}

/** Parses crm_mon XML (old --as-xml or new --output-as=xml). */
export function parseCrmMon(text: string): CrmMon {
  const root = parseXml(text, 'crm_mon')
  if (root.name !== 'crm_mon' && root.name !== 'pacemaker-result') {
    throw new ParseError(`crm_mon: unexpected root element <${root.name}>`)
  }
  const summaryEl = child(root, 'summary')
  if (!summaryEl) {
    const st = child(root, 'status')
    const msg = st ? `${st.attrs['message'] ?? ''} (code ${st.attrs['code'] ?? '?'})` : 'no <summary>'
    throw new ParseError(`crm_mon: no cluster summary in output: ${msg}`)
  }
  const nodesEl = child(root, 'nodes')
  const resources: CrmMonResource[] = []
  const containers: CrmMonContainer[] = []
  const resourcesEl = child(root, 'resources')
  if (resourcesEl) {
    walkResources(resourcesEl, [], resources, containers)
  } else {
    // Group-by-node output: resources only appear under each node.
    for (const n of childrenNamed(nodesEl, 'node'))
      walkResources(n, [], resources, containers, n.attrs['name'])
  }
  const nodeAttributes = dict<Record<string, string>>()
  for (const n of childrenNamed(child(root, 'node_attributes'), 'node')) {
    const attrs = dict<string>()
    for (const a of childrenNamed(n, 'attribute')) attrs[a.attrs['name'] ?? ''] = a.attrs['value'] ?? ''
    nodeAttributes[n.attrs['name'] ?? ''] = attrs
  }
  const fenceEl = child(root, 'fence_history')
  const statusEl = child(root, 'status')
  return {
    format: root.name === 'crm_mon' ? 'crm_mon' : 'pacemaker-result',
    version: root.attrs['version'] ?? root.attrs['api-version'],
    summary: summaryOf(summaryEl),
    nodes: childrenNamed(nodesEl, 'node').map(nodeOf),
    resources,
    containers,
    nodeAttributes,
    history: historyOf(child(root, 'node_history')),
    failures: childrenNamed(child(root, 'failures'), 'failure').map((f) => ({
      opKey: f.attrs['op_key'],
      node: f.attrs['node'],
      task: f.attrs['task'],
      exitStatus: f.attrs['exitstatus'],
      exitReason: f.attrs['exitreason'],
      exitCode: attrInt(f, 'exitcode'),
      call: attrInt(f, 'call'),
      status: f.attrs['status'],
      intervalMs: ms(f.attrs['interval']),
      lastRcChange: f.attrs['last-rc-change'],
    })),
    fenceHistory: fenceEl ? fenceEventsOf(fenceEl) : undefined,
    bans: childrenNamed(child(root, 'bans'), 'ban').map((b) => ({
      id: b.attrs['id'] ?? '',
      resource: b.attrs['resource'],
      node: b.attrs['node'],
      weight: attrInt(b, 'weight'),
      promotedOnly: attrBool(b, 'promoted-only') ?? attrBool(b, 'master_only'),
    })),
    tickets: childrenNamed(child(root, 'tickets'), 'ticket').map((t) => ({
      id: t.attrs['id'] ?? '',
      status: t.attrs['status'],
      standby: attrBool(t, 'standby'),
    })),
    status: statusEl ? {code: attrInt(statusEl, 'code'), message: statusEl.attrs['message']} : undefined,
  }
}

/** fence_event elements under an element (crm_mon fence_history, stonith_admin --history). */
export function fenceEventsOf(el: XmlEl): FenceEvent[] {
  return descendants(el, 'fence_event').map((e) => ({
    action: e.attrs['action'],
    target: e.attrs['target'],
    client: e.attrs['client'],
    origin: e.attrs['origin'],
    status: e.attrs['status'] ?? e.attrs['state'],
    delegate: e.attrs['delegate'],
    completed: e.attrs['completed'],
    exitReason: e.attrs['exit-reason'],
  }))
}

/**
 * crm_mon as the chaos observer polls it (several times a second, Pacemaker ≥ 2.0.3): with the whole fence
 * history, whose pending/success/failed records mark the fencing phases. Read by parseCrmMon.
 */
export const CRM_MON_WATCH_ARGV = ['crm_mon', '-1', '--output-as=xml', '--fence-history=3'] as const

export const crmMon = defineGatherer<CrmMon>({
  id: 'crm-mon',
  description: "Pacemaker's current cluster status as XML (crm_mon -1 --inactive)",
  command: 'crm_mon -1 --inactive --output-as=xml',
  script:
    'if crm_mon --help-all 2>/dev/null | grep -q -- --output-as; then crm_mon -1 --inactive --output-as=xml; else crm_mon -1 --inactive --as-xml; fi',
  requires: ['crm_mon'],
  parse: (out) => parseCrmMon(out.stdout),
})
