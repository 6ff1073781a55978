/**
 * A fast first read of plain YAML (what inventories, checklists and game days
 * usually are), with js-yaml and a schema that resolves scalars exactly as the
 * `yaml` library's core schema does. Why: `yaml` builds a full document model
 * with source positions, ~6x the CPU of js-yaml (0.13 s for a 500-node
 * inventory, 30 ms even for 50 nodes, a tenth of a whole audit's budget at
 * that size). The positions only matter when there is something to report, so
 * source.ts parses with `yaml` only then (and for anything not plain).
 *
 * "Not plain" (left to `yaml`, whose answers and error messages stay the
 * reference): tags, anchors and aliases, merge keys, directives, several
 * documents, block scalars, tabs, and any text js-yaml refuses. A test checks
 * that both give the same data on every YAML file of the repository and on
 * scalars of every kind.
 */
import {createRequire} from 'node:module'

import type * as JsYaml from 'js-yaml'

// Characters that may start a tag, anchor, alias, directive or block scalar; `<<` merge keys;
// document markers; tabs. A false alarm (e.g. `!` inside a quoted string) only costs the slow path.
const NOT_PLAIN = /[!&*%|>@`\t]|<<|^(?:---|\.\.\.)/m

let lib: {js: typeof JsYaml; schema: JsYaml.Schema} | undefined

function load(): {js: typeof JsYaml; schema: JsYaml.Schema} {
  if (lib) return lib
  const js = createRequire(import.meta.url)('js-yaml') as typeof JsYaml
  // The yaml library's core schema (yaml/dist/schema/core and common/null), in its order.
  const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown): JsYaml.Type =>
    new js.Type(`tag:yaml.org,2002:${tag}`, {kind: 'scalar', resolve: (s: string) => test.test(s), construct})
  // js-yaml keeps one implicit type per tag: the core schema's int and float forms are combined.
  const schema = js.FAILSAFE_SCHEMA.extend({
    implicit: [
      scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
      scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
      scalar('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
        s.startsWith('0o')
          ? parseInt(s.slice(2), 8)
          : s.startsWith('0x')
            ? parseInt(s.slice(2), 16)
            : parseInt(s, 10),
      ),
      scalar(
        'float',
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
        (s) =>
          /nan$/i.test(s)
            ? NaN
            : /inf$/i.test(s)
              ? s[0] === '-'
                ? Number.NEGATIVE_INFINITY
                : Number.POSITIVE_INFINITY
              : parseFloat(s),
      ),
    ],
  })
  lib = {js, schema}
  return lib
}

// Keys js-yaml spells differently: a null key (yaml: "", js-yaml: "null"), a collection as a key
// ("a,b", "", "[object Object]"). Such documents take the slow path.
const ODD_KEYS = new Set(['', 'null', 'Null', 'NULL', '~'])
function oddKeys(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(oddKeys)
  if (v === null || typeof v !== 'object') return false
  for (const [k, x] of Object.entries(v))
    if (ODD_KEYS.has(k) || k.includes(',') || k.startsWith('[object ') || oddKeys(x)) return true
  return false
}

/** The data of a plain YAML text, or undefined when it is not plain or js-yaml refuses it. */
export function readPlainYaml(text: string): {data: unknown} | undefined {
  if (NOT_PLAIN.test(text)) return undefined
  const {js, schema} = load()
  let data: unknown
  try {
    data = js.load(text, {schema})
  } catch {
    return undefined
  }
  return oddKeys(data) ? undefined : {data}
}

/* ------------------------------------------------------------------ */
/* Source positions of a plain document, from js-yaml's node events     */

type PathSegment = string | number

/** One node of the document: where js-yaml opened it, its kind, its children (mappings: key, value, …). */
interface PosNode {
  open: number
  kind: string | null
  /** A scalar's text as a mapping key would be compared (String of its value). */
  key?: string
  children: PosNode[]
  /** A collection's data, as js-yaml built it, and its number of items (sequence) or entries (mapping). */
  value?: object
  size?: number
  pairs?: Map<string, number>
}

/**
 * Finds the offset of the value (or key) at a data path, as `yaml`'s document
 * model would, for a plain document. Why: building `yaml`'s model of a 5 MB
 * inventory to place its problems took 2 s and 500 MB (most of a 4-6 s
 * validation); js-yaml's node events give the same offsets in one pass at a
 * tenth of the cost. Undefined when the text is not plain, js-yaml refuses it,
 * or the events do not have the expected shape (the caller then uses `yaml`).
 * A test compares both on every path of every YAML file in the repository.
 */
export function plainYamlPositions(
  text: string,
): ((path: readonly PathSegment[], wantKey: boolean) => number) | undefined {
  if (NOT_PLAIN.test(text)) return undefined
  const {js, schema} = load()
  const stack: {open: number; children: PosNode[]}[] = [{open: 0, children: []}]
  const listener = (
    event: 'open' | 'close',
    state: {position: number; kind: string | null; result: unknown},
  ): void => {
    if (event === 'open') {
      stack.push({open: state.position, children: []})
      return
    }
    const frame = stack.pop()
    const parent = stack[stack.length - 1]
    if (!frame || !parent) return
    const [only] = frame.children
    // A wrapper around one node that is the value itself: a scalar in a block sequence (read as an
    // attempted mapping key first), a flow collection at the top of the document.
    if (
      only &&
      frame.children.length === 1 &&
      (state.result === null || typeof state.result !== 'object' || only.value === state.result)
    ) {
      parent.children.push(only)
      return
    }
    const node: PosNode = {open: frame.open, kind: state.kind, children: frame.children}
    if (node.kind === 'scalar') node.key = String(state.result)
    else if (state.result !== null && typeof state.result === 'object') {
      node.value = state.result
      node.size = Array.isArray(state.result) ? state.result.length : Object.keys(state.result).length
    }
    parent.children.push(node)
  }
  try {
    js.load(text, {schema, listener} as JsYaml.LoadOptions)
  } catch {
    return undefined
  }
  const root = stack[0]?.children[0]
  if (stack.length !== 1 || !root || !wellShaped(root)) return undefined
  // An empty value (`rto:`) is at the end of its line, before any comment, as in yaml.
  const startOf = (node: PosNode): number =>
    node.kind === null ? skipSpaces(text, node.open) : skipBlanks(text, node.open)
  return (path, wantKey) => {
    let node = root
    let best = startOf(root)
    for (const [i, seg] of path.entries()) {
      if (node.kind === 'mapping') {
        const j = pairIndex(node, String(seg))
        if (j === undefined) return best
        const keyNode = node.children[2 * j] as PosNode
        const keyStart = startOf(keyNode)
        if (i === path.length - 1 && wantKey) return keyStart
        const value = node.children[2 * j + 1] as PosNode
        best = startOf(value)
        node = value
      } else if (node.kind === 'sequence' && typeof seg === 'number') {
        const item = node.children[seg]
        if (!item) return best
        best = startOf(item)
        node = item
      } else {
        return best
      }
    }
    return best
  }
}

/**
 * One child per item of a sequence and a key and a value per entry of a
 * mapping, keys scalars; anything else (an empty list item has no event) is
 * left to `yaml`.
 */
function wellShaped(root: PosNode): boolean {
  const todo = [root]
  for (let node = todo.pop(); node; node = todo.pop()) {
    if (node.kind === 'sequence' && node.children.length !== node.size) return false
    if (node.kind === 'mapping') {
      if (node.children.length !== 2 * (node.size ?? -1)) return false
      for (let i = 0; i < node.children.length; i += 2) if (node.children[i]?.key === undefined) return false
    }
    todo.push(...node.children)
  }
  return true
}

function pairIndex(node: PosNode, key: string): number | undefined {
  if (!node.pairs) {
    node.pairs = new Map()
    for (let i = 0; i < node.children.length; i += 2) {
      const k = node.children[i]?.key
      if (k !== undefined && !node.pairs.has(k)) node.pairs.set(k, i / 2)
    }
  }
  return node.pairs.get(key)
}

function skipSpaces(text: string, from: number): number {
  let i = from
  while (text.charCodeAt(i) === 0x20) i++
  return i
}

/** js-yaml opens a value before the blanks, line breaks and comments that lead to it. */
function skipBlanks(text: string, from: number): number {
  let i = from
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d) i++
    else if (c === 0x23 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++
    } else return i
  }
}
