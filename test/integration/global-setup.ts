/**
 * vitest globalSetup of the integration project: brings the hacheck lab up ONCE
 * (default profile pacemaker3, healthy) for all integration test files, gives
 * them its status through `inject('lab')`, and tears it down at the end.
 *
 * Contract for test files (see test/integration/lab/helpers.ts):
 *   const lab = inject('lab')   // {available: true, status} or {available: false, reason}
 *   lab.status.inventory        // absolute path of inventory.yaml (id_lab, known_hosts next to it)
 *   lab.status.env              // {LAB_BMC_PASSWORD: ...}; also exported into process.env here
 *   await useVariants(['stonith-disabled'])   // live, in place
 *   await restoreHealthy()                    // back to the healthy default
 *
 * Skipped (with the reason printed, and `available: false`) when not Linux, not
 * root, Debian packages missing, or HACHECK_LAB=off. HACHECK_LAB_KEEP=1 leaves
 * the lab up after the run.
 */
import {readFileSync} from 'node:fs'

import type {TestProject} from 'vitest/node'

import type {LabStatus} from '../../src/lab/lab.js'
import type {ProfileName} from '../../src/lab/topology.js'

export type LabContext = {available: true; status: LabStatus} | {available: false; reason: string}

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabContext
  }
}

async function skipReason(): Promise<string | undefined> {
  if (process.env.HACHECK_LAB === 'off') return 'HACHECK_LAB=off'
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'the lab needs root (run the integration tests with sudo)'
  const {packageStatus} = await import('../../src/lab/deps.js')
  const missing = (await packageStatus()).filter((p) => !p.installed).map((p) => p.name)
  if (missing.length) return `Debian packages missing: ${missing.join(' ')} (sudo hacheck lab deps --install)`
  return undefined
}

/**
 * Whether any test file selected for this run uses the lab (imports lab/helpers or
 * injects 'lab'), so a run of unrelated integration files does not build a lab.
 */
async function labNeeded(project: TestProject): Promise<boolean> {
  if (process.env.HACHECK_LAB === 'on') return true
  // CLI file filters (vitest run FILE...); not in vitest's public types.
  const filters = (project.vitest as unknown as {filenamePattern?: string[]}).filenamePattern
  try {
    const {testFiles} = await project.globTestFiles(filters)
    return testFiles.some(
      (f) =>
        /[\\/]integration[\\/]lab[\\/]/.test(f) ||
        /lab\/helpers(\.js)?'|inject\('lab'\)/.test(readFileSync(f, 'utf8')),
    )
  } catch {
    return true
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const reason =
    (await skipReason()) ?? ((await labNeeded(project)) ? undefined : 'no selected test file uses the lab')
  if (reason) {
    if (!reason.startsWith('no selected')) console.warn(`[hacheck lab] lab tests are SKIPPED: ${reason}`)
    project.provide('lab', {available: false, reason})
    return undefined
  }
  const {labUp, labDown} = await import('../../src/lab/lab.js')
  const t0 = Date.now()
  const say = (m: string): void =>
    console.warn(`[hacheck lab ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`)
  // HACHECK_LAB_PROFILE (development runs of one file): start on the profile that file wants.
  const profile = (process.env.HACHECK_LAB_PROFILE ?? 'pacemaker3') as ProfileName
  const r = await labUp({profile, variants: [], onProgress: say})
  say(`lab ${r.mode} in ${(r.durationMs / 1000).toFixed(1)}s: ${r.status.inventory ?? ''}`)
  for (const [k, v] of Object.entries(r.status.env)) process.env[k] = v
  if (r.status.inventory) process.env.HACHECK_LAB_INVENTORY = r.status.inventory
  project.provide('lab', {available: true, status: r.status})
  return async () => {
    if (process.env.HACHECK_LAB_KEEP === '1') {
      say('HACHECK_LAB_KEEP=1: leaving the lab up')
      return
    }
    const d = await labDown()
    say(`lab down in ${(d.durationMs / 1000).toFixed(1)}s`)
  }
}
