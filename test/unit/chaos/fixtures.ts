/** Literal inputs shared by the chaos unit tests: a 3-node lab inventory and what discovery would find. */
import {execFile} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'

import type {NodeFacts} from '../../../src/chaos/observe/discovery.js'
import type {ClusterSnapshot} from '../../../src/chaos/observe/cluster.js'
import {DEFAULT_LEASE, type PlanInput} from '../../../src/chaos/faults/parts/common.js'
import linkPull from '../../../src/chaos/faults/link-pull.js'
import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import {buildResult, type ResultSpec} from '../../../src/chaos/measure/build.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'
import type {AnyFault} from '../../../src/chaos/faults/parts/define.js'
import {deadmanTag} from '../../../src/chaos/safety/deadman.js'
import {asKey, optionValues, type OptionValues, type Options} from '../../../src/chaos/plan/options.js'
import type {PlanResult} from '../../../src/chaos/plan/types.js'
import type {IfAddr} from '../../../src/facts/ip-addr.js'
import type {CommandResult, CommandRunner, CommandSpec, Inventory, NodeSpec} from '../../../src/core/types.js'
import {parseInventory} from '../../../src/inventory/load.js'

export const INVENTORY_YAML = `cluster:
  name: lab
  stack: pacemaker
  objectives: { rto: 30s, rpo: 0s }
  vip: 198.18.2.100
  service: { url: "http://198.18.2.100/" }
networks:
  public: 198.18.2.0/24
  heartbeat: 198.18.1.0/24
  management: 198.18.3.0/24
ssh:
  user: root
nodes:
  - name: n1
    host: 198.18.2.11
    roles: [cluster]
    bmc: { host: 198.18.3.101, user: admin, passwordEnv: LAB_BMC_PASSWORD }
  - name: n2
    host: 198.18.2.12
    roles: [cluster]
    bmc: { host: 198.18.3.102, user: admin, passwordEnv: LAB_BMC_PASSWORD }
  - name: n3
    host: 198.18.2.13
    roles: [cluster]
    bmc: { host: 198.18.3.103, user: admin, passwordEnv: LAB_BMC_PASSWORD }
`

export function labInventory(): Inventory {
  return parseInventory(INVENTORY_YAML, '/lab/inventory.yaml')
}

function addr(ifname: string, address: string, prefixlen = 24, scope = 'global'): IfAddr {
  return {
    ifname,
    operstate: ifname === 'lo' ? 'UNKNOWN' : 'UP',
    flags: ifname === 'lo' ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    family: address.includes(':') ? 6 : 4,
    address,
    prefixlen,
    scope,
  }
}

export function labFacts(i: number, extra: Partial<NodeFacts> = {}): NodeFacts {
  return {
    node: `n${i}`,
    ssh: {
      clientAddress: '198.18.2.1',
      clientPort: 40000 + i,
      serverAddress: `198.18.2.1${i}`,
      serverPort: 22,
    },
    addrs: [
      addr('lo', '127.0.0.1', 8, 'host'),
      addr('eth0', `198.18.2.1${i}`),
      addr('eth1', `198.18.1.1${i}`),
      addr('eth2', `198.18.3.1${i}`),
      addr('eth1', `fe80::1:${i}`, 64, 'link'),
    ],
    qdiscs: [
      {dev: 'eth0', kind: 'noqueue', handle: '0:', root: true},
      {dev: 'eth1', kind: 'noqueue', handle: '0:', root: true},
    ],
    chainPresent: false,
    ringAddrs: [`198.18.1.1${i}`],
    totem: {tokenMs: 3650, consensusMs: 4380},
    ...extra,
  }
}

export const RUN_ID = '20261126t101112z-test'

export function planInput(over: Partial<PlanInput> = {}): PlanInput {
  return {
    runId: RUN_ID,
    inventory: labInventory(),
    facts: new Map([1, 2, 3].map((i) => [`n${i}`, labFacts(i)])),
    holdMs: 30_000,
    lease: DEFAULT_LEASE,
    ...over,
  }
}

/**
 * The result of a link pull of n1's heartbeat (iptables) over `timeline`, injected at `injectedAt`,
 * with a verified revert; `spec` and `build` override the experiment and what the runner gathered.
 */
export function linkPullResult(
  timeline: TimelineEvent[],
  injectedAt: number | null,
  spec: Partial<ResultSpec> = {},
  build: Partial<Parameters<typeof buildResult>[1]> = {},
): ChaosResult {
  const r = planOf(linkPull, 'n1', {network: 'heartbeat', method: 'iptables'})
  if (!r.ok) throw new Error(r.reason)
  return buildResult(
    {
      runId: RUN_ID,
      inventory: planInput().inventory,
      plan: r.plan,
      observe: true,
      ...spec,
    },
    {
      timeline,
      startedAt: new Date((injectedAt ?? Date.parse('2026-11-26T10:11:12Z')) - 5000),
      injectedAt,
      errors: [],
      notes: [],
      aborted: false,
      revert: {planned: true, done: true, verified: true, deadmanFired: false, ledgerRemoved: true},
      offsets: new Map(),
      ...build,
    },
  )
}

/**
 * A fault's plan as the runner gets it: the options given as in a game day's `with:` (validated, defaults
 * filled in), the target already resolved, the cluster snapshot and look-ups as given.
 */
export function planOf(
  fault: AnyFault,
  target: string | undefined,
  options: Record<string, unknown> = {},
  input: PlanInput = planInput(),
  extra: {snapshot?: ClusterSnapshot; looked?: unknown} = {},
): PlanResult {
  const values = optionValues(fault.options, fault.rules ?? [], options, asKey)
  return fault.plan(input, ctxOf(input, target, values, extra))
}

/** The context a planner gets, without validating the options (to test the planner's own guards). */
export function ctxOf(
  input: PlanInput,
  target: string | undefined,
  options: Record<string, unknown>,
  extra: {snapshot?: ClusterSnapshot; looked?: unknown} = {},
): Parameters<AnyFault['plan']>[1] {
  return {
    inventory: input.inventory,
    ...(target !== undefined ? {target} : {}),
    options: options as OptionValues<Options>,
    snapshot: extra.snapshot ?? {vipHolders: []},
    looked: extra.looked,
  }
}

/** The plan of a fault that must be accepted. */
export function okPlan(r: PlanResult): Extract<PlanResult, {ok: true}>['plan'] {
  if (!r.ok) throw new Error(`refused: ${r.reason}`)
  return r.plan
}

/**
 * After a test that armed real dead-man loops on this machine: stops each PID that still runs a dead-man
 * loop (checked through /proc first, never by name) and removes the throwaway directories.
 */
export function stopDeadmenAndRemove(pids: number[], dirs: string[]): void {
  for (const p of pids.splice(0)) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('hacheck-deadman-')) process.kill(p, 'SIGKILL')
    } catch {
      // gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
}

/** Runs each node's script with bash on this machine (the steps only touch the throwaway directories). */
export class BashRunner implements CommandRunner {
  run(_node: NodeSpec, cmd: CommandSpec): Promise<CommandResult> {
    const started = performance.now()
    return new Promise((resolve) => {
      const child = execFile('bash', ['-s'], {timeout: cmd.timeoutMs ?? 30_000}, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0
        resolve({stdout, stderr, exitCode: code, durationMs: performance.now() - started})
      })
      child.stdin?.end(`{\n${cmd.script ?? ''}\n}; exit $?\n`)
    })
  }
  async close(): Promise<void> {}
}

/** Whether PID still runs the dead-man loop of this run (its tag in /proc/PID/cmdline). */
export function deadmanAlive(pid: number | undefined, runId: string): boolean {
  try {
    return (
      pid !== undefined &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(deadmanTag(runId))
    )
  } catch {
    return false
  }
}
