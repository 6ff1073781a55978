/** A validator for one of the published JSON schemas in schemas/ (draft-07, formats on). */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {Ajv, type ValidateFunction} from 'ajv'
import addFormats from 'ajv-formats'

import {repoRoot} from './paths.js'

export function schemaValidator(name: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8')) as object
  const ajv = new Ajv({allErrors: true, strict: false})
  addFormats.default(ajv)
  return ajv.compile(schema)
}
