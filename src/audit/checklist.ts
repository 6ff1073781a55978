/**
 * Checklists are data (checklists/*.yaml, schemas/checklist.schema.json): which
 * checks run, grouped by the items of the deployment checklist, with per-check
 * parameter and severity overrides. Loading reuses the inventory's YAML
 * position tracking so errors read `FILE:LINE:COL: PATH: …`.
 */
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import type {ValidateFunction} from 'ajv'

import {errorMessage, InputError} from '../core/errors.js'
import type {Severity} from '../core/results.js'
import {validate as generated} from '../generated/checklist.validate.js'
import type {AnyCheck, Params} from '../checks/define.js'
import {renderProblems} from '../inventory/load.js'
import {translateSchemaErrors} from '../inventory/messages.js'
import {parseSource, type Problem} from '../inventory/source.js'
import type {PlannedCheck} from './engine.js'
import {readInputText} from '../cli/files.js'

export interface ChecklistEntry {
  check: string
  severity?: Severity
  params?: Params
}

export interface ChecklistItem {
  ref: string
  title: string
  checks: ChecklistEntry[]
}

export interface Checklist {
  id: string
  title: string
  version: string
  description?: string
  items: ChecklistItem[]
  file: string
}

const pkgPath = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url))
export const CHECKLISTS_DIR = pkgPath('checklists')

// Generated from schemas/checklist.schema.json at build time (scripts/schema-validators.ts).
const validator = generated as unknown as ValidateFunction
const validate = (data: unknown): ReturnType<ValidateFunction> => validator(data)

/** `ha-baseline` → the bundled file; anything with a slash or extension → a path. */
export function checklistPath(nameOrFile: string): string {
  if (/[/\\]|\.(ya?ml|json)$/i.test(nameOrFile)) return nameOrFile
  return `${CHECKLISTS_DIR}/${nameOrFile}.yaml`
}

export async function loadChecklist(
  nameOrFile: string,
  catalog: ReadonlyMap<string, AnyCheck>,
): Promise<Checklist> {
  const file = checklistPath(nameOrFile)
  if (!existsSync(file)) {
    throw new InputError(`${file}: checklist not found`, {
      actions: ['Use a bundled checklist name (hacheck checks list shows them) or a path to a YAML file.'],
    })
  }
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    throw new InputError(`${file}: cannot read the checklist: ${errorMessage(err)}`)
  }
  return parseChecklist(text, file, catalog)
}

export function parseChecklist(
  text: string,
  file: string,
  catalog: ReadonlyMap<string, AnyCheck>,
): Checklist {
  if (text.trim() === '')
    throw new InputError(`${file}:1:1: expected a checklist (id, title, version, items), found an empty file`)
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw new InputError(renderProblems(file, parsed.problems))
  const data = parsed.source.data
  if (!validate(data))
    throw new InputError(renderProblems(file, translateSchemaErrors(validator?.errors ?? [], parsed.source)))
  const raw = data as {
    id: string
    title: string
    version: string | number
    description?: string
    items: {ref: string; title: string; checks: (string | ChecklistEntry)[]}[]
  }
  const problems: Problem[] = []
  const items: ChecklistItem[] = raw.items.map((item, i) => ({
    ref: item.ref,
    title: item.title,
    checks: item.checks.map((c, j) => {
      const entry = typeof c === 'string' ? {check: c} : c
      const check = catalog.get(entry.check)
      const path = ['items', i, 'checks', j] as const
      if (!check) {
        const {line, col} = parsed.source.locate(path)
        problems.push({
          line,
          col,
          path: `items[${i}].checks[${j}]`,
          message: `unknown check "${entry.check}" (hacheck checks list shows them)`,
        })
      } else {
        for (const k of Object.keys(entry.params ?? {})) {
          if (!Object.hasOwn(check.params, k)) {
            const {line, col} = parsed.source.locate([...path, 'params', k], {key: true})
            problems.push({
              line,
              col,
              path: `items[${i}].checks[${j}].params.${k}`,
              message: `unknown parameter "${k}" of ${entry.check}; it takes: ${Object.keys(check.params).join(', ') || 'none'}`,
            })
            continue
          }
          const wrong = paramProblem(check.params[k], (entry.params as Record<string, unknown>)[k])
          if (wrong) {
            const {line, col} = parsed.source.locate([...path, 'params', k])
            problems.push({
              line,
              col,
              path: `items[${i}].checks[${j}].params.${k}`,
              message: `${wrong} (parameter "${k}" of ${entry.check}, default ${JSON.stringify(check.params[k])})`,
            })
          }
        }
      }
      return entry
    }),
  }))
  if (problems.length) throw new InputError(renderProblems(file, problems))
  return {
    id: raw.id,
    title: raw.title,
    version: String(raw.version),
    description: raw.description,
    items,
    file,
  }
}

/**
 * A checklist parameter is typed by its check's declaration (the default it
 * declares): a number for a number (finite; not negative when the default is
 * not), text for text, a list of the same kind for a list. undefined when fine.
 */
export function paramProblem(declared: unknown, given: unknown): string | undefined {
  const kind = (v: unknown): string =>
    v === null
      ? 'an empty value'
      : Array.isArray(v)
        ? 'a list'
        : typeof v === 'object'
          ? 'a mapping'
          : typeof v === 'string'
            ? 'text'
            : `a ${typeof v}`
  if (typeof declared === 'number') {
    if (typeof given !== 'number' || !Number.isFinite(given)) return `expected a number, found ${kind(given)}`
    if (declared >= 0 && given < 0) return `expected a number >= 0, found ${given}`
    return undefined
  }
  if (typeof declared === 'string')
    return typeof given === 'string' ? undefined : `expected text, found ${kind(given)}`
  if (typeof declared === 'boolean')
    return typeof given === 'boolean' ? undefined : `expected true or false, found ${kind(given)}`
  if (Array.isArray(declared)) {
    if (!Array.isArray(given)) return `expected a list, found ${kind(given)}`
    // The element kind: of the default's elements, else text (every list parameter today is a list of names).
    const el = declared.length ? typeof declared[0] : 'string'
    const bad = given.find((g) => typeof g !== el)
    return bad === undefined
      ? undefined
      : `expected a list of ${el === 'string' ? 'text' : `${el}s`}, found ${kind(bad)} in it`
  }
  return undefined
}

export function itemTitles(cl: Checklist): Record<string, string> {
  return {'x.reachable': 'Connectivity', ...Object.fromEntries(cl.items.map((i) => [i.ref, i.title]))}
}

/** Expands a checklist into planned checks, applying --only/--skip (check ids or item refs). */
export function planFromChecklist(
  cl: Checklist,
  catalog: ReadonlyMap<string, AnyCheck>,
  filter: {only?: string[]; skip?: string[]} = {},
): PlannedCheck[] {
  const known = new Set<string>([
    ...cl.items.map((i) => i.ref),
    ...cl.items.flatMap((i) => i.checks.map((c) => c.check)),
  ])
  for (const id of [...(filter.only ?? []), ...(filter.skip ?? [])]) {
    if (!known.has(id)) {
      throw new InputError(
        `--only/--skip: "${id}" is neither a check id nor an item ref of checklist ${cl.id}`,
        {
          actions: ['hacheck checks list shows the ids and refs.'],
        },
      )
    }
  }
  const matches = (ids: string[] | undefined, item: ChecklistItem, e: ChecklistEntry): boolean =>
    !!ids && (ids.includes(e.check) || ids.includes(item.ref))
  const out: PlannedCheck[] = []
  for (const item of cl.items) {
    for (const e of item.checks) {
      if (filter.only?.length && !matches(filter.only, item, e)) continue
      if (matches(filter.skip, item, e)) continue
      const check = catalog.get(e.check) as AnyCheck
      out.push({
        check,
        ref: item.ref,
        itemTitle: item.title,
        params: {...check.params, ...(e.params ?? {})},
        severity: e.severity ?? check.severity,
      })
    }
  }
  return out
}
