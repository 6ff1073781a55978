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
import {NETEM_HANDLE, type FaultPlan, type PlanResult} from '../plan/types.js'
import {
  chainGuard,
  chooseInterface,
  exemptionsFor,
  isPlanResult,
  needFacts,
  nodeDeadman,
  refuse,
  seconds,
  type PlanInput,
} from './parts/common.js'

export interface NetemOptions {
  node: string
  network?: string
  interface?: string
  method: 'netem' | 'iptables-loss'
  delayMs?: number
  jitterMs?: number
  /** Percent, 0-100. */
  lossPct?: number
  corruptPct?: number
}

/** Default qdiscs the kernel attaches by itself; `tc qdisc add root` works over them. */
const DEFAULT_ROOT_QDISCS = new Set(['noqueue', 'pfifo_fast', 'fq_codel', 'mq', 'pfifo', 'fq'])

/** true when tc's error says the kernel has no netem scheduler. */
export function netemUnsupported(stderr: string): boolean {
  return /Specified qdisc kind is unknown|No such file or directory|Unknown qdisc "netem"|qdisc kind is unknown/i.test(
    stderr,
  )
}

/** The error when the kernel lacks sch_netem: what tc said, and the way out. */
export function netemUnsupportedMessage(node: string, stderr: string): string {
  const said =
    stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ') || 'Specified qdisc kind is unknown'
  return `the kernel of ${node} has no netem scheduler (sch_netem): tc said "${said}". Delay, jitter and corruption cannot be injected there; for packet loss use --method iptables-loss`
}

function fmtPct(p: number): string {
  return `${Math.round(p * 1000) / 1000}%`
}

export function netemArgs(o: NetemOptions): string[] {
  const args: string[] = []
  if (o.delayMs !== undefined) {
    args.push('delay', `${o.delayMs}ms`)
    if (o.jitterMs !== undefined) args.push(`${o.jitterMs}ms`)
  }
  if (o.lossPct !== undefined) args.push('loss', fmtPct(o.lossPct))
  if (o.corruptPct !== undefined) args.push('corrupt', fmtPct(o.corruptPct))
  return args
}

export function planNetem(input: PlanInput, o: NetemOptions): PlanResult {
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
    if (o.delayMs !== undefined || o.jitterMs !== undefined || o.corruptPct !== undefined) {
      return refuse(
        '--method iptables-loss can only drop packets (--loss); delay, jitter and corruption need --method netem',
      )
    }
    if (o.lossPct === undefined || o.lossPct <= 0 || o.lossPct > 100)
      return refuse('give --loss PERCENT (0 < loss ≤ 100)')
    const guard = chainGuard(facts)
    if (guard) return guard
    const ex = exemptionsFor(input.inventory, facts)
    if (!ex.controller)
      return refuse(`cannot tell the controller's address as ${o.node} sees it (SSH_CONNECTION is empty)`)
    const p = (o.lossPct / 100).toFixed(4).replace(/0+$/, '').replace(/\.$/, '')
    const stat = ['-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP']
    const rules: Rule[] = [
      ...exemptionRules(ex),
      {family: 'both', args: ['-i', ifname, ...stat]},
      {family: 'both', args: ['-o', ifname, ...stat]},
    ]
    const undo = revertChainScript(input.runId)
    const plan: FaultPlan = {
      ...base,
      summary: `netem ${o.node} ${how}: drop ${fmtPct(o.lossPct)} of packets at random (iptables statistic) for ${seconds(input.holdMs)}`,
      notes: ['iptables drops each packet independently with the given probability, in both directions'],
      inject: [
        {
          kind: 'node',
          node: o.node,
          what: `drop ${fmtPct(o.lossPct)} of packets on ${ifname}`,
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
  const mine = `tc qdisc show dev ${dev} | grep -q '^qdisc netem ${h} root'`
  const undo = `if ${mine}; then tc qdisc del dev ${dev} root handle ${h}; fi`
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
      },
    ],
    verify: [{kind: 'node', node: o.node, what: `netem ${h} is the root qdisc of ${ifname}`, script: mine}],
    revert: [{kind: 'node', node: o.node, what: `delete netem ${h} from ${ifname}`, script: undo}],
    verifyReverted: [
      {
        kind: 'node',
        node: o.node,
        what: `no hacheck qdisc on ${ifname}`,
        script: `! tc qdisc show dev ${dev} | grep -q 'qdisc netem ${h}'`,
      },
    ],
    deadmen: [nodeDeadman(input, o.node, undo)],
  }
  return {ok: true, plan}
}
