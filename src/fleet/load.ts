/**
 * Finding a fleet: `--fleet FILE` (a fleet file, see spec.ts) or `--fleet DIR`.
 * A directory with a fleet.yaml (or fleet.yml/fleet.json) uses that file;
 * otherwise every cluster is found by convention, in name order:
 *   DIR/<name>.yaml|.yml|.json            an inventory
 *   DIR/<name>/inventory.yaml|.yml|.json  an inventory, with DIR/<name>/checklist.yaml if present
 *   DIR/<name>/capture.json               a saved capture (`hacheck facts --save`)
 */
import {existsSync, statSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'

import {errorMessage, InputError} from '../core/errors.js'
import {renderProblems} from '../inventory/load.js'
import {parseSource} from '../inventory/source.js'
import {fleetSpecFromSource, type FleetClusterSpec, type FleetSpec} from './spec.js'
import {readInputText} from '../cli/files.js'

const FLEET_FILES = ['fleet.yaml', 'fleet.yml', 'fleet.json']
const INVENTORY_FILES = ['inventory.yaml', 'inventory.yml', 'inventory.json']

export async function loadFleetFile(file: string): Promise<FleetSpec> {
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    throw new InputError(`${file}: cannot read the fleet file: ${errorMessage(err)}`)
  }
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw new InputError(renderProblems(file, parsed.problems), {code: 'invalid-fleet'})
  const r = fleetSpecFromSource(parsed.source, resolve(file))
  if (!r.ok) throw new InputError(renderProblems(file, r.problems), {code: 'invalid-fleet'})
  return r.spec
}

async function scanDirectory(dir: string): Promise<FleetClusterSpec[]> {
  const entries = (await readdir(dir, {withFileTypes: true})).sort((a, b) => a.name.localeCompare(b.name))
  const clusters: FleetClusterSpec[] = []
  for (const e of entries) {
    if (e.name.startsWith('.')) continue
    const path = join(dir, e.name)
    // Follow symlinks: a Kubernetes ConfigMap volume presents every key as one.
    const st = statSync(path, {throwIfNoEntry: false})
    if (!st) continue
    if (st.isFile() && /\.(ya?ml|json)$/i.test(e.name)) {
      clusters.push({label: e.name.replace(/\.(ya?ml|json)$/i, ''), source: {kind: 'inventory', path}})
    } else if (st.isDirectory()) {
      const inv = INVENTORY_FILES.map((f) => join(path, f)).find((f) => existsSync(f))
      const checklist = ['checklist.yaml', 'checklist.yml']
        .map((f) => join(path, f))
        .find((f) => existsSync(f))
      if (inv)
        clusters.push({
          label: e.name,
          source: {kind: 'inventory', path: inv},
          ...(checklist ? {checklist} : {}),
        })
      else if (existsSync(join(path, 'capture.json')))
        clusters.push({label: e.name, source: {kind: 'capture', path}, ...(checklist ? {checklist} : {})})
    }
  }
  return clusters
}

/** The fleet at `path` (a fleet file or a directory). Bad input → InputError (exit 2). */
export async function loadFleet(path: string): Promise<FleetSpec> {
  let st: ReturnType<typeof statSync>
  try {
    st = statSync(path)
  } catch (err) {
    throw new InputError(`--fleet ${path}: ${errorMessage(err)}`, {
      actions: ['Give a fleet file (fleet.yaml) or a directory of inventories.'],
    })
  }
  if (!st.isDirectory()) return loadFleetFile(path)
  const dir = resolve(path)
  const own = FLEET_FILES.map((f) => join(dir, f)).find((f) => existsSync(f))
  if (own) return loadFleetFile(own)
  const clusters = await scanDirectory(dir)
  if (clusters.length === 0) {
    throw new InputError(`--fleet ${path}: no clusters found in this directory`, {
      code: 'invalid-fleet',
      actions: [
        'Put one inventory per cluster in it (NAME.yaml, or NAME/inventory.yaml with an optional NAME/checklist.yaml), or a fleet.yaml listing them.',
      ],
    })
  }
  return {name: basename(dir), origin: dir, clusters}
}
