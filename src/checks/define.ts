/**
 * Check declarations. A check is immutable data plus a PURE evaluate(): it
 * never does I/O. The engine (src/audit/engine.ts) gathers the facts a check
 * names, and only calls evaluate when every required fact is good; otherwise
 * the result is `error` with the fact error as evidence ("could not tell" is
 * never a pass).
 */
import type {ChaosHistoryEntry, ClusterIdentity, Evidence, Severity, Status} from '../core/results.js'
import type {Inventory, NodeSpec} from '../core/types.js'
import type {Fact, Gatherer} from '../facts/gatherer.js'
import type {ClusterView} from '../view/types.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: any gatherer fits the map
export type AnyGatherer = Gatherer<any>
export type GathererMap = Record<string, AnyGatherer>
export type ValuesOf<G extends GathererMap> = {[K in keyof G]: G[K] extends Gatherer<infer T> ? T : never}
export type FactsOf<G extends GathererMap> = {
  [K in keyof G]: G[K] extends Gatherer<infer T> ? Fact<T> : never
}

export interface Finding {
  status: Exclude<Status, 'error'> | 'error'
  message: string
  evidence: Evidence[]
  /** For cluster checks that judge node by node. */
  node?: string
}

export type {ChaosHistoryEntry} from '../core/results.js'

export interface AuditContext {
  inventory: Inventory
  now: Date
  /** hacheck's own chaos runs against THIS cluster (matched by identity), newest first. */
  history?: ChaosHistoryEntry[]
  /** Saved chaos runs that could not be matched to this cluster (other clusters, or no identity recorded). */
  historyUnmatched?: number
  /** What the cluster says it is (undefined when it could not be read). */
  identity?: ClusterIdentity
  /**
   * The reconciled picture of the whole cluster (src/view): who was examined, partitions, the quorate one,
   * VIP holders. Cluster-wide checks judge from it, never from "the first node that answered".
   */
  view?: ClusterView
}

export type Params = Record<string, unknown>

interface CheckCommon<P extends Params> {
  id: string
  title: string
  area: string
  severity: Severity
  /** Why it matters, shown by `hacheck checks explain`. */
  rationale: string
  /** Markdown with Abstract / Remediation / References sections. {{param}} placeholders are filled in. */
  remediation: string
  references?: string[]
  /** Named defaults, overridable per checklist item. Never literals inside evaluate. */
  params: P
  /** Roles whose nodes this check looks at (default: ['cluster']). */
  roles?: string[]
  /** true, or the reason to skip (e.g. "no node has role lb"). */
  appliesTo?(ctx: AuditContext, params: P): true | string
}

export interface NodeCheck<
  G extends GathererMap,
  O extends GathererMap,
  P extends Params,
> extends CheckCommon<P> {
  scope: 'node'
  facts: G
  /** Facts passed as-is (ok or error), for checks that can judge without them. */
  optionalFacts?: O
  evaluate(
    facts: ValuesOf<G>,
    params: P,
    node: NodeSpec,
    ctx: AuditContext,
    optional: FactsOf<O>,
  ): Finding | Finding[]
}

export interface NodeFacts<G extends GathererMap, O extends GathererMap> {
  node: NodeSpec
  facts: ValuesOf<G>
  optional: FactsOf<O>
}

export interface ClusterCheck<
  G extends GathererMap,
  O extends GathererMap,
  P extends Params,
> extends CheckCommon<P> {
  scope: 'cluster'
  facts: G
  optionalFacts?: O
  /**
   * true: every node in scope must have good facts, else the result is error
   * (e.g. configuration drift cannot be judged without all nodes).
   * false: judge from the nodes that answered and list the others in the evidence.
   */
  needsAllNodes?: boolean
  /**
   * What the check claims (docs/cluster-view.md):
   * - 'every-node' (default): something about each node in scope ("quorate on every node", "every node
   *   forwards its logs"). A node that could not be examined turns a pass into error, naming the node.
   * - 'cluster-state': a setting or state the cluster replicates to every member (CIB properties, fence
   *   devices, constraints, the fencer's history), read from the quorate partition's speaker
   *   (`authority()`). A dark node does not change it, so a pass stays a pass, with the unexamined node in
   *   the evidence; with no quorate partition to read it from, a pass becomes error.
   */
  claim?: 'every-node' | 'cluster-state'
  evaluate(nodes: NodeFacts<G, O>[], params: P, ctx: AuditContext): Finding | Finding[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous catalogue of checks
export type AnyCheck = NodeCheck<any, any, any> | ClusterCheck<any, any, any>

export function defineNodeCheck<
  G extends GathererMap,
  P extends Params,
  O extends GathererMap = Record<never, never>,
>(c: Omit<NodeCheck<G, O, P>, 'scope'>): NodeCheck<G, O, P> {
  return {...c, scope: 'node'}
}

export function defineClusterCheck<
  G extends GathererMap,
  P extends Params,
  O extends GathererMap = Record<never, never>,
>(c: Omit<ClusterCheck<G, O, P>, 'scope'>): ClusterCheck<G, O, P> {
  return {...c, scope: 'cluster'}
}

export const pass = (message: string, evidence: Evidence[] = [], node?: string): Finding => ({
  status: 'pass',
  message,
  evidence,
  node,
})
export const fail = (message: string, evidence: Evidence[] = [], node?: string): Finding => ({
  status: 'fail',
  message,
  evidence,
  node,
})
export const warn = (message: string, evidence: Evidence[] = [], node?: string): Finding => ({
  status: 'warn',
  message,
  evidence,
  node,
})
export const skip = (message: string, evidence: Evidence[] = [], node?: string): Finding => ({
  status: 'skip',
  message,
  evidence,
  node,
})
/** "Could not tell" from good facts (e.g. contradictory data). */
export const unknown = (message: string, evidence: Evidence[] = [], node?: string): Finding => ({
  status: 'error',
  message,
  evidence,
  node,
})

/** Fills {{param}} placeholders of a remediation text. */
export function renderTemplate(text: string, params: Params): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (m, k: string) => (k in params ? String(params[k]) : m))
}
