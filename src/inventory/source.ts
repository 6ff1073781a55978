import {createRequire} from 'node:module'
import {extname} from 'node:path'

import type * as YamlLib from 'yaml'
import type {Document, Node} from 'yaml'

import {plainYamlPositions, readPlainYaml} from './plain-yaml.js'

// The yaml library is loaded only when a document is not plain or a position is needed (see plain-yaml.ts).
let yamlLib: typeof YamlLib | undefined
const yaml = (): typeof YamlLib => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof YamlLib)

/**
 * Parsing an inventory text (YAML or JSON) while keeping a way back from a
 * data path to the line and column it came from.
 */

/** One problem in an input file; rendered as `FILE:LINE:COL: PATH: message`. */
export interface Problem {
  line?: number
  col?: number
  /** Dotted path of the offending value, e.g. `nodes[0].bmc.host`; empty for the whole file. */
  path: string
  message: string
}

export type PathSegment = string | number

export interface ParsedSource {
  data: unknown
  /** Position of the value at `path`; `key: true` gives the position of its key instead. */
  locate(path: readonly PathSegment[], opts?: {key?: boolean}): {line: number; col: number}
}

export type ParseResult = {ok: true; source: ParsedSource} | {ok: false; problems: Problem[]}

/** Text that is only blanks and comments. */
function isBlank(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line))
}

export function parseSource(raw: string, fileName: string): ParseResult {
  // A byte-order mark is not content (editors on Windows add one).
  const text = raw.replace(/^\ufeff/, '')
  if (isBlank(text)) {
    return {
      ok: false,
      problems: [
        {
          line: 1,
          col: 1,
          path: '',
          message: 'expected an inventory (a mapping with cluster and nodes), found an empty file',
        },
      ],
    }
  }
  const trimmed = text.trimStart()
  const looksJson = extname(fileName).toLowerCase() === '.json' || /^[{[]/.test(trimmed)
  if (looksJson) {
    const jsonProblem = checkJson(text)
    // Flow-style YAML also starts with `{`: accept it when YAML reads it cleanly.
    if (jsonProblem && (extname(fileName).toLowerCase() === '.json' || parseYaml(text).ok === false)) {
      return {ok: false, problems: [jsonProblem]}
    }
  }
  const plain = readPlainYaml(text)
  if (plain && plain.data !== null && plain.data !== undefined)
    return {ok: true, source: lazySource(text, plain.data)}
  return parseYaml(text)
}

/**
 * Data read the fast way; positions are found on the first locate(), from
 * js-yaml's node events (plainYamlPositions), else from the full yaml parse.
 */
function lazySource(text: string, data: unknown): ParsedSource {
  let locate: ParsedSource['locate'] | null | undefined
  return {
    data,
    locate(path, opts) {
      if (locate === undefined) {
        const offsetOf = plainYamlPositions(text)
        if (offsetOf) {
          const pos = linePositions(text)
          locate = (p, o) => pos(offsetOf(p, o?.key ?? false))
        } else {
          const r = parseYaml(text)
          locate = r.ok ? r.source.locate : null
        }
      }
      return locate ? locate(path, opts) : {line: 1, col: 1}
    },
  }
}

/** Offset → 1-based line and column, as yaml's LineCounter gives them (a binary search over line starts). */
function linePositions(text: string): (offset: number) => {line: number; col: number} {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] as number) <= offset) lo = mid
      else hi = mid - 1
    }
    return {line: lo + 1, col: offset - (starts[lo] as number) + 1}
  }
}

function checkJson(text: string): Problem | undefined {
  try {
    JSON.parse(text)
    return undefined
  } catch (err) {
    const native = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''
    const failure = jsonSyntaxError(text) ?? {offset: text.trimEnd().length, reason: native}
    const {line, col} = positionOf(text, failure.offset)
    return {line, col, path: '', message: `JSON syntax error: ${failure.reason}`}
  }
}

/**
 * Where and why a text is not JSON, in our words: `line 3, column 7: expected
 * ',' or '}', found "x"`. Node's own message quotes the text around the error,
 * which would repeat a local file given by mistake (a note, a key) back.
 */
export function jsonFailure(text: string): string {
  const failure = jsonSyntaxError(text)
  if (!failure) return 'not valid JSON'
  const {line, col} = positionOf(text, failure.offset)
  return `line ${line}, column ${col}: ${failure.reason}`
}

/**
 * A strict JSON reader that only finds the first syntax error and where it is
 * (JSON.parse on Node 20 does not always say where).
 */
export function jsonSyntaxError(text: string): {offset: number; reason: string} | undefined {
  let i = 0
  const fail = (reason: string, at = i): never => {
    throw new JsonFailure(at, reason)
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const describe = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]))
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(`expected a key in double quotes, found ${describe()}`)
        string()
        ws()
        if (text[i] !== ':') fail(`expected ':' after the key, found ${describe()}`)
        i++
        value()
        ws()
        if (text[i] === ',') {
          i++
          ws()
          if (text[i] === '}') fail('expected another key after \',\', found "}" (trailing comma)')
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail(`expected ',' or '}', found ${describe()}`)
      }
    } else if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ',') {
          i++
          ws()
          if (text[i] === ']') fail('expected another value after \',\', found "]" (trailing comma)')
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail(`expected ',' or ']', found ${describe()}`)
      }
    } else if (ch === '"') {
      string()
    } else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400))
      if (!m) fail(`expected a value, found ${describe()}`)
      else i += m[0].length
    }
  }
  const string = (): void => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i)
      if (c < 0x20) fail("expected the closing '\"' before the end of the line")
      if (text[i] === '\\') {
        const esc = text[i + 1] ?? ''
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('expected 4 hex digits after \\u')
          i += 6
          continue
        }
        if (!'"\\/bfnrt'.includes(esc) || esc === '') fail(`unknown escape \\${esc}`)
        i += 2
        continue
      }
      i++
    }
    if (i >= text.length) fail("expected the closing '\"' of a string", start)
    i++
  }
  try {
    value()
    ws()
    if (i < text.length) fail(`expected the end of the file, found ${describe()}`)
    return undefined
  } catch (err) {
    // Anything else (nesting deep enough to overflow the stack): let the caller use JSON.parse's words.
    return err instanceof JsonFailure ? {offset: err.offset, reason: err.reason} : undefined
  }
}

class JsonFailure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason)
  }
}

function positionOf(text: string, offset: number): {line: number; col: number} {
  const before = text.slice(0, offset)
  const lines = before.split('\n')
  return {line: lines.length, col: (lines[lines.length - 1] ?? '').length + 1}
}

function yamlReason(message: string): string {
  const first = message.split('\n')[0] ?? message
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '')
}

function yamlProblem(code: string, message: string, text: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^\s*(?:-\s+)?["']?([^:"'\n]+)/.exec(text.slice(offset))?.[1]?.trim()
    return `duplicate key${key ? ` "${key}"` : ''}: each key may appear only once in a mapping`
  }
  if (code === 'MULTIPLE_DOCS') {
    return 'expected one YAML document, found a second one after "---" (one inventory per file)'
  }
  return `YAML syntax error: ${yamlReason(message)}`
}

/** The full yaml parse: data and positions for any YAML (exported for the test that compares it with the fast path). */
export function parseYaml(text: string): ParseResult {
  const {LineCounter, parseDocument} = yaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, merge: true, prettyErrors: true, uniqueKeys: true})
  const pos = (offset: number): {line: number; col: number} => lineCounter.linePos(offset)
  const [first] = doc.errors
  if (first) {
    // Only the first: after a syntax error the parser's recovery reports mostly consequences.
    const {line, col} = first.linePos?.[0] ?? pos(first.pos[0])
    return {
      ok: false,
      problems: [{line, col, path: '', message: yamlProblem(first.code, first.message, text, first.pos[0])}],
    }
  }
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 1000})
  } catch (err) {
    const offset = firstUnresolvedAlias(doc) ?? 0
    const {line, col} = pos(offset)
    const reason = err instanceof Error ? err.message : String(err)
    return {ok: false, problems: [{line, col, path: '', message: `YAML error: ${yamlReason(reason)}`}]}
  }
  if (data === null || data === undefined) {
    return {
      ok: false,
      problems: [
        {
          line: 1,
          col: 1,
          path: '',
          message: 'expected an inventory (a mapping with cluster and nodes), found an empty document',
        },
      ],
    }
  }
  return {
    ok: true,
    source: {
      data,
      locate(path, opts = {}) {
        return pos(locateOffset(doc, path, opts.key ?? false))
      },
    },
  }
}

function firstUnresolvedAlias(doc: Document): number | undefined {
  let offset: number | undefined
  yaml().visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined && offset === undefined) offset = node.range?.[0]
    },
  })
  return offset
}

function deref(doc: Document, node: unknown): unknown {
  return yaml().isAlias(node) ? (node.resolve(doc) ?? node) : node
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0]
}

/**
 * Walks the document along `path` and returns the offset of the deepest node
 * found: the value itself, its key (with `wantKey`), or the nearest ancestor
 * when the path leaves the document (e.g. a missing key, a merged key).
 */
function locateOffset(doc: Document, path: readonly PathSegment[], wantKey: boolean): number {
  const {isMap, isPair, isScalar, isSeq} = yaml()
  let node: unknown = deref(doc, doc.contents)
  let best = startOf(node) ?? 0
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg),
      )
      if (!pair) return best
      const keyStart = startOf(pair.key)
      if (last && wantKey) return keyStart ?? best
      const valueStart = startOf(deref(doc, pair.value))
      // An empty value (`rto:`) has no node of its own: point at its key.
      best = valueStart ?? keyStart ?? best
      node = deref(doc, pair.value)
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = deref(doc, node.items[seg])
      const start = startOf(item)
      if (start === undefined) return best
      best = start
      node = item
    } else {
      return best
    }
  }
  return best
}
