import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {afterAll, describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {parseXml} from '../../../src/facts/xml.js'
import {decodeEntities, readXml, type XmlEl} from '../../../src/facts/xml-reader.js'
import {repoRoot} from '../../support/paths.js'
import {fixtureDir, fixtureFiles, readFixture} from './fixtures.js'

/** The pipeline xml.ts used before its own reader: fast-xml-parser's validator, parser, then a tree walk. */
const fxp = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
})
type Raw = Record<string, unknown>
function convert(node: Raw): XmlEl | string | undefined {
  for (const key of Object.keys(node)) {
    if (key === ':@') continue
    const value = node[key]
    if (key === '#text') return decodeEntities(String(value))
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>
    for (const [k, v] of Object.entries((node[':@'] as Raw | undefined) ?? {}))
      attrs[k] = decodeEntities(String(v))
    const children: XmlEl[] = []
    let text = ''
    for (const c of value as Raw[]) {
      const conv = convert(c)
      if (typeof conv === 'string') text += conv
      else if (conv) children.push(conv)
    }
    return {name: key, attrs, children, text: text.trim()}
  }
  return undefined
}
function oracle(text: string): XmlEl | undefined {
  if (XMLValidator.validate(text) !== true) return undefined
  for (const n of fxp.parse(text) as Raw[]) {
    const el = convert(n)
    if (el && typeof el !== 'string') return el
  }
  return undefined
}
const mine = (text: string): XmlEl | undefined => {
  try {
    return readXml(text, 'doc')
  } catch (err) {
    if (!(err instanceof ParseError)) throw err
    return undefined
  }
}

/** Real XML outputs: the published CIBs and crm_mon documents, and those captured from the lab in examples/. */
function corpus(): {name: string; text: string}[] {
  const docs: {name: string; text: string}[] = []
  for (const tool of ['cibadmin-cib', 'crm_mon-xml']) {
    const dir = fixtureDir(tool)
    for (const f of fixtureFiles(dir, '.xml')) docs.push({name: `${tool}/${f}`, text: readFixture(dir, f)})
  }
  const examples = path.join(repoRoot, 'examples')
  for (const ex of readdirSync(examples)) {
    for (const node of ['n1', 'n2', 'n3']) {
      for (const f of ['cibadmin.out', 'crm-mon.out']) {
        const file = path.join(examples, ex, node, f)
        if (existsSync(file) && readFileSync(file, 'utf8').startsWith('<'))
          docs.push({name: `examples/${ex}/${node}/${f}`, text: readFileSync(file, 'utf8')})
      }
    }
  }
  return docs
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Small damage to a document after its XML declaration: one character inserted, deleted or replaced, or a cut. */
function mutants(text: string, count: number, seed: number): string[] {
  const rand = rng(seed)
  const from = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0
  const chars = '<>/&"\'=;!?-[] x\n#'
  const out: string[] = []
  for (let k = 0; k < count; k++) {
    const at = from + Math.floor(rand() * (text.length - from))
    const c = chars[Math.floor(rand() * chars.length)] as string
    const op = Math.floor(rand() * 4)
    if (op === 0) out.push(text.slice(0, at) + c + text.slice(at))
    else if (op === 1) out.push(text.slice(0, at) + text.slice(at + 1))
    else if (op === 2) out.push(text.slice(0, at) + c + text.slice(at + 1))
    else out.push(text.slice(0, at))
  }
  return out
}

describe('XML reader', () => {
  const docs = corpus()
  const tmp = mkdtempSync(path.join(tmpdir(), 'hacheck-xml-'))
  afterAll(() => rmSync(tmp, {recursive: true, force: true}))

  it('reads every real CIB and crm_mon document into the tree the fast-xml-parser pipeline built', () => {
    expect(docs.length).toBeGreaterThanOrEqual(6)
    for (const d of docs) expect(mine(d.text), d.name).toEqual(oracle(d.text))
  })

  it('accepts a damaged document exactly when xmllint finds it well-formed, and then reads it like the old pipeline', () => {
    const files: {file: string; text: string}[] = []
    docs.forEach((d, i) => {
      mutants(d.text, 40, i + 1).forEach((text, k) => {
        const file = path.join(tmp, `m${i}-${k}.xml`)
        writeFileSync(file, text)
        files.push({file, text})
      })
    })
    const r = spawnSync('xmllint', ['--noout', '--nonet', ...files.map((f) => f.file)], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
    expect(r.error?.message).toBeUndefined()
    const broken = new Set(
      r.stderr
        .split('\n')
        .map((l) => /^(\S+\.xml):\d+:/.exec(l)?.[1])
        .filter((f): f is string => f !== undefined),
    )
    let wellFormed = 0
    for (const f of files) {
      const got = mine(f.text)
      expect(got !== undefined, `${f.file} (xmllint: ${broken.has(f.file) ? 'broken' : 'well-formed'})`).toBe(
        !broken.has(f.file),
      )
      if (got === undefined) continue
      wellFormed++
      const old = oracle(f.text)
      if (old) expect(got, f.file).toEqual(old)
    }
    // The damage must leave both kinds of documents to compare.
    expect(wellFormed).toBeGreaterThan(files.length / 20)
    expect(broken.size).toBeGreaterThan(files.length / 4)
  })

  it('names the line of the problem and refuses text around the root', () => {
    expect(() => parseXml('<a>\n<b>\n</a>', 'crm_mon')).toThrow(
      "line 3: crm_mon: malformed XML: expected closing tag 'b' (opened in line 2) instead of 'a'",
    )
    expect(() => parseXml('warning: x\n<a/>', 'crm_mon')).toThrow(/text before the root element/)
    expect(() => parseXml('<a/>\n<b/>', 'crm_mon')).toThrow(/more than one root element/)
    expect(() => parseXml('no xml at all', 'crm_mon')).toThrow('crm_mon: no XML in output')
    expect(() => parseXml('<a x="1" x="2"/>', 'cib')).toThrow(/attribute 'x' is repeated/)
    expect(() => parseXml('<a>&nbsp;</a>', 'cib')).toThrow(/undefined entity/)
  })

  it('keeps CDATA as written and decodes references everywhere else', () => {
    const el = readXml('<a t=" &lt;&#x41;&#66; "> x &amp; <![CDATA[&amp;<b>]]> <!-- c --> y </a>', 'd')
    expect(el.attrs.t).toBe('<AB')
    expect(el.text).toBe('x &&amp;<b>y')
  })
})
