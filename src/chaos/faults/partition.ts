/**
 * partition: split the cluster into groups that cannot reach each other.
 *
 * Groups are explicit (`n1,n2/n3`), or derived: isolate one node, isolate the
 * witness (role witness), or majority/minority (the minority holds the target
 * and ⌊(N-1)/2⌋ nodes). Works for any cluster size.
 *
 * Phases:
 * - guard: no HACHECK chain on any node; every node's addresses are known.
 * - inject: on EVERY node, chain HACHECK with the controller's SSH path and
 *   the BMCs exempted first, then DROP from/to every address of every node in
 *   another group (the node's global addresses on the inventory's networks;
 *   the floating VIP is left out: it is handled by its holder's rules).
 * - verify / revert / verify removed: as for link-pull, on every node.
 * The largest group keeps quorum (when it has a majority) and is expected to
 * fence the others.
 */
import {
  exemptionRules,
  injectChainScript,
  revertChainScript,
  verifyChainGoneScript,
  verifyChainScript,
  type Rule,
} from './parts/iptables.js'
import {cidrContains} from '../../core/address.js'
import {globalAddresses} from '../../facts/ip-addr.js'
import {opt} from '../plan/options.js'
import type {FaultPlan, NodeStep, PlanResult} from '../plan/types.js'
import {
  chainGuard,
  exemptionsFor,
  isPlanResult,
  needFacts,
  nodeDeadman,
  refuse,
  seconds,
  type PlanInput,
} from './parts/common.js'
import {defineFault, type FaultContext} from './parts/define.js'

export type PartitionSpec =
  | {kind: 'groups'; groups: string[][]}
  | {kind: 'isolate'; node: string}
  | {kind: 'isolate-witness'}
  | {kind: 'majority'; node?: string}

export interface PartitionOptions {
  spec: PartitionSpec
  /** Nodes that take part (default: roles cluster and witness, or no role); data-tier faults pass their own. */
  memberRoles?: readonly string[]
}

/** `n1,n2/n3` → [[n1,n2],[n3]]. */
export function parseGroups(text: string): string[][] {
  return text
    .split('/')
    .map((g) =>
      g
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .filter((g) => g.length > 0)
}

/** The groups of a spec over the given member nodes; the first group is the one expected to keep quorum. */
export function resolveGroups(
  spec: PartitionSpec,
  members: readonly string[],
  roles: ReadonlyMap<string, string[]>,
): {ok: true; groups: string[][]} | {ok: false; reason: string} {
  const rest = (out: readonly string[]): string[] => members.filter((m) => !out.includes(m))
  let groups: string[][]
  switch (spec.kind) {
    case 'groups': {
      groups = spec.groups.map((g) => [...g])
      const all = groups.flat()
      const unknown = all.filter((n) => !members.includes(n))
      if (unknown.length) return {ok: false, reason: `unknown node(s) in --groups: ${unknown.join(', ')}`}
      const dup = all.filter((n, i) => all.indexOf(n) !== i)
      if (dup.length)
        return {ok: false, reason: `node(s) in more than one group: ${[...new Set(dup)].join(', ')}`}
      const missing = rest(all)
      if (missing.length) groups[0] = [...(groups[0] ?? []), ...missing]
      break
    }
    case 'isolate':
      if (!members.includes(spec.node)) return {ok: false, reason: `unknown node ${spec.node}`}
      groups = [rest([spec.node]), [spec.node]]
      break
    case 'isolate-witness': {
      const w = members.filter((m) => roles.get(m)?.includes('witness'))
      if (w.length === 0) return {ok: false, reason: 'no node has the role witness in the inventory'}
      groups = [rest(w), w]
      break
    }
    case 'majority': {
      const first = spec.node ?? members[0]
      if (!first || !members.includes(first)) return {ok: false, reason: `unknown node ${spec.node ?? ''}`}
      const minoritySize = Math.floor((members.length - 1) / 2)
      if (minoritySize === 0)
        return {ok: false, reason: `a cluster of ${members.length} nodes has no minority to split off`}
      const others = members.filter((m) => m !== first)
      const minority = [first, ...others.slice(0, minoritySize - 1)]
      groups = [rest(minority), minority]
      break
    }
  }
  groups = groups.filter((g) => g.length > 0)
  if (groups.length < 2) return {ok: false, reason: 'a partition needs at least two non-empty groups'}
  // Largest group first: it is the one expected to keep quorum.
  groups.sort((a, b) => b.length - a.length)
  return {ok: true, groups}
}

/**
 * The nodes that take part in a partition: roles cluster and witness (or no role),
 * or the roles a data-tier fault passes (galera-partition: galera, garbd).
 */
export function partitionMembers(inv: PlanInput['inventory'], memberRoles?: readonly string[]): string[] {
  const roles = memberRoles ?? ['cluster', 'witness']
  return inv.nodes
    .filter((n) => (!n.roles.length && !memberRoles) || n.roles.some((r) => roles.includes(r)))
    .map((n) => n.name)
}

export function planPartition(input: PlanInput, o: PartitionOptions): PlanResult {
  const inv = input.inventory
  const members = partitionMembers(inv, o.memberRoles)
  const roles = new Map(inv.nodes.map((n) => [n.name, n.roles]))
  const resolved = resolveGroups(o.spec, members, roles)
  if (!resolved.ok) return refuse(resolved.reason)
  const groups = resolved.groups
  const involved = groups.flat()
  const cidrs = Object.values(inv.networks)
  const addrsOf = new Map<string, string[]>()
  for (const n of involved) {
    const f = needFacts(input, n)
    if (isPlanResult(f)) return f
    const g = chainGuard(f)
    if (g) return g
    const addrs = globalAddresses(f.addrs)
      .map((a) => a.address)
      .filter((a) => a !== inv.cluster.vip)
      .filter((a) => cidrs.length === 0 || cidrs.some((c) => cidrContains(c, a)))
    if (addrs.length === 0) return refuse(`no address of ${n} is known on the inventory's networks`)
    addrsOf.set(n, addrs)
  }
  const undo = revertChainScript(input.runId)
  const inject: NodeStep[] = []
  const verify: NodeStep[] = []
  const revert: NodeStep[] = []
  const verifyReverted: NodeStep[] = []
  for (const g of groups) {
    const others = groups.filter((x) => x !== g).flat()
    const otherAddrs = others.flatMap((o2) => addrsOf.get(o2) ?? [])
    for (const n of g) {
      const f = input.facts.get(n)
      if (!f) return refuse(`no discovery data for node ${n}`)
      const ex = exemptionsFor(inv, f)
      if (!ex.controller)
        return refuse(`cannot tell the controller's address as ${n} sees it (SSH_CONNECTION is empty)`)
      const rules: Rule[] = [
        ...exemptionRules(ex),
        ...otherAddrs.flatMap((a): Rule[] => {
          const fam = a.includes(':') ? 6 : 4
          return [
            {family: fam, args: ['-s', a, '-j', 'DROP']},
            {family: fam, args: ['-d', a, '-j', 'DROP']},
          ]
        }),
      ]
      inject.push({
        kind: 'node',
        node: n,
        what: `drop traffic to/from ${others.join(', ')}`,
        script: injectChainScript(input.runId, rules),
      })
      verify.push({
        kind: 'node',
        node: n,
        what: 'chain HACHECK is in place',
        script: verifyChainScript(input.runId),
      })
      revert.push({kind: 'node', node: n, what: 'remove chain HACHECK and its jumps', script: undo})
      verifyReverted.push({
        kind: 'node',
        node: n,
        what: 'no hacheck rule is left',
        script: verifyChainGoneScript(input.runId),
      })
    }
  }
  const majority = groups[0] as string[]
  const quorate = majority.length > members.length / 2
  const minority = groups.slice(1).flat()
  const plan: FaultPlan = {
    fault: 'partition',
    targets: minority,
    summary: `partition ${groups.map((g) => `{${g.join(',')}}`).join(' | ')} for ${seconds(input.holdMs)}`,
    notes: quorate
      ? [`{${majority.join(',')}} keeps quorum and is expected to fence ${minority.join(', ')}`]
      : ['no group has a majority of the nodes: without a quorum device, no side keeps quorum'],
    inject,
    verify,
    verifyTimeoutMs: 10_000,
    revert,
    verifyReverted,
    revertTimeoutMs: 180_000,
    deadmen: involved.map((n) => nodeDeadman(input, n, undo)),
    holdMs: input.holdMs,
    leavesMembership: minority,
    expectFenced: quorate ? minority : [],
    defaultExpectations: ['no-split-brain', 'recovered'],
    reverts: true,
  }
  return {ok: true, plan}
}

const options = {
  isolate: opt.node({description: 'Isolate this node (a name, or @service, @dc, @replica).'}),
  groups: opt.string({
    description: 'Explicit groups: n1,n2/n3 (nodes not named join the first group).',
    pattern: '^[A-Za-z0-9._,@-]+(/[A-Za-z0-9._,@-]+)+$',
    expected: 'groups such as n1,n2/n3',
    refersTo: 'node-groups',
  }),
  isolateWitness: opt.boolean({description: 'Isolate the witness (role witness).'}),
  majorityMinority: opt.boolean({description: 'Split into a majority and a minority.'}),
}

function specOf(ctx: FaultContext<typeof options, unknown>): PartitionSpec {
  const o = ctx.options
  if (o.isolate !== undefined) return {kind: 'isolate', node: o.isolate}
  if (o.groups !== undefined) return {kind: 'groups', groups: parseGroups(o.groups)}
  if (o.isolateWitness) return {kind: 'isolate-witness'}
  return {kind: 'majority', ...(ctx.target !== undefined ? {node: ctx.target} : {})}
}

export default defineFault({
  id: 'partition',
  summary: 'Split the cluster into groups of nodes that cannot reach each other.',
  description: `On every node, hacheck's chain HACHECK drops traffic from and to the addresses (on the inventory's networks) of the nodes in the other groups; the controller's SSH path and the BMCs stay open. Give exactly one of:
  --isolate NODE        that node alone against the rest
  --groups n1,n2/n3     explicit groups, separated by "/" (nodes not named join the first group)
  --isolate-witness     the node(s) with role witness against the rest
  --majority-minority   a minority of ⌊(N-1)/2⌋ nodes (including --node, if given) against the rest
Split-brain must not happen: the default expectation is "no-split-brain" (at no sample do two nodes hold the VIP).`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --isolate n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --groups n1,n2/n3,n4 --allow-quorum-loss --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --isolate n1 --duration 30s --workload pg-write --expect "split-brain-writes == 0" --yes',
  ],
  target: {
    required: false,
    description: 'With --majority-minority: a node to put in the minority.',
    dependsOn: ['majorityMinority'],
  },
  options,
  rules: [{exactlyOne: ['isolate', 'groups', 'isolateWitness', 'majorityMinority']}],
  phases: {
    inject:
      "on every node, chain HACHECK: RETURN for the controller's SSH path and the BMCs, then DROP from and to every address of the nodes in the other groups",
    verify: 'chain HACHECK is in place on every node',
    revert: "delete this run's jumps and chain on every node; idempotent",
    deadman: 'on every node: the same revert script, run when the lease is not renewed',
  },
  touches(ctx) {
    const inv = ctx.inventory
    const r = resolveGroups(
      specOf(ctx),
      partitionMembers(inv),
      new Map(inv.nodes.map((n) => [n.name, n.roles])),
    )
    return r.ok ? r.groups.flat() : []
  },
  plan: (input, ctx) => planPartition(input, {spec: specOf(ctx)}),
})
