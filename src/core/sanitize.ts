/**
 * The one sanitising boundary for text that came from a node or a file
 * (docs/untrusted-input.md). Every reporter renders a run through
 * `sanitizeDeep` first, so whatever a node printed or a saved report carried,
 * no reporter sees:
 *  - C0/C1 control characters other than tab and newline (an ANSI escape can
 *    clear an operator's screen or recolour a verdict; a NUL or a lone CR hides
 *    text): shown as the Unicode control pictures (ESC as ␛, NUL as ␀);
 *  - characters XML 1.0 cannot carry even escaped (U+FFFE, U+FFFF, lone
 *    surrogates): U+FFFD;
 *  - bidirectional overrides (U+202A–U+202E, U+2066–U+2069), which reorder
 *    what a reader sees: shown as U+FFFD.
 * Each reporter still escapes for its own syntax (Markdown, HTML, XML). Pure.
 */

/** Control pictures: U+2400 + code for C0, U+2421 for DEL; C1 as U+FFFD. */
function picture(c: string): string {
  const code = c.charCodeAt(0)
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return '\u2421'
  return '\ufffd'
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g
const NOT_XML = /[\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** Any character one of the replaces below may change (CR, controls, XML-invalid, bidi, any surrogate). */
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/

/**
 * Text safe for a terminal, a Markdown file and XML 1.0: newlines and tabs
 * kept (CRLF becomes LF, a lone CR is shown as ␍), every other control or
 * XML-invalid character made visible.
 */
export function visibleText(s: string): string {
  // Nearly every string has none of these: test once instead of four replaces.
  if (!SUSPECT.test(s)) return s
  return s
    .replace(/\r\n/g, '\n')
    .replace(CONTROL, picture)
    .replace(NOT_XML, '\ufffd')
    .replace(LONE_SURROGATE, '\ufffd')
}

/** Whether a string passes the boundary unchanged (what the property tests assert of every output). */
export function isVisibleText(s: string): boolean {
  return visibleText(s) === s
}

/**
 * A value (a run, a result, evidence) with every string in it, keys included,
 * passed through visibleText. Numbers, booleans and null are kept. What
 * nothing changes in is returned as is, not copied (a 500-node run is ~10 MB
 * of objects, nearly all clean): treat the result as read-only, as the input.
 */
export function sanitizeDeep<T>(value: T): T {
  return walk(value, 0) as T
}

function walk(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return visibleText(v)
  if (v === null || typeof v !== 'object') return v
  // Saved runs are trees a few levels deep; deeper is hostile input: cut, never overflow the stack.
  if (depth > 64) return '[nested too deep]'
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i]
      const y = walk(x, depth + 1)
      if (y !== x && !copy) copy = v.slice(0, i)
      copy?.push(y)
    }
    return copy ?? v
  }
  // Only plain records (what JSON gives and runs are made of); a Date or a Map is kept as is.
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) return v
  const entries = Object.entries(v)
  let changed = false
  for (const e of entries) {
    const k = visibleText(e[0])
    const x = walk(e[1], depth + 1)
    if (k !== e[0] || x !== e[1]) {
      changed = true
      e[0] = k
      e[1] = x
    }
  }
  // fromEntries defines own properties: a "__proto__" key stays a key.
  return changed ? Object.fromEntries(entries) : v
}
