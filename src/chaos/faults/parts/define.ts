/**
 * A fault is one declaration (src/chaos/faults/<id>.ts, its default export):
 * its options, declared once (plan/options.ts); what it touches; the read-only
 * look-ups it needs; and its planner, a pure function from what discovery found
 * to the exact steps of inject, verify, revert, verify-removed and the dead-man
 * undo (plan/types.ts: data, never closures, so the ledger stores it and
 * `chaos revert` replays it). `phases` says the same in words for
 * `hacheck chaos explain`.
 *
 * From the declaration come the command (cli/fault-command.ts), the game-day
 * schema (gameday/schema.ts), the validation of both, --dry-run and
 * `chaos list/explain`. The runner never knows which fault it runs.
 */
import type {CommandRunner, Inventory} from '../../../core/types.js'
import type {ClusterSnapshot} from '../../observe/cluster.js'
import type {OptionRule, Options, OptionValues} from '../../plan/options.js'
import type {PlanResult} from '../../plan/types.js'
import type {PlanInput} from './common.js'

export interface FaultContext<O extends Options = Options, L = unknown> {
  inventory: Inventory
  /** The target node (a name: @roles are resolved against the cluster right now), when one was given. */
  target?: string
  /** The option values; options of type node are resolved to node names like the target. */
  options: OptionValues<O>
  /** The cluster as it was just read (crm_mon, membership, VIP holders). */
  snapshot: ClusterSnapshot
  /** What `look` found (undefined before it ran, or for a fault without one). */
  looked: L
}

export interface TargetSpec {
  /** Whether a target (--node, a step's target:) must be given. */
  required: boolean
  description: string
  /** Options the target needs (partition: only with majorityMinority). */
  dependsOn?: readonly string[]
}

export interface FaultPhases {
  inject: string
  verify: string
  revert: string
  /** What the dead-man undoes if hacheck dies (or why there is none). */
  deadman: string
}

export interface FaultDeclaration<O extends Options = Options, L = unknown> {
  /** The command and the game-day `fault:` (verb-noun; the file is faults/<id>.ts). */
  id: string
  /** One line: what it does (command summary, `chaos list`). */
  summary: string
  /** How it works and what it guarantees (command help, `chaos explain`). */
  description: string
  examples: readonly (string | {description: string; command: string})[]
  /** The target node (--node / target:), or false when the fault takes none. */
  target: TargetSpec | false
  options: O
  /** Cross-option rules (exactly one of, at least one of). */
  rules?: readonly OptionRule[]
  /** Defaults of the common run flags that differ for this fault (evacuate waits 20 s per probe). */
  commonDefaults?: {probeTimeout?: string}
  phases: FaultPhases
  /** The nodes it touches (discovered, checked against the controller). Default: the target. */
  touches?(ctx: FaultContext<O, undefined>): string[]
  /** The nodes to discover (addresses, the controller's path, corosync). Default: the touched ones. */
  discover?(ctx: FaultContext<O, undefined>): string[]
  /** Read-only look-ups the planner needs beyond discovery (on the cluster as it is; nothing changes). */
  look?(ctx: FaultContext<O, undefined>, runner: CommandRunner): Promise<L>
  /** The plan, or a refusal with the reason (pure: golden-tested without a cluster). */
  plan(input: PlanInput, ctx: FaultContext<O, L>): PlanResult
}

/** Any fault, as the registry holds them. */
export type AnyFault = FaultDeclaration<Options, unknown>

export function defineFault<const O extends Options, L = undefined>(
  d: FaultDeclaration<O, L>,
): FaultDeclaration<O, L> {
  return d
}

/** The target a fault with `target.required` was given (resolved); a clear error otherwise. */
export function targetOf(ctx: {target?: string}): string {
  if (ctx.target === undefined) throw new Error('this fault needs a target node')
  return ctx.target
}
