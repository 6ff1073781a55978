/**
 * Runs one check through the real engine (toFact → evaluatePlanned) on raw
 * gatherer outputs: verbatim files from ../shared/fixtures or lab captures.
 * Nothing is imitated: the same parsing and evaluation path as a live audit.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {evaluatePlanned, gatherersOf} from '../../src/audit/engine.js'
import {toFact, type FactStore, type GatherOutcome} from '../../src/audit/facts.js'
import {clusterViewOf, viewGatherers} from '../../src/audit/view-input.js'
import {catalog} from '../../src/checks/index.js'
import type {AuditContext, ChaosHistoryEntry} from '../../src/checks/define.js'
import type {CheckResult} from '../../src/core/results.js'
import type {Inventory, NodeSpec} from '../../src/core/types.js'
import type {Fact, GathererOutput} from '../../src/facts/gatherer.js'
import {sharedFixturesDir} from './paths.js'

export function shared(rel: string): string {
  return readFileSync(join(sharedFixturesDir, rel), 'utf8')
}
export const haveSharedFile = (rel: string): boolean => existsSync(join(sharedFixturesDir, rel))

/** What the node snippet prints for a file read through filesScript/partScript framing. */
export function framedFile(path: string, body: string, rc = 0): string {
  return `@@hacheck-part:begin ${path}@@\n${body}\n@@hacheck-part:end ${rc}@@\n`
}

export type RawOutputs = Record<string, Partial<GathererOutput> | string>

export interface HarnessNode {
  name: string
  roles?: string[]
  host?: string
  bmc?: NodeSpec['bmc']
  /** gatherer id → output (a string is stdout with exit 0). Missing gatherers are "not gathered". */
  outputs?: RawOutputs
  /** The whole node unreachable. */
  unreachable?: boolean
}

export function runCheck(
  id: string,
  nodes: HarnessNode[],
  opts: {
    inventory?: Partial<Inventory>
    params?: Record<string, unknown>
    history?: ChaosHistoryEntry[]
    now?: Date
  } = {},
): CheckResult[] {
  const check = catalog().get(id)
  if (!check) throw new Error(`no check ${id}`)
  const specs: NodeSpec[] = nodes.map((n, i) => ({
    name: n.name,
    host: n.host ?? `198.18.2.${11 + i}`,
    roles: n.roles ?? ['cluster'],
    ssh: {},
    ...(n.bmc ? {bmc: n.bmc} : {}),
  }))
  const inventory: Inventory = {
    cluster: {
      name: 'test',
      stack: 'pacemaker',
      objectives: {rtoMs: 30_000, rpoMs: 0},
      ...(opts.inventory?.cluster ?? {}),
    },
    networks: opts.inventory?.networks ?? {public: '198.18.2.0/24', heartbeat: '198.18.1.0/24'},
    nodes: specs,
  }
  const facts: FactStore = new Map()
  const nodeErrors: GatherOutcome['nodeErrors'] = new Map()
  for (const n of nodes) {
    const m = new Map<string, Fact<unknown>>()
    facts.set(n.name, m)
    for (const g of [
      ...gatherersOf(check),
      ...viewGatherers(inventory, specs.find((x) => x.name === n.name) as NodeSpec),
    ].filter((g, i, a) => a.findIndex((x) => x.id === g.id) === i)) {
      if (n.unreachable) {
        const error = {code: 'unreachable' as const, message: `${n.name}: connect ECONNREFUSED`}
        nodeErrors.set(n.name, error)
        m.set(g.id, {
          ok: false,
          error,
          source: {node: n.name, gatherer: g.id, command: g.script, exitCode: null},
        })
        continue
      }
      const raw = n.outputs?.[g.id]
      if (raw === undefined) continue
      const out: GathererOutput =
        typeof raw === 'string'
          ? {stdout: raw, stderr: '', exitCode: 0}
          : {stdout: '', stderr: '', exitCode: 0, ...raw}
      m.set(g.id, toFact(n.name, g, out))
    }
  }
  const ctx: AuditContext = {
    inventory,
    now: opts.now ?? new Date('2026-11-26T00:00:00Z'),
    history: opts.history,
    // The same reconciled view a live audit builds, from whatever outputs the case provides.
    view: clusterViewOf(inventory, {facts, nodeErrors}),
  }
  const outcome: GatherOutcome = {facts, raw: new Map(), nodeErrors, durations: new Map()}
  return evaluatePlanned(
    {
      check,
      ref: 'x',
      itemTitle: 'x',
      params: {...check.params, ...(opts.params ?? {})},
      severity: check.severity,
    },
    outcome,
    ctx,
  )
}

export const statuses = (rs: CheckResult[]): string[] =>
  rs.map((r) => (r.node ? `${r.node}:${r.status}` : r.status))
