/**
 * Turning raw gatherer outputs into facts, and the two fact sources: live
 * (one SSH round trip per node + controller-side probes) and a saved capture
 * (`audit --from DIR`). Both feed the same evaluation path.
 */
import {errorMessage} from '../core/errors.js'
import type {Inventory, NodeSpec} from '../core/types.js'
import {
  ABSENT_RC,
  commandOf,
  type Fact,
  type FactError,
  type Gatherer,
  type GathererOutput,
} from '../facts/gatherer.js'
import {NOT_INSTALLED_RC, TIMEOUT_RC} from './gather-script.js'

export type AnyGatherer = Gatherer<unknown>

export type NodeGather =
  | {ok: true; outputs: Map<string, GathererOutput>; durationMs: number}
  | {ok: false; error: FactError; durationMs: number}

export interface FactSource {
  readonly mode: 'live' | 'capture'
  /** Runs the node-side gatherers in one round trip. Connection failures come back as {ok:false}. */
  gatherNode(node: NodeSpec, gatherers: AnyGatherer[]): Promise<NodeGather>
  /** Runs one controller-side probe for a node. */
  gatherController(node: NodeSpec, gatherer: AnyGatherer): Promise<GathererOutput | {notApplicable: string}>
  close(): Promise<void>
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  )
}

/** Classifies a gatherer's output and parses it. Pure. */
export function toFact<T>(node: string, g: Gatherer<T>, out: GathererOutput): Fact<T> {
  const source = {node, gatherer: g.id, command: commandOf(g), exitCode: out.exitCode}
  const ok = g.okExitCodes ?? [0]
  if (out.exitCode === NOT_INSTALLED_RC) {
    return {
      ok: false,
      source,
      error: {code: 'not-installed', message: `${g.requires?.[0] ?? g.id} is not installed on ${node}`},
    }
  }
  if (out.exitCode === ABSENT_RC && g.whenAbsent !== undefined) {
    return {ok: false, source, error: {code: 'not-applicable', message: `${node}: ${g.whenAbsent}`}}
  }
  if (out.exitCode === TIMEOUT_RC && !ok.includes(TIMEOUT_RC)) {
    return {ok: false, source, error: {code: 'timeout', message: `${g.id} did not finish in time on ${node}`}}
  }
  if (out.exitCode === null) {
    return {
      ok: false,
      source,
      error: {code: 'command-failed', message: `${g.id} output was cut short on ${node}`},
    }
  }
  if (!ok.includes(out.exitCode)) {
    const why = firstLine(out.stderr) || firstLine(out.stdout) || 'no output'
    return {
      ok: false,
      source,
      error: {code: 'command-failed', message: `${g.id} exited ${out.exitCode} on ${node}: ${why}`},
    }
  }
  // Parsers throw for outputs they do not understand: an expected outcome whose message says it
  // all. Capturing a stack trace for each cost more than parsing, on every node of a fleet.
  const stackTraceLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return {ok: true, source, value: g.parse(out)}
  } catch (err) {
    return {
      ok: false,
      source,
      error: {code: 'parse-error', message: `${g.id} output on ${node} not understood: ${errorMessage(err)}`},
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit
  }
}

/** A fact store: node → gatherer id → fact. */
export type FactStore = Map<string, Map<string, Fact<unknown>>>

export interface GatherPlan {
  /** node name → node-side gatherers */
  node: Map<string, AnyGatherer[]>
  /** node name → controller-side gatherers */
  controller: Map<string, AnyGatherer[]>
}

export interface GatherOutcome {
  facts: FactStore
  /** Raw outputs, kept for `facts --save` captures (empty when gathered with keepRaw: false). */
  raw: Map<string, Map<string, GathererOutput>>
  nodeErrors: Map<string, FactError>
  durations: Map<string, number>
}

export async function gatherAll(
  inventory: Inventory,
  plan: GatherPlan,
  source: FactSource,
  opts: {
    concurrency: number
    onNodeDone?: (node: string, ok: boolean) => void
    /** false: do not keep every node's raw output to the end (an audit only needs the facts). */
    keepRaw?: boolean
  },
): Promise<GatherOutcome> {
  const keepRaw = opts.keepRaw ?? true
  const {default: pLimit} = await import('p-limit')
  const limit = pLimit(Math.max(1, opts.concurrency))
  const facts: FactStore = new Map()
  const raw = new Map<string, Map<string, GathererOutput>>()
  const nodeErrors = new Map<string, FactError>()
  const durations = new Map<string, number>()
  const byName = new Map(inventory.nodes.map((n) => [n.name, n]))

  const work: Promise<void>[] = []
  for (const [name, gatherers] of plan.node) {
    const node = byName.get(name)
    if (!node || gatherers.length === 0) continue
    work.push(
      limit(async () => {
        const res = await source.gatherNode(node, gatherers)
        durations.set(name, res.durationMs)
        const nodeFacts = facts.get(name) ?? new Map<string, Fact<unknown>>()
        facts.set(name, nodeFacts)
        const nodeRaw = raw.get(name) ?? new Map<string, GathererOutput>()
        if (keepRaw) raw.set(name, nodeRaw)
        if (!res.ok) {
          nodeErrors.set(name, res.error)
          for (const g of gatherers) {
            nodeFacts.set(g.id, {
              ok: false,
              error: res.error,
              source: {node: name, gatherer: g.id, command: commandOf(g), exitCode: null},
            })
          }
        } else {
          for (const g of gatherers) {
            const out = res.outputs.get(g.id)
            if (!out) {
              nodeFacts.set(g.id, {
                ok: false,
                error: {code: 'command-failed', message: `${g.id} produced no output frame on ${name}`},
                source: {node: name, gatherer: g.id, command: commandOf(g), exitCode: null},
              })
              continue
            }
            nodeRaw.set(g.id, out)
            nodeFacts.set(g.id, toFact(name, g, out))
          }
        }
        opts.onNodeDone?.(name, res.ok)
      }),
    )
  }
  for (const [name, gatherers] of plan.controller) {
    const node = byName.get(name)
    if (!node) continue
    for (const g of gatherers) {
      work.push(
        limit(async () => {
          const out = await source.gatherController(node, g)
          const nodeFacts = facts.get(name) ?? new Map<string, Fact<unknown>>()
          facts.set(name, nodeFacts)
          if ('notApplicable' in out) {
            nodeFacts.set(g.id, {
              ok: false,
              error: {code: 'not-applicable', message: out.notApplicable},
              source: {node: name, gatherer: g.id, command: commandOf(g), exitCode: null},
            })
            return
          }
          const nodeRaw = raw.get(name) ?? new Map<string, GathererOutput>()
          if (keepRaw) raw.set(name, nodeRaw)
          nodeRaw.set(g.id, out)
          nodeFacts.set(g.id, toFact(name, g, out))
        }),
      )
    }
  }
  await Promise.all(work)
  return {facts, raw, nodeErrors, durations}
}
