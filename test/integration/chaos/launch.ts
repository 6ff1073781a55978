/**
 * Runs one hacheck command class straight from src/ (through tsx), the way
 * bin/dev.js would if it did not load commands through oclif.manifest.json
 * (which points at dist/, stale until the next build):
 *   tsx test/integration/chaos/launch.ts chaos/link-pull ARGS…
 * Errors are printed and mapped to exit codes by oclif's own handler.
 */
import {fileURLToPath} from 'node:url'

import {handle} from '@oclif/core'

const [id, ...argv] = process.argv.slice(2)
const root = fileURLToPath(new URL('../../../', import.meta.url))
try {
  const mod = (await import(`../../../src/commands/${id}.ts`)) as {
    default: {id?: string; run(argv: string[], root: string): Promise<unknown>}
  }
  // The id oclif gives it (per-command sections of the config file are found by it).
  mod.default.id ??= (id ?? '').split('/').join(':')
  await mod.default.run(argv, root)
} catch (err) {
  await handle(err as Error)
}
