/**
 * A small ordered element tree, so the Pacemaker parsers walk plain
 * `{name, attrs, children}` nodes in document order. The reader is in
 * xml-reader.ts; malformed XML is a ParseError with its line.
 */
import {ParseError} from './gatherer.js'
import {readXml, type XmlEl} from './xml-reader.js'

export {decodeEntities, type XmlEl} from './xml-reader.js'

/** Parses an XML document (a tool's whole output) and returns its root element. */
export function parseXml(text: string, what: string): XmlEl {
  if (text.indexOf('<') < 0) throw new ParseError(`${what}: no XML in output`)
  return readXml(text, what)
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
