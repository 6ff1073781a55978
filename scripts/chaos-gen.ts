/**
 * `npm run chaos:gen`: writes what the fault declarations (src/chaos/faults/*.ts)
 * imply: the registry (src/chaos/faults/index.ts), one thin command per fault
 * (src/commands/chaos/<id>.ts), the game-day schema (schemas/gameday.schema.json) and
 * the faults a result may name (schemas/chaos-result.schema.json, properties.fault), and the
 * game-day validator generated from that schema (src/generated/gameday.validate.ts, npm run schemas).
 * Run it after adding or changing a fault; test/unit/chaos/declarations.test.ts
 * fails while any of them is out of step.
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import prettier from 'prettier'

import {commandText, registryText} from '../src/chaos/cli/generated.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const faultsDir = join(root, 'src', 'chaos', 'faults')

/** The fault files: every .ts directly in src/chaos/faults/ but the registry (helpers live in parts/). */
function faultFileIds(dir = faultsDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort()
}

const config = JSON.parse(readFileSync(join(root, '.prettierrc.json'), 'utf8')) as prettier.Options
const write = async (file: string, text: string, parser: string): Promise<void> =>
  writeFileSync(file, await prettier.format(text, {...config, parser}))

const ids = faultFileIds()
await write(join(faultsDir, 'index.ts'), registryText(ids), 'typescript')
for (const id of ids)
  await write(join(root, 'src', 'commands', 'chaos', `${id}.ts`), commandText(id), 'typescript')
// The registry may have just changed: load it afresh for the schema.
const {gameDaySchemaText} = await import('../src/chaos/gameday/schema.js')
await write(join(root, 'schemas', 'gameday.schema.json'), gameDaySchemaText(), 'json')
// The result's `fault` is one of the faults.
const resultFile = join(root, 'schemas', 'chaos-result.schema.json')
const result = JSON.parse(readFileSync(resultFile, 'utf8')) as {properties: {fault: {enum: string[]}}}
result.properties.fault.enum = ids
await write(resultFile, JSON.stringify(result, null, 2), 'json')
// The game-day validator is generated from the schema just written.
const {generateValidator, generatedPath, VALIDATORS} = await import('./schema-validators.js')
const gameday = VALIDATORS.find((v) => v.name === 'gameday')
if (gameday) writeFileSync(generatedPath('gameday'), generateValidator(gameday))
console.log(`chaos:gen: ${ids.length} faults: ${ids.join(', ')}`)
