/**
 * A fleet: many clusters audited in one run, each with its own inventory (or
 * saved capture), objectives and checklist. This module reads a fleet FILE's
 * data into a FleetSpec (pure, positions kept for `FILE:LINE:COL: PATH:`
 * messages); load.ts finds the file or scans a directory.
 *
 * Fleet file (YAML or JSON), paths relative to the file:
 *
 *   name: nightly                       # optional, default: the file's directory name
 *   defaults: {checklist: ha-baseline, only: [1, 2], skip: [...]}
 *   clusters:
 *     - inventory: prod-a/inventory.yaml
 *       name: prod-a                           # optional: replaces the inventory's cluster.name
 *       checklist: prod-a/checklist.yaml       # a bundled name or a path
 *       objectives: {rto: 30s, rpo: 0s}        # overrides the inventory's
 *     - capture: captures/lab-2026-12-01      # a `hacheck facts --save` directory
 */
import {dirname, isAbsolute, resolve} from 'node:path'

import {parseDurationMs} from '../core/duration.js'
import type {Objectives} from '../core/types.js'
import {describeFound, formatPath, isRecord, strangerKeys, wholeDocument} from '../inventory/messages.js'
import type {ParsedSource, PathSegment, Problem} from '../inventory/source.js'

export interface FleetClusterSpec {
  /** Shown until the inventory is read (the entry's `name`, else the file or directory name). */
  label: string
  /** The entry's `name`: replaces the inventory's cluster.name (the cluster's identity in the fleet, history and metrics). */
  name?: string
  source: {kind: 'inventory'; path: string} | {kind: 'capture'; path: string}
  /** Bundled checklist name or absolute path; undefined = the fleet default. */
  checklist?: string
  only?: string[]
  skip?: string[]
  objectives?: Objectives
}

export interface FleetSpec {
  name: string
  /** The fleet file, or the directory that was scanned. */
  origin: string
  clusters: FleetClusterSpec[]
}

const CLUSTER_KEYS = ['name', 'inventory', 'capture', 'checklist', 'only', 'skip', 'objectives']
const TOP_KEYS = ['name', 'defaults', 'clusters']
const DEFAULT_KEYS = ['checklist', 'only', 'skip']

/** A bundled checklist name stays a name; anything path-like resolves against the fleet file. */
export function resolveChecklist(value: string, baseDir: string): string {
  if (/[/\\]|\.(ya?ml|json)$/i.test(value)) return isAbsolute(value) ? value : resolve(baseDir, value)
  return value
}

function labelOf(path: string): string {
  const parts = path.replace(/[/\\]+$/, '').split(/[/\\]/)
  const last = parts[parts.length - 1] ?? path
  const stem = last.replace(/\.(ya?ml|json)$/i, '')
  // prod-a/inventory.yaml → prod-a
  return /^(inventory|capture)$/i.test(stem) && parts.length > 1 ? (parts[parts.length - 2] ?? stem) : stem
}

class Collector {
  readonly problems: Problem[] = []
  constructor(private readonly src: ParsedSource) {}
  add(path: PathSegment[], message: string, key = false): void {
    let pos: {line: number; col: number} | undefined
    try {
      pos = this.src.locate(path, {key})
    } catch {
      pos = undefined
    }
    this.problems.push({...(pos ?? {}), path: formatPath(path), message})
  }
}

function stringList(c: Collector, v: unknown, path: PathSegment[]): string[] | undefined {
  if (v === undefined) return undefined
  const list = Array.isArray(v) ? v : [v]
  const out: string[] = []
  list.forEach((x, i) => {
    if (typeof x === 'string' || typeof x === 'number') out.push(String(x))
    else
      c.add(
        Array.isArray(v) ? [...path, i] : path,
        `expected a check id or item ref, found ${describeFound(x)}`,
      )
  })
  return out
}

function objectivesOf(c: Collector, v: unknown, path: PathSegment[]): Objectives | undefined {
  if (v === undefined) return undefined
  if (!isRecord(v)) {
    c.add(path, `expected a mapping such as {rto: 30s, rpo: 0s}, found ${describeFound(v)}`)
    return undefined
  }
  const out: Objectives = {}
  for (const [k, raw] of Object.entries(v)) {
    if (k !== 'rto' && k !== 'rpo') {
      c.add([...path, k], 'unknown objective (expected rto or rpo)', true)
      continue
    }
    const ms = typeof raw === 'string' || typeof raw === 'number' ? parseDurationMs(raw) : undefined
    if (ms === undefined) c.add([...path, k], `expected a duration such as 30s, found ${describeFound(raw)}`)
    else out[k === 'rto' ? 'rtoMs' : 'rpoMs'] = ms
  }
  return out
}

function unknownKeys(c: Collector, v: Record<string, unknown>, allowed: string[], path: PathSegment[]): void {
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      c.add([...path, k], `unknown key (expected one of: ${allowed.join(', ')})`, true)
}

/**
 * The fleet spec of a parsed fleet file, or the problems found. `file` is the
 * fleet file's absolute path (the base of relative paths).
 */
export function fleetSpecFromSource(
  src: ParsedSource,
  file: string,
): {ok: true; spec: FleetSpec} | {ok: false; problems: Problem[]} {
  const c = new Collector(src)
  const base = dirname(file)
  const data = src.data
  if (!isRecord(data)) {
    c.add([], `expected a fleet (a mapping with clusters: [...]), found ${wholeDocument(data)}`)
    return {ok: false, problems: c.problems}
  }
  if ('nodes' in data && 'cluster' in data && !('clusters' in data)) {
    c.add(
      [],
      'this is an inventory, not a fleet: audit it with -i FILE, or list it in a fleet file (clusters: [{inventory: FILE}])',
    )
    return {ok: false, problems: c.problems}
  }
  const stranger = strangerKeys(Object.keys(data), TOP_KEYS, 'a fleet (a mapping with clusters: [...])')
  if (stranger) {
    c.add([], stranger)
    return {ok: false, problems: c.problems}
  }
  unknownKeys(c, data, TOP_KEYS, [])
  const defaults = isRecord(data.defaults) ? data.defaults : {}
  if (data.defaults !== undefined && !isRecord(data.defaults))
    c.add(['defaults'], `expected a mapping, found ${describeFound(data.defaults)}`)
  else unknownKeys(c, defaults, DEFAULT_KEYS, ['defaults'])
  const defChecklist =
    typeof defaults.checklist === 'string' ? resolveChecklist(defaults.checklist, base) : undefined
  if (defaults.checklist !== undefined && typeof defaults.checklist !== 'string')
    c.add(
      ['defaults', 'checklist'],
      `expected a checklist name or path, found ${describeFound(defaults.checklist)}`,
    )
  const defOnly = stringList(c, defaults.only, ['defaults', 'only'])
  const defSkip = stringList(c, defaults.skip, ['defaults', 'skip'])
  if (data.name !== undefined && typeof data.name !== 'string')
    c.add(['name'], `expected a string, found ${describeFound(data.name)}`)
  const clusters: FleetClusterSpec[] = []
  if (!Array.isArray(data.clusters) || data.clusters.length === 0) {
    c.add(
      data.clusters === undefined ? [] : ['clusters'],
      data.clusters === undefined
        ? 'missing clusters: list the clusters, e.g. clusters: [{inventory: prod-a.yaml}]'
        : `expected a non-empty list of clusters, found ${describeFound(data.clusters)}`,
    )
  } else {
    data.clusters.forEach((entry: unknown, i: number) => {
      const p: PathSegment[] = ['clusters', i]
      if (typeof entry === 'string') entry = {inventory: entry}
      if (!isRecord(entry)) {
        c.add(p, `expected {inventory: FILE} or {capture: DIR}, found ${describeFound(entry)}`)
        return
      }
      unknownKeys(c, entry, CLUSTER_KEYS, p)
      const inv = entry.inventory
      const cap = entry.capture
      if ((inv === undefined) === (cap === undefined)) {
        c.add(p, 'give exactly one of inventory: FILE or capture: DIR')
        return
      }
      const raw = (inv ?? cap) as unknown
      if (typeof raw !== 'string' || raw === '') {
        c.add(
          [...p, inv !== undefined ? 'inventory' : 'capture'],
          `expected a path, found ${describeFound(raw)}`,
        )
        return
      }
      const path = resolve(base, raw)
      if (entry.name !== undefined && typeof entry.name !== 'string')
        c.add([...p, 'name'], `expected a string, found ${describeFound(entry.name)}`)
      if (entry.checklist !== undefined && typeof entry.checklist !== 'string')
        c.add(
          [...p, 'checklist'],
          `expected a checklist name or path, found ${describeFound(entry.checklist)}`,
        )
      const objectives = objectivesOf(c, entry.objectives, [...p, 'objectives'])
      const only = stringList(c, entry.only, [...p, 'only']) ?? defOnly
      const skip = stringList(c, entry.skip, [...p, 'skip']) ?? defSkip
      const checklist =
        typeof entry.checklist === 'string' ? resolveChecklist(entry.checklist, base) : defChecklist
      clusters.push({
        label: typeof entry.name === 'string' ? entry.name : labelOf(raw),
        ...(typeof entry.name === 'string' ? {name: entry.name} : {}),
        source: {kind: inv !== undefined ? 'inventory' : 'capture', path},
        ...(checklist ? {checklist} : {}),
        ...(only ? {only} : {}),
        ...(skip ? {skip} : {}),
        ...(objectives ? {objectives} : {}),
      })
    })
  }
  if (c.problems.length) return {ok: false, problems: c.problems}
  const name = typeof data.name === 'string' ? data.name : labelOf(base)
  return {ok: true, spec: {name, origin: file, clusters}}
}
