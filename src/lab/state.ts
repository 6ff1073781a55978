/**
 * The lab's state file (LAB_DIR/state.json, mode 0600) and the lock that keeps
 * two lab commands from building or tearing down at the same time.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {InputError, IncompleteError} from '../core/errors.js'
import type {ProfileName, VariantName} from './topology.js'

export const DEFAULT_LAB_DIR = '/var/lib/hacheck-lab'
/** Written into every lab dir; tear-down only ever deletes a directory that holds it. */
export const MARKER = '.hacheck-lab'

export function labDir(): string {
  return resolve(process.env.HACHECK_LAB_DIR || DEFAULT_LAB_DIR)
}

export type LabPhase = 'building' | 'up' | 'reconfiguring' | 'tearing-down'

export interface LabState {
  version: 1
  phase: LabPhase
  profile: ProfileName
  variants: VariantName[]
  clusterName: string
  labDir: string
  createdAt: string
  updatedAt: string
  /** The lab's BMC password (also in the CIB of the nodes); exported to users only through `lab status --json`. */
  bmcPassword: string
  /** Every network namespace and host link the lab created (all start with the prefix). */
  namespaces: string[]
  links: string[]
  /** Host PIDs of the processes lab up started itself: ipmi_sim per BMC, power script per BMC-less node. */
  pids: Record<string, number>
  /** Seconds, measured by the last lab up. */
  timings: Record<string, number>
}

export function statePath(dir = labDir()): string {
  return join(dir, 'state.json')
}

/** Where the lab a state file describes lives, and why that is not where the file was read, if it is not. */
export interface LabHome {
  labDir: string
  /** Set when the state file's own labDir is not the directory it was read from. */
  note?: string
}

/**
 * The lab's files (node roots, keys, PID files, inventory) are wherever the lab
 * was built, which the state file records in labDir. A state file read from
 * another directory was copied there (the lab named still exists: it is the
 * one described) or its directory was moved (the old one is gone: the files
 * are where the state was read). `isLab` tells whether a directory holds a lab
 * (its MARKER file). Pure.
 */
export function labHome(dir: string, st: Pick<LabState, 'labDir'>, isLab: (d: string) => boolean): LabHome {
  const recorded = resolve(st.labDir)
  if (recorded === resolve(dir)) return {labDir: recorded}
  if (isLab(recorded)) {
    return {
      labDir: recorded,
      note: `${statePath(dir)} is a copy of the state of the lab in ${recorded}: this is that lab's status`,
    }
  }
  return {
    labDir: resolve(dir),
    note: `${statePath(dir)} was written for a lab in ${recorded}, which holds no lab any more (the lab directory was moved here, or deleted): processes the lab started still use the old paths; sudo hacheck lab up rebuilds it here`,
  }
}

export function readState(dir = labDir()): LabState | undefined {
  const p = statePath(dir)
  if (!existsSync(p)) return undefined
  try {
    const s = JSON.parse(readFileSync(p, 'utf8')) as LabState
    if (s.version !== 1 || typeof s.profile !== 'string') return undefined
    return s
  } catch {
    return undefined
  }
}

export function writeState(s: LabState): void {
  s.updatedAt = new Date().toISOString()
  const p = statePath(s.labDir)
  mkdirSync(dirname(p), {recursive: true})
  const tmp = `${p}.tmp`
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', {mode: 0o600})
  renameSync(tmp, p)
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lab lock (a file next to the lab dir holding our PID). A lock left by a
 * dead process (kill -9 of lab up) is taken over.
 */
export function acquireLock(dir = labDir()): () => void {
  const lock = `${dir}.lock`
  mkdirSync(dirname(lock), {recursive: true})
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600)
      writeFileSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock)
        } catch {
          // already gone
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new IncompleteError(`lab: cannot create lock ${lock}: ${(err as Error).message}`)
      }
      const holder = Number.parseInt(readFileSync(lock, 'utf8').trim(), 10)
      if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
        throw new InputError(`another hacheck lab command is running (pid ${holder})`, {
          code: 'lab-busy',
          actions: [`wait for it to finish, or remove ${lock} if pid ${holder} is not hacheck`],
        })
      }
      unlinkSync(lock)
    }
  }
  throw new IncompleteError(`lab: cannot take the lock ${lock}`)
}
