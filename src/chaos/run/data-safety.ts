/**
 * The safety net of a data-tier run (run/data-experiment.ts), the same as the fault runs' (run/phases/):
 * the revert ledger on disk BEFORE anything changes (so `hacheck chaos revert` finds an interrupted run),
 * the node-side dead-men armed next with their PIDs in the ledger, their leases renewed in the background
 * until the revert, the ledger's state kept current, and the ledger removed only once the revert is
 * verified and every dead-man is gone. If the revert is not verified the dead-men stay armed and the
 * ledger stays: the dead-men and `chaos revert` finish the job.
 */
import {IncompleteError} from '../../core/errors.js'
import type {Inventory} from '../../core/types.js'
import {NODE_STATE_DIR, type FaultPlan, type NodeDeadman} from '../plan/types.js'
import {
  armStep,
  cancelStep,
  collectNodeDeadmanLogScript,
  renewNodeScript,
  verifyNodeDeadmanGoneScript,
} from '../safety/deadman.js'
import {removeLedger, writeLedger, type LedgerEntry, type LedgerState} from '../safety/ledger.js'
import {runStep, untilHolds, type StepEnv} from '../safety/steps.js'
import {ledgerOfPlan} from './order.js'

export interface DataSafetyOptions {
  /** Ledger directory (default: the state dir's ledger/). */
  ledgerDir?: string
  /** Node-side dead-man state (default /run/hacheck; tests use a throwaway directory). */
  nodeStateDir?: string
  /** Told every time the ledger changes (the manual revert commands of a second Ctrl-C). */
  onLedger?: (entry: LedgerEntry | undefined) => void
  /** How often the dead-men's leases are renewed (default 2 s). */
  renewMs?: number
}

/** The node-side dead-men of a plan (a data-tier fault has no controller-side one). */
export function nodeDeadmen(plan: FaultPlan): NodeDeadman[] {
  return plan.deadmen.filter((d): d is NodeDeadman => d.kind === 'node')
}

/** The ledger of a data-tier run, before anything is armed (state `armed`, no PIDs yet). */
export function dataLedger(runId: string, inv: Inventory, plan: FaultPlan, nodeDir: string): LedgerEntry {
  return ledgerOfPlan({runId, inv, plan, nodeDir, deadmen: nodeDeadmen(plan)})
}

/** One run's ledger and dead-men, from the ledger written to the ledger removed. */
export class DataSafety {
  readonly nodeDir: string
  private readonly entry: LedgerEntry
  private renewTimer: NodeJS.Timeout | undefined
  private renewing = false

  constructor(
    private readonly env: StepEnv,
    private readonly runId: string,
    inv: Inventory,
    private readonly plan: FaultPlan,
    private readonly o: DataSafetyOptions = {},
  ) {
    this.nodeDir = o.nodeStateDir ?? NODE_STATE_DIR
    this.entry = dataLedger(runId, inv, plan, this.nodeDir)
  }

  /** Writes the ledger (atomically) in its current state. */
  save(state?: LedgerState): void {
    if (state) this.entry.state = state
    writeLedger(this.entry, this.o.ledgerDir)
    this.o.onLedger?.(this.entry)
  }

  /** The dead-men, one by one; each one's PID goes to the ledger at once. Then their leases are renewed. */
  async arm(): Promise<void> {
    for (const d of this.entry.deadmen) {
      const dm = d.deadman as NodeDeadman
      const o = await runStep(this.env, armStep(this.runId, dm, this.nodeDir))
      const pid = Number(o.result?.stdout.trim().split('\n').pop())
      if (!o.ok || !Number.isInteger(pid) || pid <= 0)
        throw new IncompleteError(
          `arming the dead-man on ${dm.node} failed: ${o.error ?? `no PID (${o.result?.stdout.trim() ?? ''})`}`,
        )
      d.pid = pid
      this.save()
    }
    this.renewing = true
    this.renewLoop()
  }

  private renewLoop(): void {
    this.renewTimer = setTimeout(() => {
      void Promise.all(
        this.entry.deadmen.map((d) =>
          runStep(this.env, {
            kind: 'node',
            node: (d.deadman as NodeDeadman).node,
            what: 'renew lease',
            script: renewNodeScript(this.runId, this.nodeDir),
          }),
        ),
      ).finally(() => {
        if (this.renewing) this.renewLoop()
      })
    }, this.o.renewMs ?? 2000)
  }

  stopRenewal(): void {
    this.renewing = false
    if (this.renewTimer !== undefined) clearTimeout(this.renewTimer)
    this.renewTimer = undefined
  }

  /**
   * Revert (each step until it holds) and verify removed; true once verified. Errors go to `errors`.
   * `injected` false (nothing was sent yet): nothing to revert.
   */
  async revert(injected: boolean, errors: string[]): Promise<boolean> {
    this.stopRenewal()
    if (!injected) return true
    this.save('reverting')
    let ok = true
    for (const s of this.plan.revert) {
      const o = await untilHolds(this.env, s, 30_000)
      if (!o.ok) {
        ok = false
        errors.push(`revert: ${s.what}: ${o.error ?? ''}`)
      }
    }
    if (!ok) return false
    for (const s of this.plan.verifyReverted) {
      const o = await untilHolds(this.env, s, this.plan.revertTimeoutMs)
      if (!o.ok) {
        ok = false
        errors.push(`revert not verified: ${s.what}: ${o.error ?? ''}`)
      }
    }
    return ok
  }

  /**
   * Once the revert is verified: every dead-man cancelled by PID and verified gone, then the ledger removed
   * (true). Not verified: the dead-men stay armed and the ledger stays (false). `fired` gets what a dead-man
   * that fired on its own left in its log.
   */
  async finish(verified: boolean, errors: string[], fired: string[]): Promise<boolean> {
    if (!verified) {
      errors.push(
        'the revert is not verified: the dead-man timers stay armed and the ledger stays for `hacheck chaos revert`',
      )
      return false
    }
    let clean = true
    for (const d of this.entry.deadmen) {
      const node = (d.deadman as NodeDeadman).node
      const log = await runStep(this.env, {
        kind: 'node',
        node,
        what: 'collect the dead-man log',
        script: collectNodeDeadmanLogScript(this.runId, this.nodeDir),
      })
      if (log.ok && log.result?.stdout.trim()) fired.push(`${node}: ${log.result.stdout.trim()}`)
      const c = await untilHolds(this.env, cancelStep(this.runId, node, d.pid, this.nodeDir), 30_000)
      const v = await untilHolds(
        this.env,
        {
          kind: 'node',
          node,
          what: 'no dead-man is left',
          script: verifyNodeDeadmanGoneScript(this.runId, d.pid, this.nodeDir),
        },
        30_000,
      )
      if (!c.ok || !v.ok) {
        clean = false
        errors.push(`dead-man on ${node} not cleaned up: ${(c.ok ? v : c).error ?? ''}`)
      }
    }
    if (!clean) return false
    removeLedger(this.runId, this.o.ledgerDir)
    this.o.onLedger?.(undefined)
    return true
  }
}
