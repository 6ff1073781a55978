import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import type {ErrorObject, ValidateFunction} from 'ajv'

import {validate as generated} from '../generated/inventory.validate.js'

/**
 * The published JSON Schema (schemas/inventory.schema.json). Validation runs
 * the validator generated from it at build time (scripts/schema-validators.ts),
 * not ajv's compiler. The file sits at the package root, two levels above both
 * src/inventory/ and dist/inventory/, so the same relative URL works from
 * sources and from the build.
 */
export const INVENTORY_SCHEMA_PATH = fileURLToPath(
  new URL('../../schemas/inventory.schema.json', import.meta.url),
)

const validator = generated as unknown as ValidateFunction

export function inventorySchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(INVENTORY_SCHEMA_PATH, 'utf8')) as Record<string, unknown>
}

/** Validates a parsed document against the schema; returns ajv's errors (empty when valid). */
export function schemaErrors(data: unknown): ErrorObject[] {
  return validator(data) ? [] : [...(validator.errors ?? [])]
}
