/**
 * lb-drain: evacuate an app node from the load balancers, as a rolling deploy does, through HAProxy's
 * runtime API on every LB (the `stats socket` of /etc/haproxy/haproxy.cfg, through socat).
 *
 * Phases:
 * - prepare (read-only): `show servers state` on each LB finds the backend/server lines whose address is
 *   the app node's (inventory host), with their current admin state; a server already in drain or
 *   maintenance is refused.
 * - inject: `set server BACKEND/SERVER state drain` on every LB (no new connection goes to it, the open
 *   ones finish), wait until its current sessions are 0 (up to 30 s), then `state maint`.
 * - verify: every such server shows MAINT in `show stat`, judged on the controller by the haproxy-runtime
 *   parser (src/facts/), not by grep on the LB.
 * - revert: `set server BACKEND/SERVER state ready`; verify removed: none is MAINT or DRAIN any more (the
 *   same parser).
 * - dead-man on every LB: `state ready` if hacheck dies.
 * Default expectation: failed-probes == 0 (a planned evacuation must be invisible to clients).
 */
import {IncompleteError, InputError} from '../../core/errors.js'
import {shellQuote} from '../../core/shell.js'
import type {Inventory} from '../../core/types.js'
import {parseServersState} from '../../facts/haproxy-runtime.js'
import type {FaultPlan, NodeStep, PlanResult} from '../plan/types.js'
import {nodeDeadman, nodeSpec, refuse, seconds, type PlanInput} from './parts/common.js'
import {defineFault, targetOf} from './parts/define.js'

/** One server line of one LB to drain. */
export interface DrainTarget {
  lb: string
  backend: string
  server: string
}

export interface LbDrainOptions {
  node: string
  targets: DrainTarget[]
}

/** The LB's runtime API socket, from its haproxy.cfg (as the haproxy-runtime gatherer reads it). */
const SOCK = `s=$(awk '$1=="stats" && $2=="socket" {print $3; exit}' /etc/haproxy/haproxy.cfg); s=\${s#unix@}`
const api = (cmd: string): string => `echo ${shellQuote(cmd)} | socat -t 2 stdio "UNIX-CONNECT:$s"`

export const SERVERS_STATE_SCRIPT = `${SOCK}; ${api('show servers state')}`
/** `show stat` as the haproxy-runtime gatherer reads it (src/facts/haproxy-runtime.ts parses it). */
const SHOW_STAT_SCRIPT = `${SOCK}; ${api('show stat')}`
const server = (t: DrainTarget): {backend: string; server: string} => ({backend: t.backend, server: t.server})

function planLbDrain(input: PlanInput, o: LbDrainOptions): PlanResult {
  if (!nodeSpec(input.inventory, o.node)) return refuse(`unknown node ${o.node}`)
  if (o.targets.length === 0)
    return refuse(`no HAProxy backend server on the LB nodes has the address of ${o.node}`, [
      "lb-drain finds the server lines by the app node's inventory host: check `show servers state` on the LBs",
    ])
  const byLb = new Map<string, DrainTarget[]>()
  for (const t of o.targets) byLb.set(t.lb, [...(byLb.get(t.lb) ?? []), t])
  const name = (t: DrainTarget): string => `${t.backend}/${t.server}`
  const ready = (ts: DrainTarget[]): string =>
    [SOCK, ...ts.map((t) => api(`set server ${name(t)} state ready`))].join('\n')
  const statusOf = (t: DrainTarget): string =>
    `${api('show stat')} | awk -F, -v b=${shellQuote(t.backend)} -v s=${shellQuote(t.server)} '$1==b && $2==s {print $18 " " $5}'`
  const step = (lb: string, what: string, script: string): NodeStep => ({
    kind: 'node',
    node: lb,
    what,
    script,
  })
  const inject = [...byLb].map(([lb, ts]) =>
    step(
      lb,
      `drain ${ts.map(name).join(', ')} (no new connection; open ones finish), then maintenance`,
      [
        SOCK,
        ...ts.map((t) => api(`set server ${name(t)} state drain`)),
        // Wait for the open connections to finish (current sessions 0), 30 s at most.
        ...ts.map(
          (t) =>
            `for i in $(seq 300); do n=$(${statusOf(t)} | awk '{print $2}'); [ "\${n:-0}" = 0 ] && break; sleep 0.1; done`,
        ),
        ...ts.map((t) => api(`set server ${name(t)} state maint`)),
      ].join('\n'),
    ),
  )
  const plan: FaultPlan = {
    fault: 'lb-drain',
    targets: [o.node],
    summary: `drain ${o.node} from ${[...byLb.keys()].join(', ')} (${o.targets.map(name).join(', ')}), hold ${seconds(input.holdMs)}, then ready again`,
    notes: [
      'a planned evacuation must be invisible to clients: the default expectation is failed-probes == 0',
    ],
    inject,
    verify: [...byLb].map(([lb, ts]) => ({
      ...step(lb, `${ts.map(name).join(', ')} in maintenance`, SHOW_STAT_SCRIPT),
      holds: {fact: 'haproxy-stat', servers: ts.map(server), status: ['MAINT'], is: true},
    })),
    verifyTimeoutMs: 40_000,
    revert: [...byLb].map(([lb, ts]) => step(lb, `${ts.map(name).join(', ')} ready`, ready(ts))),
    verifyReverted: [...byLb].map(([lb, ts]) => ({
      ...step(lb, `${ts.map(name).join(', ')} no longer in maintenance or drain`, SHOW_STAT_SCRIPT),
      holds: {fact: 'haproxy-stat', servers: ts.map(server), status: ['MAINT', 'DRAIN'], is: false},
    })),
    revertTimeoutMs: 30_000,
    deadmen: [...byLb].map(([lb, ts]) => nodeDeadman(input, lb, ready(ts))),
    holdMs: input.holdMs,
    leavesMembership: [],
    expectFenced: [],
    defaultExpectations: ['failed-probes == 0', 'no-split-brain'],
    reverts: true,
  }
  return {ok: true, plan}
}

const lbs = (inv: Inventory): string[] => inv.nodes.filter((n) => n.roles.includes('lb')).map((n) => n.name)

export default defineFault({
  id: 'lb-drain',
  summary:
    'Evacuate an app node from the load balancers (HAProxy runtime API: drain, then maintenance), then bring it back.',
  description: `On every node with role lb, HAProxy's runtime API (its "stats socket", through socat) finds the backend servers whose address is the app node's, sets them to drain (no new connection; open ones finish), waits until they have no session left, then to maintenance; after --duration they are set ready again. Like a rolling deploy: clients must not see a single failed request (default expectation "failed-probes == 0"). With --workload sessions, users whose sessions lived on that node only are counted as lost.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i web.yaml --node app1 --duration 15s --load https://198.18.2.100/ --insecure --yes',
    '<%= config.bin %> <%= command.id %> -i web.yaml --node app1 --duration 15s --workload sessions --insecure --expect "sessions-lost == 0" --yes',
  ],
  target: {required: true, description: 'The app node to evacuate (inventory name).'},
  options: {},
  phases: {
    inject:
      "on every LB: set the app node's servers to drain (HAProxy runtime API), wait until their sessions are 0 (30 s at most), then to maintenance",
    verify:
      'every such server shows MAINT in show stat (parsed on this machine by src/facts/haproxy-runtime.ts)',
    revert: 'set server BACKEND/SERVER state ready on every LB; verify none is MAINT or DRAIN any more',
    deadman: 'on every LB: state ready, run when the lease is not renewed',
  },
  touches: (ctx) => [targetOf(ctx), ...lbs(ctx.inventory)],
  // The LBs and app nodes are not cluster nodes: nothing to discover (no corosync, no cluster addresses).
  discover: () => [],
  /** The app node's server lines on every LB (read-only): a server already in drain or maintenance is refused. */
  async look(ctx, runner): Promise<DrainTarget[]> {
    const app = ctx.inventory.nodes.find((n) => n.name === targetOf(ctx))
    if (!app) return []
    const targets: DrainTarget[] = []
    for (const lb of ctx.inventory.nodes.filter((n) => n.roles.includes('lb'))) {
      const r = await runner.run(lb, {script: SERVERS_STATE_SCRIPT, sudo: true, timeoutMs: 15_000})
      if (r.exitCode !== 0)
        throw new IncompleteError(
          `lb-drain: HAProxy's runtime API did not answer on ${lb.name}: ${(r.stderr || r.stdout).trim()}`,
        )
      for (const s of parseServersState(r.stdout)) {
        if (s.address !== app.host) continue
        // srv_admin_state bits: 0x01 forced maintenance, 0x08 forced drain (HAProxy's SRV_ADMF_*).
        if (s.admin & 0x09)
          throw new InputError(
            `lb-drain: ${s.backend}/${s.server} on ${lb.name} is already in drain or maintenance`,
          )
        targets.push({lb: lb.name, backend: s.backend, server: s.server})
      }
    }
    return targets
  },
  plan: (input, ctx) => planLbDrain(input, {node: targetOf(ctx), targets: ctx.looked}),
})
