/**
 * A small ordered element tree over fast-xml-parser, so the Pacemaker parsers
 * walk plain `{name, attrs, children}` nodes in document order and never see
 * the library's shapes. Malformed XML is a ParseError with its line.
 */
import {createRequire} from 'node:module'

import type * as Fxp from 'fast-xml-parser'

import {ParseError} from './gatherer.js'
import {dict, isRecord} from './util.js'

export interface XmlEl {
  name: string
  attrs: Record<string, string>
  children: XmlEl[]
  /** Concatenated direct text content, trimmed. */
  text: string
}

const ATTRS = ':@'
const TEXT = '#text'

// Loaded on first parse, and as the library's one-file CommonJS build: importing its ES
// modules costs ~5x more start-up, paid by every command that never parses XML.
let lib: {fxp: typeof Fxp; parser: Fxp.XMLParser} | undefined
const xmlLib = (): {fxp: typeof Fxp; parser: Fxp.XMLParser} => {
  if (lib) return lib
  const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof Fxp
  lib = {fxp, parser: new fxp.XMLParser(PARSER_OPTIONS)}
  return lib
}

const PARSER_OPTIONS: Fxp.X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The library's entity pass is ~20x slower than the parse itself; the five
  // XML entities and character references are decoded by decodeEntities below.
  processEntities: false,
}

const NAMED: Record<string, string> = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"}

/** Decodes the predefined XML entities and numeric character references. */
export function decodeEntities(v: string): string {
  if (!v.includes('&')) return v
  return v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)))
    return NAMED[ref] ?? whole
  })
}

function convert(node: Record<string, unknown>): XmlEl | string | undefined {
  for (const key of Object.keys(node)) {
    if (key === ATTRS) continue
    const value = node[key]
    if (key === TEXT) return decodeEntities(typeof value === 'string' ? value : String(value))
    const attrs = dict<string>()
    const rawAttrs = node[ATTRS]
    if (isRecord(rawAttrs)) {
      for (const [k, v] of Object.entries(rawAttrs))
        attrs[k] = decodeEntities(typeof v === 'string' ? v : String(v))
    }
    const children: XmlEl[] = []
    let text = ''
    if (Array.isArray(value)) {
      for (const c of value) {
        if (!isRecord(c)) continue
        const conv = convert(c)
        if (typeof conv === 'string') text += conv
        else if (conv) children.push(conv)
      }
    }
    return {name: key, attrs, children, text: text.trim()}
  }
  return undefined
}

/** Parses an XML document and returns its root element. */
export function parseXml(text: string, what: string): XmlEl {
  const start = text.indexOf('<')
  if (start < 0) throw new ParseError(`${what}: no XML in output`)
  const {fxp, parser} = xmlLib()
  const valid = fxp.XMLValidator.validate(text)
  if (valid !== true) {
    throw new ParseError(`${what}: malformed XML: ${valid.err.msg}`, valid.err.line)
  }
  const doc: unknown = parser.parse(text)
  if (Array.isArray(doc)) {
    for (const n of doc) {
      if (!isRecord(n)) continue
      const el = convert(n)
      if (el && typeof el !== 'string') return el
    }
  }
  throw new ParseError(`${what}: no root element`)
}

export function child(el: XmlEl | undefined, name: string): XmlEl | undefined {
  return el?.children.find((c) => c.name === name)
}

export function childrenNamed(el: XmlEl | undefined, ...names: string[]): XmlEl[] {
  return el ? el.children.filter((c) => names.includes(c.name)) : []
}

/** Every descendant (depth-first, document order) with one of the names. */
export function descendants(el: XmlEl | undefined, ...names: string[]): XmlEl[] {
  const out: XmlEl[] = []
  const walk = (e: XmlEl): void => {
    for (const c of e.children) {
      if (names.includes(c.name)) out.push(c)
      walk(c)
    }
  }
  if (el) walk(el)
  return out
}

/** "true"/"false" attribute (also 1/0, yes/no); undefined when absent or other. */
export function attrBool(el: XmlEl | undefined, name: string): boolean | undefined {
  const v = el?.attrs[name]
  if (v === undefined) return undefined
  const t = v.toLowerCase()
  if (t === 'true' || t === '1' || t === 'yes') return true
  if (t === 'false' || t === '0' || t === 'no') return false
  return undefined
}

export function attrInt(el: XmlEl | undefined, name: string): number | undefined {
  const v = el?.attrs[name]
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return undefined
  return Number(v)
}
