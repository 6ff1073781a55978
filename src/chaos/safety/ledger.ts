/**
 * The revert ledger: one JSON file per run under
 * $XDG_STATE_HOME/hacheck/ledger/<runId>.json, written atomically (temp file,
 * fsync, rename) BEFORE anything is injected, updated as the run goes, and
 * removed only once the revert is verified. What it holds is enough to undo
 * the fault without the inventory or the hacheck process that wrote it: the
 * exact undo steps, the nodes' connection settings (never a secret: BMC
 * passwords are referenced by variable name), the dead-men and their PIDs.
 *
 * `hacheck chaos revert` replays every leftover ledger: it runs the undo steps
 * (idempotent), cancels the dead-men, verifies nothing is left, and removes
 * the ledger; running it twice is harmless.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {stateDir} from '../../cli/paths.js'
import type {NodeSpec} from '../../core/types.js'
import {makeDirs} from '../../cli/files.js'
import {
  cancelLocal,
  cancelStep,
  collectLocalLog,
  collectNodeDeadmanLogScript,
  isLocalDeadman,
  localDeadmanDir,
  verifyNodeDeadmanGoneScript,
} from './deadman.js'
import {manualCommand} from '../plan/step-text.js'
import {runStep, untilHolds, type StepEnv} from './steps.js'
import type {Deadman, FaultId, Step} from '../plan/types.js'

/**
 * 2: verify steps may carry `holds` (judged from parsed facts on the controller); a hacheck that knows
 * only version 1 would read those steps by exit status alone, so it refuses them. Version 1 ledgers (left
 * by an older hacheck) are still replayed.
 */
export const LEDGER_VERSION = 2
const READABLE_VERSIONS: readonly number[] = [1, 2]

export type LedgerState = 'armed' | 'injecting' | 'injected' | 'reverting'

export interface LedgerDeadman {
  deadman: Deadman
  /** PID of the loop (on its node, or on the controller for kind local), once armed. */
  pid?: number
}

export interface LedgerEntry {
  schemaVersion: 1 | 2
  runId: string
  createdAt: string
  updatedAt: string
  controller: {pid: number; hostname: string}
  inventoryFile?: string
  fault: FaultId
  targets: string[]
  summary: string
  state: LedgerState
  /** Connection settings of every node a step refers to. */
  nodes: NodeSpec[]
  revert: Step[]
  verifyReverted: Step[]
  deadmen: LedgerDeadman[]
  /** Where node-side dead-man state lives (default /run/hacheck; tests use a temp dir). */
  nodeStateDir?: string
}

export function ledgerDir(): string {
  return join(stateDir(), 'ledger')
}

export function ledgerPath(runId: string, dir = ledgerDir()): string {
  return join(dir, `${runId}.json`)
}

/** Writes the ledger atomically: a reader sees the old file or the new one, never half of one. */
export function writeLedger(entry: LedgerEntry, dir = ledgerDir()): string {
  makeDirs(dir, 0o700)
  const file = ledgerPath(entry.runId, dir)
  const tmp = `${file}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify({...entry, updatedAt: new Date().toISOString()}, null, 2) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  try {
    const dfd = openSync(dir, 'r')
    fsyncSync(dfd)
    closeSync(dfd)
  } catch {
    // Directory fsync is best effort (not supported everywhere).
  }
  return file
}

export function removeLedger(runId: string, dir = ledgerDir()): void {
  rmSync(ledgerPath(runId, dir), {force: true})
}

export interface LedgerFile {
  file: string
  entry?: LedgerEntry
  error?: string
}

export function readLedgers(dir = ledgerDir()): LedgerFile[] {
  let names: string[]
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
  } catch {
    return []
  }
  return names.map((name) => {
    const file = join(dir, name)
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as LedgerEntry
      if (!READABLE_VERSIONS.includes(entry.schemaVersion) || !entry.runId || !Array.isArray(entry.revert)) {
        return {file, error: 'not a hacheck ledger (unknown schemaVersion or missing fields)'}
      }
      return {file, entry}
    } catch (err) {
      return {file, error: `unreadable: ${err instanceof Error ? err.message : String(err)}`}
    }
  })
}

/** true when the hacheck process that wrote the ledger still runs on this machine. */
export function writerAlive(entry: LedgerEntry): boolean {
  if (entry.controller.hostname !== hostname()) return false
  if (entry.controller.pid === process.pid) return false
  try {
    process.kill(entry.controller.pid, 0)
  } catch {
    return false
  }
  try {
    const cmd = readFileSync(`/proc/${entry.controller.pid}/cmdline`, 'utf8')
    return /hacheck|chaos|node/.test(cmd)
  } catch {
    return true
  }
}

/** The manual commands that undo a ledger, for an operator at a second Ctrl-C. */
export function manualRevert(entry: LedgerEntry): string[] {
  const nodes = new Map(entry.nodes.map((n) => [n.name, n]))
  const out = entry.revert.map((s) => `# ${s.what}\n${manualCommand(s, nodes)}`)
  for (const d of entry.deadmen) {
    if (d.deadman.kind === 'node') {
      const c = cancelStep(entry.runId, d.deadman.node, d.pid, entry.nodeStateDir)
      out.push(`# ${c.what}\n${manualCommand(c, nodes)}`)
    } else if (d.pid) {
      out.push(
        `# stop the controller-side dead-man (${d.deadman.what}) once the node is on again\nkill ${d.pid}`,
      )
    }
  }
  return out
}

export interface ReplayAction {
  what: string
  node?: string
  ok: boolean
  detail?: string
}

export interface ReplayReport {
  runId: string
  fault: FaultId
  targets: string[]
  createdAt: string
  /** true when everything was undone and verified, and the ledger was removed. */
  cleaned: boolean
  skipped?: string
  actions: ReplayAction[]
  /** What fired dead-man timers left in their logs (they reverted on their own). */
  deadmanLogs: {where: string; text: string}[]
}

export interface ReplayOptions {
  dir?: string
  /** Controller state dir (for controller-side dead-men); default stateDir(). */
  stateDir?: string
  /** Replay even when the writing process still runs. */
  force?: boolean
  /** How long to keep retrying an unreachable node or a step that does not hold yet. */
  retryMs?: number
}

/**
 * Undoes one ledger: undo steps, dead-men cancelled, everything verified; then
 * the ledger is removed. Idempotent. Never throws for a failed step: the
 * report says what failed and the ledger stays for another try.
 */
export async function replayLedger(
  entry: LedgerEntry,
  env: StepEnv,
  opts: ReplayOptions = {},
): Promise<ReplayReport> {
  const report: ReplayReport = {
    runId: entry.runId,
    fault: entry.fault,
    targets: entry.targets,
    createdAt: entry.createdAt,
    cleaned: false,
    actions: [],
    deadmanLogs: [],
  }
  if (!opts.force && writerAlive(entry)) {
    report.skipped = `run ${entry.runId} is still in progress (hacheck pid ${entry.controller.pid}); it reverts on its own (use --force to revert it anyway)`
    return report
  }
  const retryMs = opts.retryMs ?? 30_000
  const ctlState = opts.stateDir ?? stateDir()
  const nodes = new Map(entry.nodes.map((n) => [n.name, n]))
  const stepEnv: StepEnv = {...env, nodes: new Map([...env.nodes, ...nodes])}
  for (const d of entry.deadmen) {
    if (d.deadman.kind !== 'node') continue
    const o = await runStep(stepEnv, {
      kind: 'node',
      node: d.deadman.node,
      what: 'collect the dead-man log',
      script: collectNodeDeadmanLogScript(entry.runId, entry.nodeStateDir),
    })
    if (o.ok && o.result?.stdout.trim())
      report.deadmanLogs.push({where: d.deadman.node, text: o.result.stdout.trim()})
  }
  const local = collectLocalLog(entry.runId, localDeadmanDir(ctlState))
  if (local.trim()) report.deadmanLogs.push({where: 'controller', text: local.trim()})
  let allOk = true
  for (const s of entry.revert) {
    const o = await untilHolds(stepEnv, s, retryMs)
    report.actions.push({
      what: s.what,
      node: s.kind === 'node' ? s.node : 'controller',
      ok: o.ok,
      detail: o.error,
    })
    allOk &&= o.ok
  }
  for (const d of entry.deadmen) {
    if (d.deadman.kind === 'node') {
      const o = await untilHolds(
        stepEnv,
        cancelStep(entry.runId, d.deadman.node, d.pid, entry.nodeStateDir),
        retryMs,
      )
      report.actions.push({
        what: `cancel the dead-man on ${d.deadman.node}`,
        node: d.deadman.node,
        ok: o.ok,
        detail: o.error,
      })
      allOk &&= o.ok
    } else {
      const dir = localDeadmanDir(ctlState)
      const alive = d.pid !== undefined && isLocalDeadman(d.pid, entry.runId)
      await cancelLocal(entry.runId, d.pid, dir)
      report.actions.push({
        what: `cancel the controller-side dead-man (${d.deadman.what})`,
        node: 'controller',
        ok: true,
        detail: alive ? `stopped pid ${d.pid}` : 'not running',
      })
    }
  }
  const checks: Step[] = [
    ...entry.verifyReverted,
    ...entry.deadmen.flatMap((d): Step[] =>
      d.deadman.kind === 'node'
        ? [
            {
              kind: 'node',
              node: d.deadman.node,
              what: `no dead-man of this run is left on ${d.deadman.node}`,
              script: verifyNodeDeadmanGoneScript(entry.runId, d.pid, entry.nodeStateDir),
            },
          ]
        : [],
    ),
  ]
  for (const s of checks) {
    const o = await untilHolds(stepEnv, s, retryMs)
    report.actions.push({
      what: `verify: ${s.what}`,
      node: s.kind === 'node' ? s.node : 'controller',
      ok: o.ok,
      detail: o.error,
    })
    allOk &&= o.ok
  }
  if (allOk) {
    removeLedger(entry.runId, opts.dir)
    report.cleaned = true
  }
  return report
}

export function newLedger(
  init: Omit<LedgerEntry, 'schemaVersion' | 'createdAt' | 'updatedAt' | 'controller' | 'state'>,
): LedgerEntry {
  const now = new Date().toISOString()
  return {
    schemaVersion: LEDGER_VERSION,
    createdAt: now,
    updatedAt: now,
    controller: {pid: process.pid, hostname: hostname()},
    state: 'armed',
    ...init,
  }
}
