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
