/**
 * netem: degrade one interface of one node (delay, jitter, loss, corruption).
 *
 * Methods:
 * - netem (default): `tc qdisc add dev IF root handle 4843: netem …`. `add`
 *   (never `replace`) fails if the interface already has a non-default root
 *   qdisc, so an operator's qdisc is never clobbered; revert deletes only the
 *   qdisc with hacheck's handle. Where the kernel has no sch_netem, tc fails
 *   with "Specified qdisc kind is unknown" (or "No such file or directory"):
 *   that is reported in those words, with the iptables-loss alternative.
 * - iptables-loss: packet loss only, `-m statistic --mode random
 *   --probability P -j DROP` on IF in chain HACHECK (exemptions first).
 */
import {shellJoin, shellQuote} from '../../core/shell.js'
import {
  exemptionRules,
  injectChainScript,
  revertChainScript,
  verifyChainGoneScript,
  verifyChainScript,
  type Rule,
} from './parts/iptables.js'
import {opt} from '../plan/options.js'
import {tcQdiscScript} from '../plan/holds.js'
import {NETEM_HANDLE, type FaultPlan, type NodeStep, type PlanResult} from '../plan/types.js'
import {
  chainGuard,
  chooseInterface,
  exemptionsFor,
  isPlanResult,
  needFacts,
  nodeDeadman,
  refuse,
  seconds,
  interfaceOptions,
  type PlanInput,
} from './parts/common.js'
import {defineFault, targetOf} from './parts/define.js'

export interface NetemOptions {
  node: string
  network?: string
  interface?: string
  method: 'netem' | 'iptables-loss'
  /** ms */
  delay?: number
  jitter?: number
  /** Percent, 0-100. */
  loss?: number
  corrupt?: number
}

/** Default qdiscs the kernel attaches by itself; `tc qdisc add root` works over them. */
const DEFAULT_ROOT_QDISCS = new Set(['noqueue', 'pfifo_fast', 'fq_codel', 'mq', 'pfifo', 'fq'])

/** What tc says when the kernel has no netem scheduler. */
export const NETEM_UNSUPPORTED =
  'Specified qdisc kind is unknown|No such file or directory|Unknown qdisc "netem"|qdisc kind is unknown'

/** The error when the kernel lacks sch_netem: what tc said ({stderr}), and the way out. */
export function netemUnsupportedMessage(node: string): string {
  return `the kernel of ${node} has no netem scheduler (sch_netem): tc said "{stderr}". Delay, jitter and corruption cannot be injected there; for packet loss use --method iptables-loss`
}

function fmtPct(p: number): string {
  return `${Math.round(p * 1000) / 1000}%`
}

export function netemArgs(o: NetemOptions): string[] {
  const args: string[] = []
  if (o.delay !== undefined) {
    args.push('delay', `${o.delay}ms`)
    if (o.jitter !== undefined) args.push(`${o.jitter}ms`)
  }
  if (o.loss !== undefined) args.push('loss', fmtPct(o.loss))
  if (o.corrupt !== undefined) args.push('corrupt', fmtPct(o.corrupt))
  return args
}

function planNetem(input: PlanInput, o: NetemOptions): PlanResult {
  const facts = needFacts(input, o.node)
  if (isPlanResult(facts)) return facts
  const chosen = chooseInterface(input.inventory, facts, o)
  if (!chosen.ok) return refuse(chosen.reason)
  const {ifname, how} = chosen.choice
  const dev = shellQuote(ifname)
  const base = {
    fault: 'netem' as const,
    targets: [o.node],
    holdMs: input.holdMs,
    leavesMembership: [],
    expectFenced: [],
    defaultExpectations: ['no-split-brain'],
    reverts: true,
    verifyTimeoutMs: 10_000,
    revertTimeoutMs: 60_000,
  }
  if (o.method === 'iptables-loss') {
    if (o.delay !== undefined || o.jitter !== undefined || o.corrupt !== undefined) {
      return refuse(
        '--method iptables-loss can only drop packets (--loss); delay, jitter and corruption need --method netem',
      )
    }
    const lossPct = o.loss
    if (lossPct === undefined || lossPct <= 0 || lossPct > 100)
      return refuse('give --loss PERCENT (0 < loss ≤ 100)')
    const guard = chainGuard(facts)
    if (guard) return guard
    const ex = exemptionsFor(input.inventory, facts)
    if (!ex.controller)
      return refuse(`cannot tell the controller's address as ${o.node} sees it (SSH_CONNECTION is empty)`)
    const p = (lossPct / 100).toFixed(4).replace(/0+$/, '').replace(/\.$/, '')
    const stat = ['-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP']
    const rules: Rule[] = [
      ...exemptionRules(ex),
      {family: 'both', args: ['-i', ifname, ...stat]},
      {family: 'both', args: ['-o', ifname, ...stat]},
    ]
    const undo = revertChainScript(input.runId)
    const plan: FaultPlan = {
      ...base,
      summary: `netem ${o.node} ${how}: drop ${fmtPct(lossPct)} of packets at random (iptables statistic) for ${seconds(input.holdMs)}`,
      notes: ['iptables drops each packet independently with the given probability, in both directions'],
      inject: [
        {
          kind: 'node',
          node: o.node,
          what: `drop ${fmtPct(lossPct)} of packets on ${ifname}`,
          script: injectChainScript(input.runId, rules),
        },
      ],
      verify: [
        {
          kind: 'node',
          node: o.node,
          what: 'chain HACHECK is in place',
          script: verifyChainScript(input.runId, ['statistic']),
        },
      ],
      revert: [{kind: 'node', node: o.node, what: 'remove chain HACHECK and its jumps', script: undo}],
      verifyReverted: [
        {
          kind: 'node',
          node: o.node,
          what: 'no hacheck rule is left',
          script: verifyChainGoneScript(input.runId),
        },
      ],
      deadmen: [nodeDeadman(input, o.node, undo)],
    }
    return {ok: true, plan}
  }
  const args = netemArgs(o)
  if (args.length === 0) return refuse('give at least one of --delay, --loss, --corrupt')
  const root = facts.qdiscs.find((q) => q.dev === ifname && q.root)
  if (root && root.kind === 'netem') {
    return refuse(
      `${ifname} on ${o.node} already has a netem root qdisc (handle ${root.handle}); remove it or run \`hacheck chaos revert\``,
    )
  }
  if (root && !DEFAULT_ROOT_QDISCS.has(root.kind)) {
    return refuse(
      `${ifname} on ${o.node} has its own root qdisc (${root.kind} ${root.handle}); hacheck will not replace it`,
    )
  }
  const h = NETEM_HANDLE
  // Deletes the root qdisc only if its handle is hacheck's (tc refuses a handle that does not match);
  // whether it is gone is judged from tc's own output (verifyReverted).
  const undo = `tc qdisc del dev ${dev} root handle ${h} 2>/dev/null; true`
  const qdisc = (root: boolean, what: string): NodeStep => ({
    kind: 'node',
    node: o.node,
    what,
    script: tcQdiscScript(ifname, shellQuote),
    holds: {fact: 'tc-qdisc', dev: ifname, handle: h, kind: 'netem', root},
  })
  const plan: FaultPlan = {
    ...base,
    summary: `netem ${o.node} ${how}: ${args.join(' ')} on ${ifname} for ${seconds(input.holdMs)}`,
    notes: ['netem acts on packets leaving the interface only (egress)'],
    inject: [
      {
        kind: 'node',
        node: o.node,
        what: `add netem (${args.join(' ')}) to ${ifname}`,
        script: `tc qdisc add dev ${dev} root handle ${h} netem ${shellJoin(args)}`,
        explain: {
          when: NETEM_UNSUPPORTED,
          message: netemUnsupportedMessage(o.node),
          code: 'netem-unsupported',
        },
      },
    ],
    verify: [qdisc(true, `netem ${h} is the root qdisc of ${ifname}`)],
    revert: [{kind: 'node', node: o.node, what: `delete netem ${h} from ${ifname}`, script: undo}],
    verifyReverted: [qdisc(false, `no hacheck qdisc on ${ifname}`)],
    deadmen: [nodeDeadman(input, o.node, undo)],
  }
  return {ok: true, plan}
}

export default defineFault({
  id: 'netem',
  summary: "Degrade one node's interface: delay, jitter, packet loss, corruption.",
  description: `--method netem (default) adds a tc netem qdisc (handle 4843:) as the interface's root qdisc; it never replaces a qdisc the operator installed, and the revert deletes only hacheck's. Where the kernel has no sch_netem, hacheck says so and stops, with nothing left behind.

--method iptables-loss drops packets at random with iptables (-m statistic --mode random --probability P) in hacheck's chain HACHECK: packet loss only, but it works without sch_netem.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --delay 200ms --jitter 50ms --duration 60s --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --loss 30 --method iptables-loss --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network public --delay 300ms --duration 30s --workload pg-write --yes',
  ],
  target: {required: true, description: 'Target node: a name, or @service, @dc, @replica.'},
  options: {
    ...interfaceOptions('degraded'),
    method: opt.enum(['netem', 'iptables-loss'], {
      description: 'netem (tc) or iptables-loss (loss only).',
      default: 'netem',
    }),
    delay: opt.duration({description: 'Added delay, e.g. 100ms.'}),
    jitter: opt.duration({description: 'Delay variation, e.g. 20ms (with --delay).', dependsOn: ['delay']}),
    loss: opt.percent({description: 'Packet loss in percent, e.g. 10 or 0.5.'}),
    corrupt: opt.percent({description: 'Corrupted packets in percent.'}),
  },
  rules: [{atLeastOne: ['network', 'interface']}, {atLeastOne: ['delay', 'loss', 'corrupt']}],
  phases: {
    inject:
      "netem: tc qdisc add dev IF root handle 4843: netem … (add, never replace: an operator's root qdisc is never clobbered); iptables-loss: chain HACHECK with -m statistic --mode random --probability P -j DROP on IF, exemptions first",
    verify:
      'netem: the qdisc with handle 4843: is the root qdisc of IF; iptables-loss: chain HACHECK is in place',
    revert: "delete only hacheck's qdisc (handle 4843:), or this run's chain and jumps; idempotent",
    deadman: 'on the node: the same revert script, run when the lease is not renewed',
  },
  plan: (input, ctx) => planNetem(input, {node: targetOf(ctx), ...ctx.options}),
})
