/**
 * kill-process: SIGKILL a daemon on a node, or freeze it (SIGSTOP) for the
 * hold and thaw it (SIGCONT).
 *
 * The PIDs are found ON THE NODE with `pgrep -x NAME` (exact process name) and
 * saved in /run/hacheck/<runId>.pids; nothing is ever killed on the
 * controller, and never by a pattern.
 *
 * Phases:
 * - kill: inject SIGKILL; verify the saved PIDs are gone. There is no revert:
 *   Pacemaker (or the init system) restarts or relocates the process, or
 *   fences the node. The report says so.
 * - stop: inject SIGSTOP; verify every saved PID is in state T; revert SIGCONT
 *   to the saved PIDs that still run NAME; verify none is stopped. The
 *   dead-man sends SIGCONT if hacheck dies.
 */
import {shellQuote} from '../../core/shell.js'
import {opt} from '../plan/options.js'
import {NODE_STATE_DIR, type FaultPlan, type PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'
import {defineFault, targetOf} from './parts/define.js'

interface KillOptions {
  node: string
  process: string
  signal: 'KILL' | 'STOP'
}

/** An exact process name (pgrep -x); nothing that could be a pattern. */
const PROCESS_PATTERN = '^[A-Za-z0-9_.:@+-]{1,64}$'

/** Processes whose loss takes the node out of the Corosync membership. */
const MEMBERSHIP_DAEMONS = new Set(['corosync'])

/** Also used directly by the data-tier experiments (test/integration/data/patroni.test.ts). */
export function planKillProcess(input: PlanInput, o: KillOptions): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (!new RegExp(PROCESS_PATTERN).test(o.process)) {
    return refuse(
      `--process must be an exact process name (letters, digits, . _ - : @ +), found ${JSON.stringify(o.process)}`,
    )
  }
  // The kernel keeps 15 characters of a process name (comm): pgrep -x matches
  // those, and a longer name (pacemaker-controld) is then confirmed on argv[0].
  const name = shellQuote(o.process.slice(0, 15))
  const full = shellQuote(o.process)
  const pidFile = `${NODE_STATE_DIR}/${input.runId}.pids`
  const pf = shellQuote(pidFile)
  const save = [
    'set -e',
    `mkdir -p ${NODE_STATE_DIR} && chmod 700 ${NODE_STATE_DIR}`,
    `pids=""`,
    `for p in $(pgrep -x ${name} || true); do`,
    `  a0=$(tr '\\0' '\\n' < /proc/$p/cmdline 2>/dev/null | head -n 1)`,
    `  if [ "$(cat /proc/$p/comm 2>/dev/null)" = ${full} ] || [ "\${a0##*/}" = ${full} ]; then pids="$pids $p"; fi`,
    'done',
    `[ -n "$pids" ] || { echo "no process named ${o.process} runs on this node" >&2; exit 3; }`,
    `echo $pids > ${pf}`,
  ]
  // Only PIDs that still run NAME are signalled (a PID may have been reused).
  const ours = (sig: string): string =>
    `for p in $(cat ${pf} 2>/dev/null); do [ "$(cat /proc/$p/comm 2>/dev/null)" = ${name} ] && kill -${sig} "$p" 2>/dev/null; done; true`
  const state = `for p in $(cat ${pf}); do [ "$(cat /proc/$p/comm 2>/dev/null)" = ${name} ] || continue; s=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f1); echo "$p $s"; done`
  const leaves = MEMBERSHIP_DAEMONS.has(o.process)
  if (o.signal === 'KILL') {
    const plan: FaultPlan = {
      fault: 'kill-process',
      targets: [o.node],
      summary: `SIGKILL ${o.process} on ${o.node}, then observe for ${seconds(input.holdMs)}`,
      notes: [
        'SIGKILL cannot be reverted: recovery is up to Pacemaker or the init system (restart, relocation or fencing)',
      ],
      inject: [
        {
          kind: 'node',
          node: o.node,
          what: `SIGKILL every ${o.process}`,
          script: [...save, `kill -KILL $pids`].join('\n'),
        },
      ],
      verify: [
        {
          kind: 'node',
          node: o.node,
          what: `the killed ${o.process} PIDs are gone`,
          script: `for p in $(cat ${pf}); do [ "$(cat /proc/$p/comm 2>/dev/null)" = ${name} ] && exit 1; done; exit 0`,
        },
      ],
      verifyTimeoutMs: 10_000,
      revert: [{kind: 'node', node: o.node, what: 'forget the saved PIDs', script: `rm -f ${pf}`}],
      verifyReverted: [],
      revertTimeoutMs: 60_000,
      deadmen: [],
      holdMs: input.holdMs,
      leavesMembership: leaves ? [o.node] : [],
      expectFenced: leaves ? [o.node] : [],
      defaultExpectations: ['no-split-brain', 'recovered'],
      reverts: false,
    }
    return {ok: true, plan}
  }
  const undo = `${ours('CONT')}\nrm -f ${pf}`
  const plan: FaultPlan = {
    fault: 'kill-process',
    targets: [o.node],
    summary: `freeze ${o.process} on ${o.node} (SIGSTOP) for ${seconds(input.holdMs)}, then SIGCONT`,
    notes: leaves
      ? [`a frozen ${o.process} stops answering the membership protocol: expect ${o.node} to be fenced`]
      : [],
    inject: [
      {
        kind: 'node',
        node: o.node,
        what: `SIGSTOP every ${o.process}`,
        script: [...save, `kill -STOP $pids`].join('\n'),
      },
    ],
    verify: [
      {
        kind: 'node',
        node: o.node,
        what: `every saved ${o.process} PID is stopped`,
        script: `${state} | awk '$2 != "T" && $2 != "t" {bad=1} END {exit bad}'`,
      },
    ],
    verifyTimeoutMs: 10_000,
    revert: [{kind: 'node', node: o.node, what: `SIGCONT the saved ${o.process} PIDs`, script: undo}],
    verifyReverted: [
      {
        kind: 'node',
        node: o.node,
        what: `no ${o.process} is left stopped`,
        script: `for p in $(pgrep -x ${name}); do s=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f1); [ "$s" = T ] && exit 1; done; [ ! -e ${pf} ]`,
      },
    ],
    revertTimeoutMs: 60_000,
    deadmen: [nodeDeadman(input, o.node, undo)],
    holdMs: input.holdMs,
    leavesMembership: leaves ? [o.node] : [],
    expectFenced: [],
    defaultExpectations: ['no-split-brain', 'recovered'],
    reverts: true,
  }
  return {ok: true, plan}
}

export default defineFault({
  id: 'kill-process',
  summary: 'SIGKILL a daemon on a node, or freeze it (SIGSTOP) for the duration and thaw it (SIGCONT).',
  description: `The PIDs are found on the node with pgrep -x (the exact process name, e.g. corosync, pacemakerd, pacemaker-controld, postgres) and saved there; only those PIDs are signalled. Nothing is ever killed on this machine.

--signal KILL cannot be reverted: recovery is up to Pacemaker or the init system (restart, relocation or fencing), and the report says so. --signal STOP is reverted with SIGCONT after the duration (or by the node-side dead-man if hacheck dies).`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --process pacemaker-controld --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --process corosync --signal STOP --duration 20s --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --process postgres --duration 20s --workload pg-write --expect "lost-writes == 0" --yes',
  ],
  target: {required: true, description: 'Target node: a name, or @service, @dc, @replica.'},
  options: {
    process: opt.string({
      description: 'Exact process name (pgrep -x), e.g. corosync.',
      pattern: PROCESS_PATTERN,
      expected: 'an exact process name such as corosync',
      required: true,
      char: 'p',
    }),
    signal: opt.enum(['KILL', 'STOP'], {
      description: 'KILL, or STOP (then CONT after the duration).',
      default: 'KILL',
    }),
  },
  phases: {
    inject:
      'pgrep -x NAME on the node, the PIDs saved in /run/hacheck/<run>.pids, then kill -KILL (or -STOP) those PIDs',
    verify: 'KILL: the saved PIDs are gone; STOP: every saved PID is in state T',
    revert: "KILL: none (recovery is the cluster's job); STOP: SIGCONT to the saved PIDs that still run NAME",
    deadman: 'STOP: on the node, SIGCONT to the saved PIDs when the lease is not renewed; KILL: none',
  },
  plan: (input, ctx) => planKillProcess(input, {node: targetOf(ctx), ...ctx.options}),
})
