/**
 * disk-fill: fill the filesystem of a directory on a node, at most --size
 * bytes, for the hold, then give the space back. What an application sees when
 * its disk is full (ENOSPC on write), bounded so that the fault never takes
 * more than it was allowed to, and always reverted.
 *
 * Phases:
 * - inject: zeros written to one file, DIR/.hacheck-fill-<run>, until --size
 *   bytes are written or the filesystem is full (whichever comes first).
 * - verify: the file is there and not empty.
 * - revert: the file is removed; verify removed: it is gone.
 * - dead-man: on the node, the same removal if hacheck dies.
 *
 * Nothing else on the node is touched: only the one file named after the run.
 * In the lab, give a node-private directory (--path /tmp: each node's own
 * tmpfs); elsewhere, the filesystem a service writes to.
 */
import {shellQuote} from '../../core/shell.js'
import {opt} from '../plan/options.js'
import type {FaultPlan, NodeStep, PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'
import {defineFault, targetOf} from './parts/define.js'

/** An absolute directory in plain characters (no spaces, no shell syntax, no `..`). */
const PATH_PATTERN = '^/(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9._/+-]*$'
const MiB = 1024 * 1024

/** The file the fault writes: one per run, hidden, in the directory given. */
export function fillFile(dir: string, runId: string): string {
  return `${dir.replace(/\/+$/, '') || ''}/.hacheck-fill-${runId}`
}

function planDiskFill(input: PlanInput, o: {node: string; path: string; size: number}): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  const file = shellQuote(fillFile(o.path, input.runId))
  const dir = shellQuote(o.path)
  const mib = Math.max(1, Math.ceil(o.size / MiB))
  const step = (what: string, script: string): NodeStep => ({kind: 'node', node: o.node, what, script})
  const remove = `rm -f ${file}`
  const plan: FaultPlan = {
    fault: 'disk-fill',
    targets: [o.node],
    summary: `fill the filesystem of ${o.path} on ${o.node} (at most ${mib} MiB) for ${seconds(input.holdMs)}, then free it`,
    notes: [`only ${fillFile(o.path, input.runId)} is written, and removed on revert (or by the dead-man)`],
    inject: [
      step(
        `write at most ${mib} MiB of zeros to ${fillFile(o.path, input.runId)} (stops early when the filesystem is full)`,
        [
          `[ -d ${dir} ] || { echo "no directory ${o.path} on this node" >&2; exit 3; }`,
          // A full filesystem ends the write early (ENOSPC): that is the fault, not an error.
          `head -c ${o.size} /dev/zero > ${file} 2>/dev/null || true`,
          `sync ${file} 2>/dev/null || true`,
          `[ -s ${file} ]`,
        ].join('\n'),
      ),
    ],
    verify: [step(`${fillFile(o.path, input.runId)} is there`, `[ -s ${file} ]`)],
    verifyTimeoutMs: 10_000,
    revert: [step(`remove ${fillFile(o.path, input.runId)}`, remove)],
    verifyReverted: [step(`${fillFile(o.path, input.runId)} is gone`, `[ ! -e ${file} ]`)],
    revertTimeoutMs: 30_000,
    deadmen: [nodeDeadman(input, o.node, remove)],
    holdMs: input.holdMs,
    leavesMembership: [],
    expectFenced: [],
    defaultExpectations: ['not-fenced', 'no-split-brain'],
    reverts: true,
  }
  return {ok: true, plan}
}

export default defineFault({
  id: 'disk-fill',
  summary: 'Fill the filesystem of a directory on a node (bounded by --size), then free it.',
  description: `Zeros are written to one file, DIR/.hacheck-fill-<run>, until --size bytes are written or the filesystem is full, whichever comes first; the file stays for --duration and is then removed (by the node-side dead-man too, if hacheck dies). Only that file is ever written or removed. Services that write to that filesystem see "No space left on device" meanwhile: does the cluster notice, and does the service recover once the space is back?

In the lab, use --path /tmp (each node's own tmpfs, 64 MiB).`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n2 --path /tmp --size 64M --duration 20s --yes',
    '<%= config.bin %> <%= command.id %> -i cluster.yaml --node db1 --path /var/lib/postgresql --size 2G --duration 1m --dry-run',
  ],
  target: {
    required: true,
    description: 'Node whose filesystem is filled: a name, or @service, @dc, @replica.',
  },
  options: {
    path: opt.string({
      description: 'Directory on the node whose filesystem is filled (absolute).',
      pattern: PATH_PATTERN,
      expected: 'an absolute directory such as /tmp',
      required: true,
      helpValue: 'DIR',
    }),
    size: opt.size({
      description: 'At most this much is written (less when the filesystem is full first).',
      default: '64M',
      max: 16 * 1024 * MiB,
      helpValue: 'SIZE',
    }),
  },
  phases: {
    inject: 'write zeros to DIR/.hacheck-fill-<run> until --size is written or the filesystem is full',
    verify: 'the file is there and not empty',
    revert: 'remove the file; verify it is gone',
    deadman: 'on the node: remove the file when the lease is not renewed',
  },
  plan: (input, ctx) => planDiskFill(input, {node: targetOf(ctx), ...ctx.options}),
})
