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
