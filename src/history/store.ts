/**
 * Posture history: a directory of JSON files, one folder per cluster.
 *
 *   HISTORY/<cluster>/<stamp>-<rand>.json          the whole audit run (re-render it with `report render`)
 *   HISTORY/<cluster>/<stamp>-<rand>.posture.json  the compact record `report trend` and the metrics read
 *
 * Why files and not SQLite: no native module to build (the OCI image, Node 20),
 * every record is readable and re-renderable as is, copies and backups are
 * rsync/object-store friendly, and concurrent writers (two timers, a fleet and
 * a manual run) never collide: each run writes new, uniquely named files
 * through a temp file and a rename. Trends read only the small posture files.
 * Retention is the operator's: delete old files (find -mtime) as with logs.
 */
import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {createHash} from 'node:crypto'

import {stateDir} from '../cli/paths.js'
import type {AuditRun} from '../core/results.js'
import {postureOf, type Posture} from './posture.js'
import {makeDirs} from '../cli/files.js'

export function defaultHistoryDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HACHECK_HISTORY || join(stateDir(), 'history')
}

/** A cluster name as a folder name: safe characters kept, anything else replaced, plus a short hash when changed. */
export function clusterFolder(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80)
  if (safe === name && safe !== '') return safe
  return `${safe || 'cluster'}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  writeFileSync(tmp, text, {mode: 0o640})
  renameSync(tmp, file)
}

/** Saves an audit run and its posture record; returns the path of the run file. */
export function saveAudit(run: AuditRun, dir: string): string {
  const folder = join(dir, clusterFolder(run.cluster.name))
  makeDirs(folder, 0o750)
  const stamp = run.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const base = `${stamp}-${randomBytes(3).toString('hex')}`
  const file = join(folder, `${base}.json`)
  writeAtomic(file, JSON.stringify(run) + '\n')
  writeAtomic(join(folder, `${base}.posture.json`), JSON.stringify(postureOf(run, `${base}.json`)) + '\n')
  return file
}

export interface HistoryProblem {
  file: string
  message: string
}

/** Every posture record of the history, oldest first per cluster; unreadable files are reported, not fatal. */
export function readPostures(
  dir: string,
  opts: {clusters?: readonly string[]} = {},
): {postures: Posture[]; problems: HistoryProblem[]} {
  const postures: Posture[] = []
  const problems: HistoryProblem[] = []
  let folders: string[]
  try {
    folders = readdirSync(dir, {withFileTypes: true})
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  } catch {
    return {postures, problems}
  }
  const wanted = opts.clusters?.length ? new Set(opts.clusters.map(clusterFolder)) : undefined
  for (const folder of folders.sort()) {
    if (wanted && !wanted.has(folder)) continue
    let files: string[]
    try {
      files = readdirSync(join(dir, folder)).filter((f) => f.endsWith('.posture.json'))
    } catch {
      continue
    }
    for (const f of files) {
      const file = join(dir, folder, f)
      try {
        const p = JSON.parse(readFileSync(file, 'utf8')) as Posture
        if (p.kind !== 'posture' || p.schemaVersion !== 1 || !Array.isArray(p.results))
          throw new Error('not a hacheck posture record (kind posture, schemaVersion 1)')
        postures.push({...p, file: join(folder, p.file ?? f)})
      } catch (err) {
        problems.push({file, message: err instanceof Error ? err.message : String(err)})
      }
    }
  }
  postures.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.startedAt.localeCompare(b.startedAt))
  return {postures, problems}
}
