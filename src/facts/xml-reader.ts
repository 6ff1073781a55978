/**
 * A strict one-pass XML reader that builds the ordered element tree the
 * Pacemaker parsers walk (see xml.ts). Why not a library: validating, parsing
 * and converting with fast-xml-parser cost ~3 ms per node for a lab's 34 KB of
 * CIB and crm_mon XML, as much as the whole SSH round trip of that node; this
 * reader does the same job about ten times faster (docs/performance.md).
 *
 * What it accepts is well-formed XML 1.0: one root element, an optional XML
 * declaration at the very start, comments, processing instructions, a DOCTYPE
 * before the root (skipped; its entities are not expanded), CDATA sections,
 * the five predefined entities and character references. Anything else (an
 * unclosed or mismatched tag, a repeated or unquoted attribute, a stray `&`,
 * text around the root) is a ParseError naming the line.
 *
 * The tree is the one the previous fast-xml-parser pipeline produced (a test
 * compares both on every published CIB and crm_mon output): attribute values
 * are trimmed then entity-decoded; an element's `text` is its direct text
 * runs, each trimmed and decoded, concatenated and trimmed (comments do not
 * split a run); CDATA is taken as is.
 */
import {ParseError} from './gatherer.js'

export interface XmlEl {
  name: string
  attrs: Record<string, string>
  children: XmlEl[]
  /** Concatenated direct text content, trimmed. */
  text: string
}

// XML 1.0 (5th edition) Name production.
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD'
// The spec's ranges include combining marks on purpose (allowed after the first character).
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`)
const ASCII_NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/
const REFERENCE = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([A-Za-z_:][-A-Za-z0-9_:.]*));/y
const DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][-A-Za-z0-9._]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>$/

const NAMED: Record<string, string> = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"}

/** Decodes the predefined XML entities and numeric character references; other entities stay as written. */
export function decodeEntities(v: string): string {
  if (!v.includes('&')) return v
  return v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)))
    return NAMED[ref] ?? whole
  })
}

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13

// Documents repeat a few dozen names thousands of times: remember the good ones.
const goodNames = new Set<string>()
function isName(s: string): boolean {
  if (goodNames.has(s)) return true
  if (!ASCII_NAME.test(s) && !NAME.test(s)) return false
  if (goodNames.size < 4096) goodNames.add(s)
  return true
}

/** XML 1.0 Char: what a character reference may stand for. */
const isXmlChar = (c: number): boolean =>
  c === 9 ||
  c === 10 ||
  c === 13 ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff)

function lineAt(s: string, at: number): number {
  let line = 1
  for (let k = s.indexOf('\n'); k >= 0 && k < at; k = s.indexOf('\n', k + 1)) line++
  return line
}

interface Open {
  el: XmlEl
  at: number
}

/** Parses a whole XML document and returns its root element. */
export function readXml(s: string, what: string): XmlEl {
  return new Reader(s, what).document()
}

/** One pass over one document; `i` is the read position. */
class Reader {
  private readonly n: number
  private readonly docStart: number
  private readonly stack: Open[] = []
  private root: XmlEl | undefined
  /** Raw text of the current run (comments do not end a run; tags and CDATA do). */
  private pending = ''
  private i: number
  /** Without a DOCTYPE only the five predefined entities exist. */
  private doctype = false

  constructor(
    private readonly s: string,
    private readonly what: string,
  ) {
    this.n = s.length
    this.docStart = s.charCodeAt(0) === 0xfeff ? 1 : 0
    this.i = this.docStart
  }

  document(): XmlEl {
    const s = this.s
    while (this.i < this.n) {
      const lt = s.indexOf('<', this.i)
      const end = lt < 0 ? this.n : lt
      if (end > this.i) this.text(this.i, end)
      if (lt < 0) break
      this.i = lt
      const c1 = s.charCodeAt(lt + 1)
      if (c1 === 33 /* ! */) this.markup()
      else if (c1 === 63 /* ? */) this.instruction()
      else if (c1 === 47 /* / */) this.endTag()
      else this.startTag()
    }
    const open = this.stack[this.stack.length - 1]
    if (open) this.fail(`unclosed tag '${open.el.name}'`, open.at)
    if (!this.root) this.fail('no root element', this.n)
    return this.root as XmlEl
  }

  private fail(msg: string, at: number): never {
    throw new ParseError(`${this.what}: malformed XML: ${msg}`, lineAt(this.s, at))
  }

  /** `t` is s[from, from + t.length): every `&` in it must start a reference to a known entity or a valid character. */
  private references(t: string, from: number): void {
    const to = from + t.length
    for (let r = t.indexOf('&'); r >= 0; r = t.indexOf('&', r + 1)) {
      const a = from + r
      REFERENCE.lastIndex = a
      const m = REFERENCE.exec(this.s)
      if (!m || REFERENCE.lastIndex > to)
        this.fail("'&' is not the start of an entity or character reference", a)
      const [, dec, hex, name] = m
      if (name !== undefined) {
        if (!this.doctype && !(name in NAMED)) this.fail(`undefined entity '&${name};'`, a)
      } else if (!isXmlChar(dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16))) {
        this.fail(`character reference '${m[0]}' is not an XML character`, a)
      }
    }
  }

  /** Ends the current text run: trimmed, decoded, appended to the open element's text. */
  private flush(): void {
    const top = this.stack[this.stack.length - 1]
    if (!top || this.pending === '') return
    const t = this.pending.trim()
    if (t) top.el.text += decodeEntities(t)
    this.pending = ''
  }

  private text(from: number, to: number): void {
    const s = this.s
    if (this.stack.length === 0) {
      for (let k = from; k < to; k++) {
        if (isWs(s.charCodeAt(k))) continue
        this.fail(this.root ? 'text after the root element' : `text before the root element ('${s[k]}')`, k)
      }
      return
    }
    const t = s.slice(from, to)
    this.references(t, from)
    if (t.includes(']]>')) this.fail("']]>' in text", from + t.indexOf(']]>'))
    this.pending += t
  }

  private nameEnd(from: number): number {
    const s = this.s
    let k = from
    while (k < this.n) {
      const c = s.charCodeAt(k)
      if (isWs(c) || c === 62 /* > */ || c === 47 /* / */ || c === 61 /* = */) break
      k++
    }
    return k
  }

  private skipWs(from: number): number {
    let k = from
    while (k < this.n && isWs(this.s.charCodeAt(k))) k++
    return k
  }

  /** `<!--`, `<![CDATA[` or `<!DOCTYPE` at i. */
  private markup(): void {
    const s = this.s
    const i = this.i
    if (s.startsWith('<!--', i)) {
      const e = s.indexOf('--', i + 4)
      if (e < 0) this.fail('unclosed comment', i)
      if (s.charCodeAt(e + 2) !== 62) this.fail("'--' inside a comment", e)
      this.i = e + 3
    } else if (s.startsWith('<![CDATA[', i)) {
      const top = this.stack[this.stack.length - 1]
      if (!top) this.fail('CDATA outside the root element', i)
      const e = s.indexOf(']]>', i + 9)
      if (e < 0) this.fail('unclosed CDATA section', i)
      this.flush()
      top.el.text += s.slice(i + 9, e)
      this.i = e + 3
    } else if (s.startsWith('<!DOCTYPE', i)) {
      if (this.root || this.stack.length) this.fail('DOCTYPE after the root element', i)
      this.doctype = true
      let depth = 1
      let k = i + 9
      for (; k < this.n && depth > 0; k++) {
        const c = s.charCodeAt(k)
        if (c === 60) depth++
        else if (c === 62) depth--
      }
      if (depth > 0) this.fail('unclosed DOCTYPE', i)
      this.i = k
    } else {
      this.fail("'<!' starts neither a comment, CDATA nor DOCTYPE", i)
    }
  }

  /** `<?target …?>`; the XML declaration only at the very start. */
  private instruction(): void {
    const s = this.s
    const i = this.i
    const e = s.indexOf('?>', i + 2)
    if (e < 0) this.fail('unclosed processing instruction', i)
    const target = s.slice(i + 2, this.nameEnd(i + 2))
    if (!isName(target)) this.fail(`'${target}' is not a valid processing instruction target`, i)
    if (target.toLowerCase() === 'xml') {
      if (i !== this.docStart) this.fail('XML declaration allowed only at the start of the document', i)
      if (!DECLARATION.test(s.slice(i, e + 2))) this.fail('malformed XML declaration', i)
    }
    this.i = e + 2
  }

  private endTag(): void {
    const at = this.i
    const e = this.nameEnd(at + 2)
    const name = this.s.slice(at + 2, e)
    const gt = this.skipWs(e)
    if (this.s.charCodeAt(gt) !== 62) this.fail(`closing tag '${name}' is not closed by '>'`, at)
    this.i = gt + 1
    const top = this.stack[this.stack.length - 1]
    if (!top) this.fail(`closing tag '${name}' has not been opened`, at)
    if (top.el.name !== name) {
      const opened = lineAt(this.s, top.at)
      this.fail(`expected closing tag '${top.el.name}' (opened in line ${opened}) instead of '${name}'`, at)
    }
    this.flush()
    this.stack.pop()
    top.el.text = top.el.text.trim()
  }

  private startTag(): void {
    const s = this.s
    const at = this.i
    if (this.root && this.stack.length === 0) this.fail('more than one root element', at)
    this.flush()
    const e = this.nameEnd(at + 1)
    const name = s.slice(at + 1, e)
    if (!isName(name)) this.fail(name ? `'${name}' is not a valid tag name` : "space after '<'", at)
    const el: XmlEl = {name, attrs: Object.create(null) as Record<string, string>, children: [], text: ''}
    const top = this.stack[this.stack.length - 1]
    if (top) top.el.children.push(el)
    else this.root = el
    let i = e
    for (;;) {
      const k = this.skipWs(i)
      const spaced = k > i
      i = k
      if (i >= this.n) this.fail(`tag '${name}' is not closed`, at)
      const c = s.charCodeAt(i)
      if (c === 62 /* > */) {
        this.stack.push({el, at})
        this.i = i + 1
        return
      }
      if (c === 47 /* / */) {
        if (s.charCodeAt(i + 1) !== 62) this.fail(`'/' inside tag '${name}'`, i)
        this.i = i + 2
        return
      }
      if (!spaced) this.fail(`attributes of '${name}' are not separated by spaces`, i)
      i = this.attribute(el, i)
    }
  }

  /** One `name="value"` at `from`; returns the position after it. */
  private attribute(el: XmlEl, from: number): number {
    const s = this.s
    const e = this.nameEnd(from)
    const name = s.slice(from, e)
    if (!isName(name)) this.fail(`'${name}' is not a valid attribute name in '${el.name}'`, from)
    let k = this.skipWs(e)
    if (s.charCodeAt(k) !== 61 /* = */) this.fail(`attribute '${name}' of '${el.name}' has no value`, from)
    k = this.skipWs(k + 1)
    const q = s.charCodeAt(k)
    if (q !== 34 && q !== 39) this.fail(`the value of attribute '${name}' is not quoted`, k)
    const close = s.indexOf(q === 34 ? '"' : "'", k + 1)
    if (close < 0) this.fail(`the value of attribute '${name}' has no closing quote`, k)
    const raw = s.slice(k + 1, close)
    if (raw.includes('<')) this.fail(`'<' in the value of attribute '${name}'`, k)
    this.references(raw, k + 1)
    if (name in el.attrs) this.fail(`attribute '${name}' is repeated in '${el.name}'`, from)
    el.attrs[name] = decodeEntities(raw.trim())
    return close + 1
  }
}
