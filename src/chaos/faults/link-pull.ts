/**
 * link-pull: cut one interface of one node, as if its cable were pulled.
 *
 * Phases:
 * - guard: the interface is found from the inventory network (the node's
 *   interface holding an address in that CIDR, from `ip -j addr`) or named;
 *   no HACHECK chain may exist (iptables), the link must be up and must not
 *   carry the controller's SSH connection (link-down).
 * - inject (iptables, default): chain HACHECK with, in order, RETURN for the
 *   controller's SSH path (controller address ↔ sshd port) and for every BMC
 *   address, then DROP `-i IF` and `-o IF`; jumps from INPUT/OUTPUT at
 *   position 1; ARP on IF is dropped too (arptables, chain HK-<run id>, same
 *   exemptions: a real pulled cable answers no ARP, and a cut VRRP MASTER
 *   answering ARP for its VIP keeps clients on it). (link-down: `ip link set dev IF down`.)
 * - verify: the jumps are first in INPUT and OUTPUT and the DROPs are there
 *   (link-down: `ip -j addr`, read by src/facts/ip-addr.ts on the controller,
 *   shows the link without its UP flag).
 * - revert: delete this run's jumps and chain, idempotent (link-down: set up).
 * - verify removed: no rule carrying this run's marker is left (link-down: UP).
 * Assumption: if all of the node's Corosync rings are on IF, the node leaves
 * the membership and is expected to be fenced.
 */
import {shellQuote} from '../../core/shell.js'
import {
  exemptionRules,
  injectChainScript,
  revertChainScript,
  verifyChainGoneScript,
  verifyChainScript,
  type Rule,
} from './parts/iptables.js'
import {arpGoneScript, arpInjectScript, arpRevertScript, arpVerifyScript} from './parts/arp.js'
import {ipAddrScript} from '../plan/holds.js'
import {opt} from '../plan/options.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import {
  carriesAllRings,
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

const options = {
  ...interfaceOptions('pulled'),
  method: opt.enum(['iptables', 'link-down'], {description: 'How the link is cut.', default: 'iptables'}),
}

export default defineFault({
  id: 'link-pull',
  summary: "Pull a node's network cable: drop all traffic on one of its interfaces, then restore it.",
  description: `The interface is the node's interface holding an address in the inventory network given with --network (e.g. heartbeat), or the one named with --interface.

By default the traffic is dropped with iptables in hacheck's own chain HACHECK (jumped from INPUT and OUTPUT at position 1), and ARP on the interface with arptables in a chain named after the run; the controller's SSH path and every BMC address stay open, and hacheck never touches a rule it did not create. --method link-down sets the link down instead (refused when it carries hacheck's own SSH connection).

Before anything changes: preflight (healthy, quorate, fencing on, quorum kept), the revert ledger on disk, and a dead-man timer on the node that reverts on its own if hacheck dies. After the hold the fault is reverted and verified gone. The workload (--load) measures what clients saw; the cluster is watched from the survivors and Pacemaker's log gives the precise phase times.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --network heartbeat --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --network heartbeat --yes --format json',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --interface eth1 --method link-down --dry-run',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node @service --network heartbeat --workload pg-write --expect "lost-writes == 0" --yes',
  ],
  target: {required: true, description: 'Target node: a name, or @service, @dc, @replica.'},
  options,
  rules: [{atLeastOne: ['network', 'interface']}],
  phases: {
    inject:
      "iptables (default): chain HACHECK with RETURN for the controller's SSH path and every BMC address first, then DROP -i IF and -o IF, jumped from INPUT and OUTPUT at position 1, in one iptables-restore per family; the same for ARP with arptables (chain HK-<run id>); link-down: ip link set dev IF down",
    verify:
      'the jumps are first in INPUT and OUTPUT and the DROPs are there (link-down: the link has no UP flag)',
    revert: "delete this run's jumps and chains, ARP's too (link-down: set the link up); idempotent",
    deadman: 'on the node: the same revert script, run when the lease is not renewed',
  },
  plan: (input, ctx) => planLinkPull(input, {node: targetOf(ctx), ...ctx.options}),
})

function planLinkPull(
  input: PlanInput,
  o: {node: string; network?: string; interface?: string; method: 'iptables' | 'link-down'},
): PlanResult {
  const facts = needFacts(input, o.node)
  if (isPlanResult(facts)) return facts
  const chosen = chooseInterface(input.inventory, facts, o)
  if (!chosen.ok) return refuse(chosen.reason)
  const {ifname, how} = chosen.choice
  const isolates = carriesAllRings(facts, ifname)
  const notes: string[] = []
  const ssh = facts.ssh
  const sshOnIf = ssh ? chosen.choice.addrs.some((a) => a.address === ssh.serverAddress) : false
  let plan: FaultPlan
  const base = {
    fault: 'link-pull' as const,
    targets: [o.node],
    holdMs: input.holdMs,
    leavesMembership: isolates ? [o.node] : [],
    expectFenced: isolates ? [o.node] : [],
    defaultExpectations: isolates ? [`fenced: ${o.node}`, 'no-split-brain', 'recovered'] : ['no-split-brain'],
    reverts: true,
    verifyTimeoutMs: 10_000,
    revertTimeoutMs: 180_000,
  }
  if (!isolates) {
    notes.push(
      facts.ringAddrs.length
        ? `${ifname} does not carry all of ${o.node}'s Corosync rings (${facts.ringAddrs.join(', ')}): the node should stay a member`
        : `Corosync's rings of ${o.node} are unknown (corosync-cmapctl did not answer): fencing is not expected`,
    )
  }
  if (o.method === 'link-down') {
    if (sshOnIf) {
      return refuse(
        `${ifname} on ${o.node} carries hacheck's own SSH connection (${ssh?.serverAddress}): downing it would cut hacheck off; use --method iptables, which keeps the SSH path open`,
      )
    }
    const link = chosen.choice.addrs[0]
    if (link && !link.flags.includes('UP')) return refuse(`${ifname} on ${o.node} is already down`)
    const dev = shellQuote(ifname)
    const undo = `ip link set dev ${dev} up`
    plan = {
      ...base,
      summary: `link-pull ${o.node} ${how} by setting the link down for ${seconds(input.holdMs)}`,
      notes: [
        ...notes,
        'link-down also drops the routes through the interface; they come back with the link',
      ],
      inject: [
        {kind: 'node', node: o.node, what: `set ${ifname} down`, script: `ip link set dev ${dev} down`},
      ],
      verify: [
        {
          kind: 'node',
          node: o.node,
          what: `${ifname} is down`,
          script: ipAddrScript(ifname, shellQuote),
          holds: {fact: 'ip-addr', ifname, up: false},
        },
      ],
      revert: [{kind: 'node', node: o.node, what: `set ${ifname} up`, script: undo}],
      verifyReverted: [
        {
          kind: 'node',
          node: o.node,
          what: `${ifname} is up`,
          script: ipAddrScript(ifname, shellQuote),
          holds: {fact: 'ip-addr', ifname, up: true},
        },
      ],
      deadmen: [nodeDeadman(input, o.node, undo)],
    }
    return {ok: true, plan}
  }
  const guard = chainGuard(facts)
  if (guard) return guard
  const ex = exemptionsFor(input.inventory, facts)
  if (!ex.controller) {
    return refuse(
      `cannot tell the controller's address as ${o.node} sees it (SSH_CONNECTION is empty): refusing to add DROP rules that could cut hacheck off`,
    )
  }
  const rules: Rule[] = [
    ...exemptionRules(ex),
    {family: 'both', args: ['-i', ifname, '-j', 'DROP']},
    {family: 'both', args: ['-o', ifname, '-j', 'DROP']},
  ]
  const undo = `${revertChainScript(input.runId)}\n${arpRevertScript(input.runId)}`
  if (sshOnIf)
    notes.push(`${ifname} carries hacheck's SSH connection: it stays open through the exemption rules`)
  plan = {
    ...base,
    summary: `link-pull ${o.node} ${how}: drop all traffic on ${ifname} (iptables chain HACHECK) for ${seconds(input.holdMs)}`,
    notes,
    inject: [
      {
        kind: 'node',
        node: o.node,
        what: `drop all traffic on ${ifname}, ARP included`,
        script: `${injectChainScript(input.runId, rules)}\n${arpInjectScript(input.runId, ifname, ex)}`,
      },
    ],
    verify: [
      {
        kind: 'node',
        node: o.node,
        what: 'chain HACHECK (and its ARP chain) is in place',
        script: `${verifyChainScript(input.runId)}\n${arpVerifyScript(input.runId)}`,
      },
    ],
    revert: [{kind: 'node', node: o.node, what: 'remove chain HACHECK and its jumps', script: undo}],
    verifyReverted: [
      {
        kind: 'node',
        node: o.node,
        what: 'no hacheck rule is left (ARP included)',
        script: `${verifyChainGoneScript(input.runId)}\n${arpGoneScript(input.runId)}`,
      },
    ],
    deadmen: [nodeDeadman(input, o.node, undo)],
  }
  return {ok: true, plan}
}
