import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {LineCounter, parseDocument} from 'yaml'
import {describe, expect, it} from 'vitest'

import {plainYamlPositions, readPlainYaml} from '../../../src/inventory/plain-yaml.js'
import {parseYaml} from '../../../src/inventory/source.js'
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

/** Every path of a document: each value, and each mapping key. */
function allPaths(data: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix]
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...allPaths(v, [...prefix, i])))
  else if (data !== null && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) out.push(...allPaths(v, [...prefix, k]))
  return out
}

/** The fast positions are yaml's positions, for every value and key, and for paths that leave the document. */
function expectSamePositions(text: string, what: string): 'fast' | 'slow' {
  const fast = plainYamlPositions(text)
  const plain = readPlainYaml(text)
  // Empty documents are refused before any position is asked for.
  if (!fast || !plain || plain.data === null || plain.data === undefined) return 'slow'
  const slow = parseYaml(text)
  expect(slow.ok, what).toBe(true)
  if (!slow.ok) return 'slow'
  const pos = new LineCounterPositions(text)
  for (const path of allPaths(plain.data)) {
    for (const key of [false, true]) {
      const extra = key ? [] : [['missing'], [99999]]
      for (const p of [path, ...extra.map((e) => [...path, ...e])]) {
        expect(pos.at(fast(p, key)), `${what}: ${JSON.stringify(p)} key=${key}`).toEqual(
          slow.source.locate(p, {key}),
        )
      }
    }
  }
  return 'fast'
}

class LineCounterPositions {
  private readonly counter = new LineCounter()
  constructor(text: string) {
    parseDocument(text, {lineCounter: this.counter})
  }
  at(offset: number): {line: number; col: number} {
    return this.counter.linePos(offset)
  }
}

describe('plain YAML positions', () => {
  it('places every value and key where the yaml library places it, in every YAML file of the repository and the shared fixtures', () => {
    const files = [...yamlFiles(repoRoot), ...(haveShared ? yamlFiles(sharedFixturesDir) : [])]
    const seen = {fast: 0, slow: 0}
    for (const f of files) seen[expectSamePositions(readFileSync(f, 'utf8'), f)]++
    expect(seen.fast).toBeGreaterThan(20)
  })

  it('places values the yaml library places in empty values, comments, flow collections and nested lists', () => {
    const texts = [
      'a:\nb: 1\n',
      'a:   # empty\nb:\n  # still empty\nc: 1\n',
      'a: # note\n  1\n',
      'a:\n  # note\n  - x\n  -   y\n',
      'l:\n- a: 1\n  b:\n- - 1\n  - 2\n',
      'm: {a: 1, b: [x, {y: 2}], c: }\n',
      '"quoted key": 1\n\'q\': {"x y": 2}\n',
      '1: one\n2.5: two\ntrue: three\n',
      'nodes:\n  - name: n1\n    roles: [cluster,db]\n\n  - name: n2\n',
      '- \n- 3\n',
      'a: 1\r\nb:\r\n  c: 2\r\n',
      JSON.stringify({cluster: {name: 'c'}, nodes: [{name: 'n', roles: [], bmc: null}, {port: 22}]}, null, 2),
      JSON.stringify({cluster: {name: 'c'}, nodes: [{name: 'n', roles: ['a', 'b']}]}),
      ...SCALARS.flatMap((s) => [`k: ${s}\n`, `- ${s}\n`, `m:\n  - a: ${s}\n    b: 1\n`]),
    ]
    for (const text of texts) expectSamePositions(text, JSON.stringify(text))
  })
})
