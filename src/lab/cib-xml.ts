/** XML pieces of the lab's CIB, shared by the profiles' renderers. */

/** A value escaped for an XML attribute. */
export function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** <nvpair> lines with ids `${idPrefix}-${name}`. */
export function nvpairs(idPrefix: string, pairs: Record<string, string>, indent: string): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${indent}<nvpair id="${idPrefix}-${k}" name="${k}" value="${xmlAttr(v)}"/>`)
    .join('\n')
}
