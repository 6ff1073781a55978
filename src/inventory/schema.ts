import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import addFormats from 'ajv-formats'

import {isCidr, isHost, isIpAddress} from '../core/address.js'

/**
 * The published JSON Schema (schemas/inventory.schema.json), compiled once.
 * The file sits at the package root, two levels above both src/inventory/ and
 * dist/inventory/, so the same relative URL works from sources and from the build.
 */
export const INVENTORY_SCHEMA_PATH = fileURLToPath(
  new URL('../../schemas/inventory.schema.json', import.meta.url),
)

let validator: ValidateFunction | undefined

export function inventorySchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(INVENTORY_SCHEMA_PATH, 'utf8')) as Record<string, unknown>
}

/** Validates a parsed document against the schema; returns ajv's errors (empty when valid). */
export function schemaErrors(data: unknown): ErrorObject[] {
  validator ??= compile()
  return validator(data) ? [] : [...(validator.errors ?? [])]
}

function compile(): ValidateFunction {
  // verbose: errors carry parentSchema, where our `x-expected` wording lives.
  const ajv = new Ajv({allErrors: true, verbose: true, strict: true, allowUnionTypes: true})
  addFormats.default(ajv, ['uri'])
  ajv.addFormat('ip', {type: 'string', validate: isIpAddress})
  ajv.addFormat('host', {type: 'string', validate: isHost})
  ajv.addFormat('cidr', {type: 'string', validate: isCidr})
  // An annotation: the plain-words description of a valid value, used in error messages.
  ajv.addKeyword({keyword: 'x-expected', schemaType: 'string'})
  return ajv.compile(inventorySchema())
}
