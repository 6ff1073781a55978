/**
 * The data-tier experiments of `hacheck chaos data` (pure): from the operator's arguments and what the cluster
 * says right now (the Patroni leader, the etcd leader) to the pieces of a DataRunSpec (the nodes, the target,
 * the fault's plan, the write workload, the observers, how recovery is judged), and the exit code of a result.
 * The I/O (SSH look-ups, the recovered() probes, the run) is in chaos/cli/data-command.ts.
 */
import {InputError} from '../../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../../core/exit-codes.js'
import type {Inventory} from '../../core/types.js'
import {planKillProcess} from '../faults/kill-process.js'
import {planPartition} from '../faults/partition.js'
import type {PlanInput} from '../faults/parts/common.js'
import {GALERA_MEMBER_ROLES, planGaleraPartition} from '../faults/parts/galera-partition.js'
import {planStopService} from '../faults/stop-service.js'
import {opt, type OptionValues} from '../plan/options.js'
import type {FaultPlan, PlanResult} from '../plan/types.js'
import type {DataRunResult} from './data-experiment.js'
import type {MariadbWriteSpec} from '../workloads/mariadb-write.js'
import type {PgLeaderWriteSpec} from '../workloads/pg-leader-write.js'

export const DATA_EXPERIMENTS = [
  'galera-partition',
  'patroni-kill-leader',
  'patroni-cut-leader',
  'etcd-stop-member',
] as const
export type DataExperiment = (typeof DATA_EXPERIMENTS)[number]

/** What each experiment does, with its default target (`chaos data --help`, `--dry-run`, docs). */
export const DATA_EXPERIMENT_SUMMARY: Record<DataExperiment, string> = {
  'galera-partition':
    'cut one Galera node off from the others (default: the last galera node): the minority must turn non-Primary and refuse writes.',
  'patroni-kill-leader': 'kill -9 the postgres of the Patroni leader (default: the current leader).',
  'patroni-cut-leader':
    'partition the Patroni leader from etcd and the replicas (default: the current leader).',
  'etcd-stop-member': 'stop the etcd unit of one member (default: the etcd leader) under Patroni.',
}

/**
 * The options of every data experiment, declared once: from here come `hacheck chaos data`'s flags (their
 * kebab-case), the game-day schema of an experiment step's `with:`, its validation (FILE:LINE:COL) and
 * what --dry-run says. The hold, the baseline and the settle time are the step's `duration`, `baseline`
 * and `settle` (the flags of the same names), as for a fault.
 */
export const DATA_OPTIONS = {
  node: opt.node({
    char: 'n',
    description: "Target node (default: the experiment's default, see the experiments).",
    expected: 'a node name from the inventory',
  }),
  rate: opt.integer({description: 'Writes per second.', default: 15, min: 1, max: 1000}),
  writeTimeout: opt.duration({
    description: 'Per-write timeout (connect + INSERT); a write without an answer is unknown.',
    default: '3s',
  }),
  database: opt.string({
    description: 'Database of the write table (default: cluster.database.name).',
    pattern: '^[A-Za-z0-9_$-]{1,64}$',
    expected: 'a database name such as app',
  }),
  dbUser: opt.string({
    description: 'Database user (default: cluster.database.user).',
    pattern: '^[A-Za-z0-9_.@-]{1,64}$',
    expected: 'a database user name such as app',
  }),
  dbPort: opt.integer({
    description: 'Database port (default 3306 for Galera, 5432 for PostgreSQL).',
    min: 1,
    max: 65535,
  }),
  keepTable: opt.boolean({description: "Keep the run's hk_writes_<run> table after the read-back."}),
} as const

export type DataOptionValues = OptionValues<typeof DATA_OPTIONS>

/** The typed option values (flags or a step's `with:`) as the arguments of an experiment. */
export function dataArgsOf(experiment: DataExperiment, v: DataOptionValues): Omit<DataArgs, 'env'> {
  return {
    experiment,
    ...(v.node !== undefined ? {node: v.node} : {}),
    ...(v.database !== undefined ? {database: v.database} : {}),
    ...(v.dbUser !== undefined ? {user: v.dbUser} : {}),
    ...(v.dbPort !== undefined ? {port: v.dbPort} : {}),
    ratePerS: v.rate,
    writeTimeoutMs: v.writeTimeout,
    keepTable: v.keepTable,
  }
}

export const isDataExperiment = (id: unknown): id is DataExperiment =>
  typeof id === 'string' && (DATA_EXPERIMENTS as readonly string[]).includes(id)

export const MARIADB_DEFAULT_PORT = 3306
export const PG_DEFAULT_PORT = 5432
/** Patroni's REST API (restapi.listen), where pg-leader-write asks who leads. */
export const PATRONI_DEFAULT_REST_PORT = 8008

export interface DataArgs {
  experiment: DataExperiment
  /** --node as given (undefined: the experiment's default target). */
  node?: string
  database?: string
  user?: string
  port?: number
  ratePerS: number
  writeTimeoutMs: number
  keepTable: boolean
  /** The process environment: only whether MYSQL_PWD is set is read (the password itself never leaves it). */
  env: Readonly<Record<string, string | undefined>>
}

/** What the cluster says right now (looked up over SSH before planning). */
export interface DataCurrent {
  patroniLeader?: string
  etcdLeader?: string
}

export interface DataChoice {
  system: 'galera' | 'patroni'
  /** The system's nodes (discovered, polled, their logs read). */
  nodes: string[]
  target: string
  plan(input: PlanInput): PlanResult
  workload: MariadbWriteSpec | PgLeaderWriteSpec
  /** etcd polled and its log read too (etcd-stop-member). */
  observeEtcd: boolean
  /** The deposed leader may stay out after the run ('start failed': diverged, no pg_rewind). */
  mayStayOut?: string
}

const SYSTEM: Record<DataExperiment, 'galera' | 'patroni'> = {
  'galera-partition': 'galera',
  'patroni-kill-leader': 'patroni',
  'patroni-cut-leader': 'patroni',
  'etcd-stop-member': 'patroni',
}

/** The nodes of a system in the inventory: role galera (garbd has no data), or role patroni. */
export function systemNodes(inv: Inventory, system: 'galera' | 'patroni'): string[] {
  const roles: readonly string[] =
    system === 'galera' ? GALERA_MEMBER_ROLES.filter((r) => r !== 'garbd') : ['patroni']
  return inv.nodes.filter((n) => n.roles.some((r) => roles.includes(r))).map((n) => n.name)
}

function targetOf(a: DataArgs, nodes: string[], cur: DataCurrent): string {
  if (a.node !== undefined) {
    if (!nodes.includes(a.node))
      throw new InputError(
        `--node ${a.node}: not a ${SYSTEM[a.experiment]} node of the inventory (${nodes.join(', ')})`,
        {code: 'unknown-node'},
      )
    return a.node
  }
  switch (a.experiment) {
    // Galera has no leader: the last node, a minority of one.
    case 'galera-partition':
      return nodes[nodes.length - 1] as string
    case 'etcd-stop-member':
      if (cur.etcdLeader === undefined) throw new InputError('no etcd member leads right now: pass --node')
      return cur.etcdLeader
    default:
      if (cur.patroniLeader === undefined)
        throw new InputError('no Patroni member holds the leader lock right now: pass --node')
      return cur.patroniLeader
  }
}

function workloadOf(
  a: DataArgs,
  inv: Inventory,
  system: 'galera' | 'patroni',
  nodes: string[],
): DataChoice['workload'] {
  const db = inv.cluster.database as {name?: string; user?: string; port?: number} | undefined
  const database = a.database ?? db?.name
  const user = a.user ?? db?.user
  if (!database || !user)
    throw new InputError(
      `the write workload needs a database and a user: pass --database and --db-user (or set cluster.database.name and .user in ${inv.file ?? 'the inventory'}); the password only from the environment (${system === 'galera' ? 'MYSQL_PWD' : 'PGPASSWORD'})`,
      {code: 'missing-database'},
    )
  const host = (n: string): string => inv.nodes.find((x) => x.name === n)?.host ?? n
  const common = {database, user, ratePerS: a.ratePerS, timeoutMs: a.writeTimeoutMs, keepTable: a.keepTable}
  if (system === 'galera')
    return {
      kind: 'mariadb-write',
      endpoints: nodes.map((n) => ({name: n, host: host(n), port: a.port ?? MARIADB_DEFAULT_PORT})),
      ...common,
      ...(a.env.MYSQL_PWD !== undefined ? {passwordEnv: 'MYSQL_PWD'} : {}),
    }
  return {
    kind: 'pg-leader-write',
    endpoints: nodes.map((n) => ({
      name: n,
      host: host(n),
      port: a.port ?? db?.port ?? PG_DEFAULT_PORT,
      restPort: PATRONI_DEFAULT_REST_PORT,
    })),
    ...common,
  }
}

function planOf(experiment: DataExperiment, target: string): (input: PlanInput) => PlanResult {
  switch (experiment) {
    case 'galera-partition':
      return (input) => planGaleraPartition(input, target)
    case 'patroni-kill-leader':
      return (input) => planKillProcess(input, {node: target, process: 'postgres', signal: 'KILL'})
    case 'patroni-cut-leader':
      return (input) =>
        planPartition(input, {spec: {kind: 'isolate', node: target}, memberRoles: ['patroni']})
    case 'etcd-stop-member':
      return (input) => planStopService(input, {node: target, unit: 'etcd'})
  }
}

export function chooseData(a: DataArgs, inv: Inventory, cur: DataCurrent): DataChoice {
  const system = SYSTEM[a.experiment]
  const nodes = systemNodes(inv, system)
  if (nodes.length < 2)
    throw new InputError(
      `${a.experiment} needs the ${system} nodes of the cluster in the inventory (role ${system}); found ${nodes.length ? nodes.join(', ') : 'none'}`,
      {code: 'no-data-nodes'},
    )
  const target = targetOf(a, nodes, cur)
  return {
    system,
    nodes,
    target,
    plan: planOf(a.experiment, target),
    workload: workloadOf(a, inv, system, nodes),
    observeEtcd: a.experiment === 'etcd-stop-member',
    ...(a.experiment === 'patroni-cut-leader' ? {mayStayOut: target} : {}),
  }
}

/** What `--dry-run` says of an experiment before the plan's own commands (report/dry-run.ts renders those). */
export function dataDryRun(
  experiment: DataExperiment,
  c: DataChoice,
  runId: string,
  plan: FaultPlan,
): {runId: string; head: string[]; plan: FaultPlan} {
  const w = c.workload
  return {
    runId,
    head: [
      `# experiment ${experiment} on ${c.target} (${c.system}: ${c.nodes.join(', ')}): ${DATA_EXPERIMENT_SUMMARY[experiment]}`,
      `# workload: ${w.kind}, ${w.ratePerS} writes/s into ${w.database}.hk_writes_<run id> as ${w.user} on ${w.endpoints.map((e) => `${e.name} ${e.host}:${e.port}`).join(', ')}; read back after the recovery${w.keepTable ? ' (table kept)' : ', then the table is dropped'}`,
    ],
    plan,
  }
}

/**
 * The exit code of a data-tier run: 1 when acknowledged writes were lost (beyond the inventory's RPO when it
 * has one) or the minority accepted writes while cut off (split brain); else 3 when it could not complete (not
 * injected, not recovered, no read-back, any error); else 0.
 */
export function dataExit(r: DataRunResult, rpoMs?: number): ExitCodeValue {
  const a = r.accounting
  if (a && a.lost.length > 0 && (rpoMs === undefined || rpoMs === 0 || a.rpoMs > rpoMs))
    return ExitCode.findingsFailed
  if (a && a.minorityAccepted.length > 0) return ExitCode.findingsFailed
  if (!a || r.injectedAt === undefined || r.recoveredAt === undefined || r.errors.length > 0)
    return ExitCode.incomplete
  return ExitCode.ok
}
