/**
 * `hacheck chaos data EXPERIMENT`: one data-tier experiment from the command line (run/data-run.ts does the
 * work): the inventory, the SSH pool, the signal guard (the first Ctrl-C reverts at once), the report and
 * the exit code.
 */
import type {CommandIo} from '../../cli/output.js'
import {loadInventory} from '../../inventory/load.js'
import {DEFAULT_LEASE} from '../faults/parts/common.js'
import {dataExit, type DataArgs} from '../run/data-plan.js'
import {renderDataRun} from '../report/data-run.js'
import type {DataRunResult} from '../run/data-experiment.js'
import {checkData, runData} from '../run/data-run.js'
import {guardSignals} from '../run/signals.js'
import {createInfra} from './command.js'

export interface DataRunOptions {
  inventory: string
  args: Omit<DataArgs, 'env'>
  holdMs: number
  baselineMs: number
  settleMs: number
  yes: boolean
  acceptNewHostKeys: boolean
  /** The dead-men's lease timeout (default DEFAULT_LEASE's 10 s). */
  leaseTimeoutS?: number
}

export async function executeData(o: DataRunOptions, io: CommandIo): Promise<DataRunResult> {
  const inv = await loadInventory(o.inventory)
  const args: DataArgs = {...o.args, env: process.env}
  // The nodes, --node and the database checked before anything connects (the leaders are looked up next).
  await checkData(args, inv)
  const infra = await createInfra({acceptNewHostKeys: o.acceptNewHostKeys})
  const signals = guardSignals()
  try {
    const res = await runData(args, inv, infra.runner, {
      holdMs: o.holdMs,
      baselineMs: o.baselineMs,
      settleMs: o.settleMs,
      yes: o.yes,
      ...(o.leaseTimeoutS !== undefined ? {lease: {...DEFAULT_LEASE, timeoutS: o.leaseTimeoutS}} : {}),
      abort: signals.signal,
      safety: {onLedger: signals.onLedger},
    })
    process.exitCode = dataExit(res, inv.cluster.objectives.rpoMs)
    if (!io.json) io.write(renderDataRun(res))
    return res
  } finally {
    signals.release()
    await infra.close()
  }
}
