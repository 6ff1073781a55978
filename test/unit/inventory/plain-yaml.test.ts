import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {parseDocument} from 'yaml'
import {describe, expect, it} from 'vitest'

import {readPlainYaml} from '../../../src/inventory/plain-yaml.js'
import {haveShared, repoRoot, sharedFixturesDir} from '../../support/paths.js'

/** What source.ts took from the yaml library before: undefined when it reports an error. */
function viaYaml(text: string): {data: unknown} | undefined {
  const doc = parseDocument(text, {merge: true, uniqueKeys: true})
  if (doc.errors.length) return undefined
  try {
    return {data: doc.toJS({maxAliasCount: 1000})}
  } catch {
    return undefined
  }
}

function yamlFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p))
    else if (/\.ya?ml$/.test(name)) out.push(p)
  }
  return out
}

/** Never data yaml would not give: same data, or no fast answer (then yaml decides). */
function expectAgreement(text: string, what: string): 'fast' | 'slow' {
  const fast = readPlainYaml(text)
  if (!fast) return 'slow'
  const slow = viaYaml(text)
  expect(slow, `${what}: js-yaml read it, yaml refuses it`).toBeDefined()
  expect(fast.data, what).toEqual(slow?.data)
  return 'fast'
}

const SCALARS = [
  '010',
  '0o17',
  '0o8',
  '0x1F',
  '0xG',
  '-0x1',
  '0b101',
  '1_000',
  '+12',
  '-0',
  '00',
  '08',
  '.5',
  '+.5',
  '-.5e+2',
  '1.',
  '0.',
  '1e3',
  '1E-3',
  '1e',
  '.inf',
  '-.Inf',
  '+.INF',
  '.NaN',
  '.nan',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'yes',
  'on',
  'y',
  'null',
  'Null',
  'NULL',
  '~',
  '',
  '2001-12-14',
  '12:30',
  '1:20:30',
  '0.1.2',
  '198.18.0.1',
  '2001:db8::1',
  "'quoted'",
  "'it''s'",
  '"dq\\ttab"',
  '"\\u00e9"',
  '[a, b]',
  '{a: 1}',
  '[]',
  '{}',
  'fooBar',
  '= x',
  'a b  c',
  'x #comment',
  '"#not"',
  '- 1',
  '?',
  'é',
  '9999999999999999999',
]

describe('plain YAML fast read', () => {
  it('gives the data yaml gives for every YAML file of the repository and the shared fixtures', () => {
    const files = [...yamlFiles(repoRoot), ...(haveShared ? yamlFiles(sharedFixturesDir) : [])]
    expect(files.length).toBeGreaterThan(20)
    const seen = {fast: 0, slow: 0}
    for (const f of files) seen[expectAgreement(readFileSync(f, 'utf8'), f)]++
    // Most of them are plain: the fast path must really be taken.
    expect(seen.fast).toBeGreaterThan(seen.slow)
  })

  it('resolves every kind of scalar as the yaml core schema does, as values, keys and list items', () => {
    for (const s of SCALARS) {
      for (const text of [
        `k: ${s}\n`,
        `${s}: v\n`,
        `l: [${s}]\n`,
        `- ${s}\n`,
        `m:\n  - a: ${s}\n    b: 1\n`,
      ]) {
        expectAgreement(text, JSON.stringify(text))
      }
    }
  })

  it('leaves duplicate keys, tags, anchors, merge keys, block scalars and several documents to yaml', () => {
    for (const text of [
      'a: 1\na: 2\n',
      'a: !!str 1\n',
      'a: &x {b: 1}\nc: *x\n',
      'base: &b {x: 1}\nd:\n  <<: *b\n',
      'a: |\n  text\n',
      'a: 1\n---\nb: 2\n',
      'a:\n\t- 1\n',
    ]) {
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined()
    }
  })
})
