import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import {expect} from 'vitest'

/**
 * Compares text with a golden file. UPDATE_GOLDEN=1 rewrites the file instead
 * (then review the diff with git before committing).
 */
export function expectGolden(actual: string, file: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI === 'true' && !existsSync(file)) throw new Error(`golden file missing in CI: ${file}`)
    mkdirSync(dirname(file), {recursive: true})
    writeFileSync(file, actual)
  }
  expect(actual).toBe(readFileSync(file, 'utf8'))
}
