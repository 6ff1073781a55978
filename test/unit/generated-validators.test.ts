import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {generatedPath, generateValidator, VALIDATORS} from '../../scripts/schema-validators.js'

describe('generated schema validators', () => {
  for (const spec of VALIDATORS) {
    it(`src/generated/${spec.name}.validate.ts is what npm run schemas makes of schemas/${spec.name}.schema.json`, () => {
      expect(readFileSync(generatedPath(spec.name), 'utf8')).toBe(generateValidator(spec))
    })
  }
})
