/**
 * A saved run read back (`report render`): untrusted input like any file. The
 * JSON is checked against the published schema (schemas/audit-run.schema.json,
 * schemas/chaos-result.schema.json) before any reporter sees it, and every
 * problem is named by its path: `results[3].status: must be one of pass, …`.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'

import {InputError} from '../core/errors.js'
import type {AuditRun} from '../core/results.js'
import {visibleText} from '../core/sanitize.js'
import {jsonFailure} from '../inventory/source.js'

const pkgPath = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url))
const validators = new Map<string, ValidateFunction>()

function validator(schema: string): ValidateFunction {
  let v = validators.get(schema)
  if (!v) {
    const ajv = new Ajv({allErrors: true, strict: false, allowUnionTypes: true, validateFormats: false})
    v = ajv.compile(JSON.parse(readFileSync(pkgPath(`schemas/${schema}`), 'utf8')) as Record<string, unknown>)
    validators.set(schema, v)
  }
  return v
}

/** `/results/3/status` → `results[3].status`. */
function where(pointer: string): string {
  const path = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('')
  return visibleText(path.length > 120 ? `${path.slice(0, 117)}...` : path) || '(top level)'
}

function problem(e: ErrorObject): string {
  const p = e.params as {allowedValues?: unknown[]; additionalProperty?: string; missingProperty?: string}
  if (e.keyword === 'enum' && p.allowedValues)
    return `${where(e.instancePath)}: must be one of ${p.allowedValues.join(', ')}`
  if (e.keyword === 'required')
    return `${where(e.instancePath)}: missing "${visibleText(String(p.missingProperty)).slice(0, 80)}"`
  if (e.keyword === 'additionalProperties')
    return `${where(e.instancePath)}: unknown key "${visibleText(String(p.additionalProperty)).slice(0, 80)}"`
  return `${where(e.instancePath)}: ${e.message ?? 'invalid'}`
}

function check(data: unknown, schema: string, file: string, what: string): void {
  const validate = validator(schema)
  if (validate(data)) return
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if')
  // Missing keys of one object on one line: `(top level): missing "tool", "results"`.
  const missing = new Map<string, string[]>()
  for (const e of errors.filter((x) => x.keyword === 'required')) {
    const k = where(e.instancePath)
    missing.set(k, [...(missing.get(k) ?? []), problem(e).replace(/^.*: missing /, '')])
  }
  const lines = [
    ...[...missing].map(([k, keys]) => `${k}: missing ${keys.join(', ')}`),
    ...new Set(errors.filter((x) => x.keyword !== 'required').map(problem)),
  ]
  const shown = lines.slice(0, 8)
  throw new InputError(
    `${file}: not a valid ${what}:\n` +
      shown.map((l) => `  ${l}`).join('\n') +
      (lines.length > shown.length ? `\n  … and ${lines.length - shown.length} more problem(s)` : ''),
    {code: 'invalid-run', actions: [`The format is schemas/${schema}.`]},
  )
}

export type SavedRun = {kind: 'audit'; run: AuditRun} | {kind: 'chaos'}

/** Tells an audit run from a chaos run.json and validates it; anything else is an InputError naming the file. */
export function parseSavedRun(text: string, file: string): SavedRun {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new InputError(`${file}: not JSON: ${jsonFailure(text)}`)
  }
  const obj =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc)
      ? (doc as Record<string, unknown>)
      : undefined
  if (obj?.kind === 'audit') {
    check(obj, 'audit-run.schema.json', file, 'saved audit run')
    return {kind: 'audit', run: obj as unknown as AuditRun}
  }
  if (obj && typeof obj.runId === 'string') {
    check(obj, 'chaos-result.schema.json', file, 'chaos run.json')
    return {kind: 'chaos'}
  }
  throw new InputError(
    `${file}: not a saved hacheck run (expected the JSON of \`hacheck audit --format json\` or a chaos run.json)`,
  )
}
