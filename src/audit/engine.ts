/**
 * The functional core of `audit`: which checks run, which facts they need on
 * which node, and turning facts into results. No I/O here (gathering is in
 * facts.ts), so a live run and `audit --from DIR` share every line of it.
 */
import type {CheckResult, Evidence, Severity, Status} from '../core/results.js'
import type {NodeSpec} from '../core/types.js'
import type {Fact, FactError} from '../facts/gatherer.js'
import {
  type AnyCheck,
  type AnyGatherer,
  type AuditContext,
  type Finding,
  type FactsOf,
  type GathererMap,
  type NodeFacts,
  type Params,
  renderTemplate,
  type ValuesOf,
} from '../checks/define.js'
import {authority, authorityNote} from '../checks/authority.js'
import {notExaminedText} from '../view/anomalies.js'
import type {ClusterView, NodeView} from '../view/types.js'
import {errorRemediation} from './error-remediation.js'
import type {GatherOutcome, GatherPlan} from './facts.js'
import {viewGatherers} from './view-input.js'

export interface PlannedCheck {
  check: AnyCheck
  ref: string
  itemTitle: string
  params: Params
  severity: Severity
}

export function rolesOf(check: AnyCheck): string[] {
  return check.roles ?? ['cluster']
}

export function nodesInScope(check: AnyCheck, nodes: readonly NodeSpec[]): NodeSpec[] {
  const roles = rolesOf(check)
  return nodes.filter((n) => n.roles.some((r) => roles.includes(r)))
}

/** Why a planned check will not run, or undefined when it will. */
export function skipReason(p: PlannedCheck, ctx: AuditContext): string | undefined {
  const scoped = nodesInScope(p.check, ctx.inventory.nodes)
  if (scoped.length === 0) return `no node in the inventory has role ${rolesOf(p.check).join(' or ')}`
  const applies = p.check.appliesTo?.(ctx, p.params) ?? true
  return applies === true ? undefined : applies
}

export function gatherersOf(check: AnyCheck): AnyGatherer[] {
  return [...Object.values(check.facts), ...Object.values(check.optionalFacts ?? {})] as AnyGatherer[]
}

/** Union of the gatherers each node needs, each gatherer once per node. */
export function buildGatherPlan(planned: readonly PlannedCheck[], ctx: AuditContext): GatherPlan {
  const plan: GatherPlan = {node: new Map(), controller: new Map()}
  const seen = new Set<string>()
  const add = (node: string, g: AnyGatherer): void => {
    const key = `${node}\0${g.id}`
    if (seen.has(key)) return
    seen.add(key)
    const target = g.controller ? plan.controller : plan.node
    const list = target.get(node)
    if (list) list.push(g)
    else target.set(node, [g])
  }
  // The cluster view is built on every run, whatever checks were selected: every node is examined.
  for (const node of ctx.inventory.nodes)
    for (const g of viewGatherers(ctx.inventory, node)) add(node.name, g)
  for (const p of planned) {
    if (skipReason(p, ctx) !== undefined) continue
    const gatherers = gatherersOf(p.check)
    for (const node of nodesInScope(p.check, ctx.inventory.nodes))
      for (const g of gatherers) add(node.name, g)
  }
  return plan
}

function factErrorEvidence(node: string, gatherer: string, err: FactError, command?: string): Evidence {
  return {node, source: gatherer, command, observed: {error: err.code, message: err.message}}
}

type NodeFactsResult =
  | {ok: true; facts: Record<string, unknown>; optional: Record<string, Fact<unknown>>}
  | {ok: false; errors: Evidence[]}

function factsForNode(check: AnyCheck, node: string, outcome: GatherOutcome): NodeFactsResult {
  // A node hacheck could not reach tells nothing, even to checks whose facts are all optional.
  const down = outcome.nodeErrors.get(node)
  if (down && gatherersOf(check).length > 0)
    return {ok: false, errors: [factErrorEvidence(node, 'ssh', down)]}
  const store = outcome.facts
  const nodeFacts = store.get(node)
  const facts: Record<string, unknown> = {}
  const errors: Evidence[] = []
  for (const [key, g] of Object.entries(check.facts) as [string, AnyGatherer][]) {
    const f = nodeFacts?.get(g.id)
    if (!f)
      errors.push(
        factErrorEvidence(node, g.id, {code: 'command-failed', message: `${g.id} was not gathered`}),
      )
    else if (!f.ok) errors.push(factErrorEvidence(node, g.id, f.error, f.source.command))
    else facts[key] = f.value
  }
  if (errors.length) return {ok: false, errors}
  const optional: Record<string, Fact<unknown>> = {}
  for (const [key, g] of Object.entries(check.optionalFacts ?? {}) as [string, AnyGatherer][]) {
    optional[key] = nodeFacts?.get(g.id) ?? {
      ok: false,
      error: {code: 'command-failed', message: `${g.id} was not gathered`},
      source: {node, gatherer: g.id, command: g.script, exitCode: null},
    }
  }
  return {ok: true, facts, optional}
}

function effectiveStatus(status: Status, severity: Severity): Status {
  // A failed check whose (possibly overridden) severity is not critical is a warning.
  if (status === 'fail' && severity !== 'critical') return 'warn'
  return status
}

function result(p: PlannedCheck, f: Finding, durationMs: number, node?: string): CheckResult {
  const status = effectiveStatus(f.status, p.severity)
  const r: CheckResult = {
    id: p.check.id,
    checklistRef: p.ref,
    title: p.check.title,
    area: p.check.area,
    severity: p.severity,
    status,
    message: f.message,
    evidence: f.evidence.map((e) =>
      e.node === undefined && (f.node ?? node) ? {...e, node: f.node ?? node} : e,
    ),
    durationMs,
  }
  const n = f.node ?? node
  if (n !== undefined) r.node = n
  // An error says how to make the fact readable; the check's own remediation is for a finding.
  if (status === 'error') r.remediation = errorRemediation(r.evidence)
  else if (status !== 'pass') r.remediation = renderTemplate(p.check.remediation, p.params)
  return r
}

function firstErrorMessage(errors: Evidence[]): string {
  const o = errors[0]?.observed as {message?: string} | undefined
  return o?.message ?? 'facts could not be gathered'
}

// Each view's nodes by name, built once: looking one up per node and check was O(N²) in the fleet size.
const viewNodes = new WeakMap<ClusterView, Map<string, NodeView>>()
function viewNode(view: ClusterView | undefined, name: string): NodeView | undefined {
  if (!view) return undefined
  let byName = viewNodes.get(view)
  if (!byName) {
    byName = new Map(view.nodes.map((n) => [n.name, n]))
    viewNodes.set(view, byName)
  }
  return byName.get(name)
}

/** The evidence of facts that could not be had, by node, in order of first appearance. */
function missingByNode(missing: readonly Evidence[]): Map<string, Evidence[]> {
  const byNode = new Map<string, Evidence[]>()
  for (const m of missing) {
    if (m.node === undefined) continue
    const list = byNode.get(m.node)
    if (list) list.push(m)
    else byNode.set(m.node, [m])
  }
  return byNode
}

/** The view's words for a node that could not be examined, or the first fact error. */
function unexaminedMessage(node: string, errors: Evidence[], ctx: AuditContext): string {
  const v = viewNode(ctx.view, node)
  return v && !v.examined ? notExaminedText(v) : firstErrorMessage(errors)
}

type Run = (fn: () => Finding | Finding[], node?: string) => void

function evaluateNodeScope(
  p: PlannedCheck,
  scoped: NodeSpec[],
  outcome: GatherOutcome,
  ctx: AuditContext,
  run: Run,
  out: CheckResult[],
): void {
  if (p.check.scope !== 'node') return
  const check = p.check
  for (const node of scoped) {
    const nf = factsForNode(check, node.name, outcome)
    if (!nf.ok) {
      const message = unexaminedMessage(node.name, nf.errors, ctx)
      out.push(result(p, {status: 'error', message, evidence: nf.errors}, 0, node.name))
      continue
    }
    run(() => check.evaluate(nf.facts, p.params, node, ctx, nf.optional), node.name)
  }
}

/**
 * A claim about the cluster counts every node it is about: when a node in scope could not be examined, a
 * pass becomes "could not tell" naming that node, and any other finding carries the node in its evidence.
 */
function withUnexamined(
  findings: Finding[],
  missing: Evidence[],
  ctx: AuditContext,
  claim: 'every-node' | 'cluster-state',
): Finding[] {
  if (claim === 'cluster-state' && ctx.view?.partitions.length && !ctx.view.primary) {
    const why = `no quorate partition speaks for the cluster (${ctx.view.partitions.map((p) => p.name).join(', ')}): this was read from a node that may hold a stale copy`
    findings = findings.map((f) =>
      f.status === 'pass' ? {...f, status: 'error', message: `${f.message}, but ${why}`} : f,
    )
  }
  if (missing.length === 0) return findings
  const byNode = missingByNode(missing)
  const names = [...byNode.keys()]
  const words = names.map((n) => unexaminedMessage(n, byNode.get(n) ?? [], ctx))
  const note: Evidence = {
    observed: {notExamined: names},
    note: `judged from the nodes that answered; not examined: ${words.join('; ')}`,
  }
  // A finding about one node stands; a node the check judges node by node but could not see gets its own error.
  const perNode = findings.some((f) => f.node !== undefined)
  const judgedNodes = new Set(findings.map((f) => f.node))
  const own = names.flatMap((n, i): Finding[] =>
    perNode && !judgedNodes.has(n)
      ? [{status: 'error', node: n, message: words[i] ?? n, evidence: byNode.get(n) ?? []}]
      : [],
  )
  const judged = findings.map((f): Finding => {
    if (f.node !== undefined) return f
    if (f.status === 'pass' && claim === 'every-node')
      return {
        ...f,
        status: 'error',
        message: `${f.message}, but not every node was examined: ${words.join('; ')}`,
        evidence: [...f.evidence, note, ...missing],
      }
    return {...f, evidence: [...f.evidence, note]}
  })
  return [...judged, ...own]
}

function evaluateClusterScope(
  p: PlannedCheck,
  scoped: NodeSpec[],
  outcome: GatherOutcome,
  ctx: AuditContext,
  run: Run,
): CheckResult[] | undefined {
  if (p.check.scope !== 'cluster') return undefined
  const check = p.check
  const good: NodeFacts<GathererMap, GathererMap>[] = []
  const missing: Evidence[] = []
  for (const node of scoped) {
    const nf = factsForNode(check, node.name, outcome)
    if (nf.ok)
      good.push({
        node,
        facts: nf.facts as ValuesOf<GathererMap>,
        optional: nf.optional as FactsOf<GathererMap>,
      })
    else missing.push(...nf.errors)
  }
  if (good.length === 0 || (check.needsAllNodes && missing.length > 0)) {
    const why = [...missingByNode(missing)].map(([n, errors]) => unexaminedMessage(n, errors, ctx)).join('; ')
    const msg =
      good.length === 0
        ? `no node could provide the facts: ${why}`
        : `cannot judge without every node: ${why}`
    return [result(p, {status: 'error', message: msg, evidence: missing}, 0)]
  }
  run(() => {
    const f = check.evaluate(good, p.params, ctx)
    const claim = check.claim ?? 'every-node'
    let findings = Array.isArray(f) ? f : [f]
    const from = claim === 'cluster-state' ? authority(good, ctx) : undefined
    const said = from ? authorityNote(from.node.name, ctx) : undefined
    if (said) findings = findings.map((x) => ({...x, evidence: [...x.evidence, said]}))
    return withUnexamined(findings, missing, ctx, claim)
  })
  return undefined
}

export function evaluatePlanned(p: PlannedCheck, outcome: GatherOutcome, ctx: AuditContext): CheckResult[] {
  const reason = skipReason(p, ctx)
  if (reason !== undefined) return [result(p, {status: 'skip', message: reason, evidence: []}, 0)]
  const scoped = nodesInScope(p.check, ctx.inventory.nodes)
  const t0 = performance.now()
  const out: CheckResult[] = []
  const run: Run = (fn, node) => {
    let findings: Finding[]
    try {
      const f = fn()
      findings = Array.isArray(f) ? f : [f]
    } catch (err) {
      // A bug in a check must not turn into a pass or abort the audit.
      const message = `check ${p.check.id} failed internally: ${(err as Error).message}`
      findings = [{status: 'error', message, evidence: []}]
    }
    for (const f of findings) out.push(result(p, f, performance.now() - t0, node))
  }
  evaluateNodeScope(p, scoped, outcome, ctx, run, out)
  const early = evaluateClusterScope(p, scoped, outcome, ctx, run)
  return early ?? out
}

/** One result per node telling whether hacheck could reach it (errors make the run incomplete). */
export function reachabilityResults(
  outcome: GatherOutcome,
  nodes: readonly NodeSpec[],
  view?: ClusterView,
): CheckResult[] {
  const res: CheckResult[] = []
  for (const n of nodes) {
    if (!outcome.facts.has(n.name)) continue
    const err = outcome.nodeErrors.get(n.name)
    const nv = viewNode(view, n.name)
    res.push({
      id: 'node.reachable',
      checklistRef: 'x.reachable',
      title: 'hacheck can reach the node and gather its facts',
      area: 'connectivity',
      severity: 'critical',
      status: err ? 'error' : 'pass',
      node: n.name,
      message: err
        ? nv
          ? `${notExaminedText(nv)} (${err.message})`
          : err.message
        : `gathered in ${Math.round(outcome.durations.get(n.name) ?? 0)} ms`,
      evidence: [
        {node: n.name, source: 'ssh', observed: err ? {error: err.code, message: err.message} : 'connected'},
      ],
      durationMs: outcome.durations.get(n.name) ?? 0,
      ...(err
        ? {
            remediation:
              '## Abstract\nhacheck could not gather facts from this node, so every check on it is in error.\n' +
              '## Remediation\nCheck that the node is up, that `ssh` to it works with the inventory settings ' +
              '(user, key, known_hosts, jump host), then re-run the audit.',
          }
        : {}),
    })
  }
  return res
}
