/**
 * The data a fault is made of. A fault plan is plain, serialisable data: the
 * exact scripts/argv it will run (so `--dry-run` prints them, the ledger stores
 * them and `chaos revert` replays them after a crash), never closures.
 *
 * Every fault goes guard (plan) → ledger → dead-man → inject → verify → hold →
 * revert → verify removed → cancel dead-man → forget ledger.
 */
import type {Holds} from './holds.js'

/** A fault's id: its command (`chaos link-pull`) and its file (faults/link-pull.ts); faults/index.ts lists them. */
export type FaultId = string

/** A bash script run on a node (through `bash -s`, as root or `sudo -n`). */
export interface NodeStep {
  kind: 'node'
  node: string
  /** One line for humans: what the step does. */
  what: string
  script: string
  timeoutMs?: number
  /** For verify steps: the step holds when stdout matches this regex (default: exit status 0). */
  expectStdout?: string
  /** For verify steps: the step holds when its output, parsed by src/facts/, shows this (plan/holds.ts). */
  holds?: Holds
  /**
   * When the step fails and its stderr matches `when` (a regex, case-insensitive), the error is `message`,
   * where {stderr} stands for the tool's last two lines (e.g. tc on a kernel without sch_netem).
   */
  explain?: {when: string; message: string; code: string}
}

/**
 * A program run on the controller (ipmitool). `secretEnv` maps a variable of
 * the child's environment to the name of the controller variable holding the
 * value (IPMI_PASSWORD ← $LAB_BMC_PASSWORD): the secret itself is never part of
 * a plan, a ledger, argv or a log.
 */
export interface LocalStep {
  kind: 'local'
  what: string
  argv: string[]
  secretEnv?: Record<string, string>
  timeoutMs?: number
  expectStdout?: string
}

export type Step = NodeStep | LocalStep

/** A node-side dead-man: a detached bash loop on the node that runs `undo` when its lease expires. */
export interface NodeDeadman {
  kind: 'node'
  node: string
  /** The undo script it runs (the same as the fault's revert, for that node). */
  undo: string
  /** Revert when the lease file was not renewed for this long. */
  leaseTimeoutS: number
  /** Revert at the latest this long after arming, renewed or not. */
  ttlS: number
}

/** A controller-side dead-man (power faults): a detached bash loop on this machine. */
export interface LocalDeadman {
  kind: 'local'
  /** Shown in reports, e.g. "power n1 back on". */
  what: string
  undo: LocalStep
  leaseTimeoutS: number
  ttlS: number
}

export type Deadman = NodeDeadman | LocalDeadman

export interface FaultPlan {
  fault: FaultId
  /** Node names the fault acts on (for partition: the minority side). */
  targets: string[]
  /** One line: what will happen. */
  summary: string
  /** Assumptions, warnings and declarations (e.g. "SIGKILL has no revert"). */
  notes: string[]
  inject: Step[]
  /** Every step must hold (retried with backoff up to verifyTimeoutMs). */
  verify: Step[]
  verifyTimeoutMs: number
  /** Idempotent undo; what the ledger replays. Empty when the fault has no revert. */
  revert: Step[]
  /** Every step must hold once the revert is done (retried up to revertTimeoutMs). */
  verifyReverted: Step[]
  revertTimeoutMs: number
  deadmen: Deadman[]
  /** How long the fault stays in place before it is reverted. */
  holdMs: number
  /** Nodes that leave the quorate partition while the fault is in place (for the quorum guard). */
  leavesMembership: string[]
  /** Nodes that are expected to be fenced (for default expectations and the floor). */
  expectFenced: string[]
  /** Default expectations of this fault (used when the operator gives none). */
  defaultExpectations: string[]
  /** false when the fault cannot be undone (SIGKILL) or the operator asked to leave it (--leave-off). */
  reverts: boolean
}

export type PlanResult = {ok: true; plan: FaultPlan} | {ok: false; reason: string; actions?: string[]}

/** The directory on nodes where hacheck keeps leases, dead-man state and saved PIDs (tmpfs: gone after reboot). */
export const NODE_STATE_DIR = '/run/hacheck'

/**
 * Where a node-side dead-man that fired leaves its log: on disk, not in /run, because the node it healed
 * may be fenced (rebooted) right after, and `chaos revert` must still report what it did.
 */
export const NODE_LOG_DIR = '/var/log/hacheck/chaos'

/** The iptables chain hacheck owns. It never touches rules outside it, except the two jumps it inserts. */
export const CHAIN = 'HACHECK'

/** tc handle of hacheck's netem qdisc ("HC"), so revert deletes only its own. */
export const NETEM_HANDLE = '4843:'
