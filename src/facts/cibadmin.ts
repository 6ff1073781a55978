/**
 * cibadmin: the Pacemaker configuration and status (CIB) from `cibadmin -Q`.
 *
 * What the checks read: cluster properties (fencing on/off under both names:
 * `fencing-enabled` since Pacemaker 3, `stonith-enabled` before; stonith
 * timeout; no-quorum-policy; maintenance mode …), resources flattened with
 * their parents, fence devices with the hosts they cover and their BMC
 * address/user, fencing topology, constraints (including cli-ban/cli-prefer
 * leftovers of `crm_resource --move/--ban`), node utilization and the status
 * section (membership, fail counts, failed operations).
 *
 * Secrets: the snippet scrubs on the node, before anything leaves it, the
 * value of every <nvpair> whose name looks secret (pass, secret, key, token,
 * community, credential); the parser scrubs again (defence in depth) and
 * scrubCib() does the same on any CIB text kept as a capture. What remains is
 * the fact that a password is set (`hasPassword`), never its value.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {dict, durationMs, toBool} from './util.js'
import {attrInt, child, childrenNamed, descendants, parseXml, type XmlEl} from './xml.js'

export const SECRET_NAME = /pass|secret|key|token|community|credential/i
export const SCRUBBED = '***scrubbed***'

/** True for nvpair names whose value must never be kept (passwd, password, api_key, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/**
 * Replaces the value of every secret-looking <nvpair> in CIB XML text with
 * SCRUBBED, leaving every other byte as it was.
 */
export function scrubCib(xml: string): string {
  return xml.replace(/<nvpair\b[^>]*>/g, (tag) => {
    const name = /\sname\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag)
    const n = name ? (name[1] ?? name[2] ?? '') : ''
    if (!isSecretName(n)) return tag
    return tag.replace(/(\svalue\s*=\s*)(?:"[^"]*"|'[^']*')/, `$1"${SCRUBBED}"`)
  })
}

export interface CibNvSet {
  id?: string
  /** Set-level score/rule presence: rules are not evaluated, the set is merged as if it applied. */
  hasRule: boolean
  values: Record<string, string>
}

export interface ClusterOptions {
  /** Effective: fencing-enabled, else stonith-enabled, else the Pacemaker default true. */
  stonithEnabled: boolean
  stonithEnabledSource: 'fencing-enabled' | 'stonith-enabled' | 'default'
  /** As written (fencing-timeout or stonith-timeout) and in ms; undefined when unset (default 60s). */
  stonithTimeout?: string
  stonithTimeoutMs?: number
  stonithWatchdogTimeout?: string
  noQuorumPolicy?: string
  maintenanceMode?: boolean
  stopAllResources?: boolean
  symmetricCluster?: boolean
  startupFencing?: boolean
  dcDeadtime?: string
  dcDeadtimeMs?: number
  priorityFencingDelay?: string
  placementStrategy?: string
  clusterName?: string
  dcVersion?: string
  clusterInfrastructure?: string
  haveWatchdog?: boolean
}

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

export interface StonithDevice {
  id: string
  agent?: string
  type?: string
  /** pcmk_host_list split on blanks, commas and semicolons. */
  hostList?: string[]
  /** pcmk_host_map as node → port(s). */
  hostMap?: Record<string, string>
  hostCheck?: string
  hostArgument?: string
  /** Agent-specific target parameters (hostlist, hostname, plug, port, nodename). */
  agentTargets?: string[]
  /** Union of the host list, host map keys and agent targets; undefined when none is set (dynamic discovery). */
  targets?: string[]
  /** BMC / API address: ip, ipaddr or hostname-like address parameter. */
  address?: string
  username?: string
  hasPassword: boolean
  delayMax?: string
  delayBase?: string
  /** Params with secrets scrubbed. */
  params: Record<string, string>
  meta: Record<string, string>
  parents: string[]
  disabled: boolean
}

export interface FencingLevel {
  id?: string
  index?: number
  devices: string[]
  target?: string
  targetPattern?: string
  targetAttribute?: string
  targetValue?: string
}

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

export interface Cib {
  attrs: {
    validateWith?: string
    crmFeatureSet?: string
    epoch?: number
    numUpdates?: number
    adminEpoch?: number
    haveQuorum?: boolean
    dcUuid?: string
    cibLastWritten?: string
  }
  /** crm_config, first set wins (Pacemaker orders sets by score, the bootstrap set first). */
  properties: Record<string, string>
  propertySets: CibNvSet[]
  cluster: ClusterOptions
  rscDefaults: Record<string, string>
  opDefaults: Record<string, string>
  nodes: CibNode[]
  primitives: CibPrimitive[]
  containers: CibContainer[]
  stonithDevices: StonithDevice[]
  fencingLevels: FencingLevel[]
  constraints: {
    locations: LocationConstraint[]
    colocations: ColocationConstraint[]
    orders: OrderConstraint[]
  }
  tags: Record<string, string[]>
  status: {nodes: CibNodeState[]; failedOps: FailedOp[]}
  /** Names of nvpairs whose values were scrubbed. */
  scrubbed: string[]
}

const INFINITY = 1_000_000

class Ctx {
  scrubbed = new Set<string>()

  nvpairs(
    set: XmlEl | undefined,
    into: Record<string, string> = dict<string>(),
    firstWins = false,
  ): Record<string, string> {
    for (const nv of childrenNamed(set, 'nvpair')) {
      const name = nv.attrs['name']
      if (name === undefined) continue
      if (firstWins && name in into) continue
      let value = nv.attrs['value'] ?? ''
      if (isSecretName(name)) {
        if (value !== '') this.scrubbed.add(name)
        value = value === '' ? '' : SCRUBBED
      }
      into[name] = value
    }
    return into
  }

  /** Merges every set named `setName` under `el` (first value wins across sets). */
  sets(el: XmlEl | undefined, setName: string): Record<string, string> {
    const into = dict<string>()
    for (const s of childrenNamed(el, setName)) this.nvpairs(s, into, true)
    return into
  }
}

function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined
  const items = v.split(/[\s,;]+/).filter((x) => x !== '')
  return items
}

/** pcmk_host_map "node1:1;node2:2,3" (also "=" and blanks as separators). */
export function parseHostMap(v: string): Record<string, string> {
  const map = dict<string>()
  for (const entry of v.split(/[;\s]+/)) {
    const m = /^([^:=]+)[:=](.*)$/.exec(entry)
    if (m) map[m[1] ?? ''] = m[2] ?? ''
  }
  return map
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
  ctx: Ctx,
  el: XmlEl | undefined,
  ancestors: {el: XmlEl; meta: Record<string, string>; promotable: boolean}[],
  primitives: CibPrimitive[],
  containers: CibContainer[],
): void {
  for (const c of el?.children ?? []) {
    if (c.name === 'primitive') {
      const meta = ctx.sets(c, 'meta_attributes')
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
        params: ctx.sets(c, 'instance_attributes'),
        meta,
        utilization: ctx.sets(c, 'utilization'),
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
      const meta = ctx.sets(c, 'meta_attributes')
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
      walkResources(ctx, c, [...ancestors, {el: c, meta, promotable}], primitives, containers)
    }
  }
}

function stonithDeviceOf(p: CibPrimitive): StonithDevice {
  const params = p.params
  const hostList = splitList(params['pcmk_host_list'])
  const hostMap = params['pcmk_host_map'] !== undefined ? parseHostMap(params['pcmk_host_map']) : undefined
  const agentTargets = ['hostlist', 'hostname', 'plug', 'port', 'nodename']
    .flatMap((k) => splitList(params[k]) ?? [])
    .filter((x) => x !== '')
  const union = [...(hostList ?? []), ...Object.keys(hostMap ?? {}), ...agentTargets]
  return {
    id: p.id,
    agent: p.agent,
    type: p.type,
    hostList,
    hostMap,
    hostCheck: params['pcmk_host_check'],
    hostArgument: params['pcmk_host_argument'],
    agentTargets: agentTargets.length > 0 ? agentTargets : undefined,
    targets: union.length > 0 ? [...new Set(union)] : undefined,
    address: params['ip'] ?? params['ipaddr'] ?? params['ip_address'] ?? params['hostaddr'],
    username: params['username'] ?? params['login'] ?? params['userid'] ?? params['user'],
    hasPassword: Object.entries(params).some(([k, v]) => /pass/i.test(k) && v !== ''),
    delayMax: params['pcmk_delay_max'],
    delayBase: params['pcmk_delay_base'],
    params,
    meta: p.meta,
    parents: p.parents,
    disabled: p.disabled,
  }
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

function clusterOptionsOf(p: Record<string, string>): ClusterOptions {
  const fencing = toBool(p['fencing-enabled'])
  const stonith = toBool(p['stonith-enabled'])
  const stonithTimeout = p['fencing-timeout'] ?? p['stonith-timeout']
  return {
    stonithEnabled: fencing ?? stonith ?? true,
    stonithEnabledSource:
      fencing !== undefined ? 'fencing-enabled' : stonith !== undefined ? 'stonith-enabled' : 'default',
    stonithTimeout,
    stonithTimeoutMs: durationMs(stonithTimeout),
    stonithWatchdogTimeout: p['fencing-watchdog-timeout'] ?? p['stonith-watchdog-timeout'],
    noQuorumPolicy: p['no-quorum-policy'],
    maintenanceMode: toBool(p['maintenance-mode']),
    stopAllResources: toBool(p['stop-all-resources']),
    symmetricCluster: toBool(p['symmetric-cluster']),
    startupFencing: toBool(p['startup-fencing']),
    dcDeadtime: p['dc-deadtime'],
    dcDeadtimeMs: durationMs(p['dc-deadtime']),
    priorityFencingDelay: p['priority-fencing-delay'],
    placementStrategy: p['placement-strategy'],
    clusterName: p['cluster-name'],
    dcVersion: p['dc-version'],
    clusterInfrastructure: p['cluster-infrastructure'],
    haveWatchdog: toBool(p['have-watchdog']),
  }
}

/** Parses CIB XML (cibadmin -Q, cib.xml, crm_report). Secret nvpair values are scrubbed. */
export function parseCib(text: string): Cib {
  const root = parseXml(text, 'cibadmin')
  if (root.name !== 'cib') throw new ParseError(`cibadmin: root element is <${root.name}>, not <cib>`)
  const ctx = new Ctx()
  const config = child(root, 'configuration')
  if (!config) throw new ParseError('cibadmin: no <configuration> section')

  const propertySets: CibNvSet[] = childrenNamed(child(config, 'crm_config'), 'cluster_property_set').map(
    (s) => ({
      id: s.attrs['id'],
      hasRule: childrenNamed(s, 'rule').length > 0,
      values: ctx.nvpairs(s),
    }),
  )
  const properties = dict<string>()
  for (const s of propertySets)
    for (const [k, v] of Object.entries(s.values)) if (!(k in properties)) properties[k] = v

  const primitives: CibPrimitive[] = []
  const containers: CibContainer[] = []
  walkResources(ctx, child(config, 'resources'), [], primitives, containers)

  const nodes: CibNode[] = childrenNamed(child(config, 'nodes'), 'node').map((n) => {
    const attributes = ctx.sets(n, 'instance_attributes')
    return {
      id: n.attrs['id'] ?? '',
      uname: n.attrs['uname'],
      type: n.attrs['type'],
      attributes,
      utilization: ctx.sets(n, 'utilization'),
      standby: toBool(attributes['standby']),
    }
  })

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

  const fencingLevels: FencingLevel[] = childrenNamed(child(config, 'fencing-topology'), 'fencing-level').map(
    (f) => ({
      id: f.attrs['id'],
      index: attrInt(f, 'index'),
      devices: splitList(f.attrs['devices']) ?? [],
      target: f.attrs['target'],
      targetPattern: f.attrs['target-pattern'],
      targetAttribute: f.attrs['target-attribute'],
      targetValue: f.attrs['target-value'],
    }),
  )

  const tags = dict<string[]>()
  for (const t of childrenNamed(child(config, 'tags'), 'tag')) {
    tags[t.attrs['id'] ?? ''] = childrenNamed(t, 'obj_ref').map((r) => r.attrs['id'] ?? '')
  }

  const statusEl = child(root, 'status')
  const statusNodes: CibNodeState[] = childrenNamed(statusEl, 'node_state').map((ns) => {
    const transientAttributes = ctx.sets(child(ns, 'transient_attributes'), 'instance_attributes')
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

  const haveQuorum = root.attrs['have-quorum']
  return {
    attrs: {
      validateWith: root.attrs['validate-with'],
      crmFeatureSet: root.attrs['crm_feature_set'],
      epoch: attrInt(root, 'epoch'),
      numUpdates: attrInt(root, 'num_updates'),
      adminEpoch: attrInt(root, 'admin_epoch'),
      haveQuorum: toBool(haveQuorum),
      dcUuid: root.attrs['dc-uuid'],
      cibLastWritten: root.attrs['cib-last-written'],
    },
    properties,
    propertySets,
    cluster: clusterOptionsOf(properties),
    rscDefaults: ctx.sets(child(config, 'rsc_defaults'), 'meta_attributes'),
    opDefaults: ctx.sets(child(config, 'op_defaults'), 'meta_attributes'),
    nodes,
    primitives,
    containers,
    stonithDevices: primitives.filter((p) => p.isStonith).map(stonithDeviceOf),
    fencingLevels,
    constraints: {locations, colocations, orders},
    tags,
    status: {nodes: statusNodes, failedOps: failedOpsOf(statusEl)},
    scrubbed: [...ctx.scrubbed].sort(),
  }
}

/** The same secret-name rule as SECRET_NAME, as a GNU sed program run on the node. */
const SED_SCRUB = [
  `s/(<nvpair[^>]*[[:space:]]name="[^"]*(pass|secret|key|token|community|credential)[^"]*"[^>]*[[:space:]]value=")[^"]*"/\\1${SCRUBBED}"/gI`,
  `s/(<nvpair[^>]*[[:space:]]value=")[^"]*("[^>]*[[:space:]]name="[^"]*(pass|secret|key|token|community|credential)[^"]*")/\\1${SCRUBBED}\\2/gI`,
].join('; ')

export const cibadmin = defineGatherer<Cib>({
  id: 'cibadmin',
  description: 'Pacemaker configuration and status (cibadmin -Q), secrets scrubbed on the node',
  command: 'cibadmin -Q (passwords blanked on the node)',
  script: `set -o pipefail; cibadmin -Q | sed -E '${SED_SCRUB}'`,
  requires: ['cibadmin'],
  parse: (out) => parseCib(out.stdout),
})
