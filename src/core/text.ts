/** Text from nodes and files, made safe for a terminal, a Markdown table or HTML: no control characters, bounded length. */
export function plainText(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}
