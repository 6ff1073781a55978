/**
 * Access to the shared corpus of real, published tool outputs
 * (../shared/fixtures relative to the repository root), read in place and never
 * copied into the repository. A suite over a missing folder is skipped with a
 * warning naming it.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {GathererOutput} from '../../../src/facts/gatherer.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export const fixturesRoot = path.resolve(repoRoot, '..', 'shared', 'fixtures')

/** Absolute path of a fixture folder; warns once when it is absent. */
export function fixtureDir(tool: string): string {
  const dir = path.join(fixturesRoot, tool)
  if (!existsSync(dir)) console.warn(`[facts tests] fixture folder ${dir} is missing: its tests are skipped`)
  return dir
}

/** File names in a fixture folder (sorted); empty when the folder is absent. */
export function fixtureFiles(dir: string, ext?: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => (ext ? f.endsWith(ext) : true))
    .sort()
}

export function readFixture(dir: string, name: string): string {
  return readFileSync(path.join(dir, name), 'utf8')
}

/** A gatherer output with only stdout, exit 0. */
export function stdoutOnly(stdout: string, exitCode = 0): GathererOutput {
  return {stdout, stderr: '', exitCode}
}

/** Frames texts the way parts.ts snippets print them (for gatherers that read several files). */
export function framed(parts: readonly {name: string; body: string; exitCode?: number}[]): string {
  return parts
    .map((p) => `@@hacheck-part:begin ${p.name}@@\n${p.body}\n@@hacheck-part:end ${p.exitCode ?? 0}@@\n`)
    .join('')
}

export {existsSync}

/**
 * The values a regular expression's first group takes in a fixture, in order:
 * expected values read from the verbatim capture itself, so tests do not copy
 * the capture's (often private-range) addresses into the repository.
 */
export function valuesIn(dir: string, name: string, re: RegExp): string[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)
  return [...readFixture(dir, name).matchAll(g)].map((m) => m[1] ?? '')
}
