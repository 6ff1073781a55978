import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixturesDir = join(repoRoot, 'test', 'fixtures')
/**
 * The shared corpus of real tool outputs; read in place, never copied into the
 * repo. It lies beside the checkout on CI and on the project's machines; a clone
 * anywhere else has none, and the tests that read it SKIP with a message.
 */
export const sharedFixturesDir = resolve(repoRoot, '..', 'shared', 'fixtures')
export const sharedSchemasDir = resolve(repoRoot, '..', 'shared', 'schemas')
export const haveShared = existsSync(sharedFixturesDir)
export const junitXsd = join(sharedSchemasDir, 'junit-10.xsd')
export const haveJunitXsd = existsSync(junitXsd)
