/**
 * Word wrapping for the console: text is cut at spaces so that every line,
 * with its indent, fits `width` columns; a word longer than a line is cut
 * hard. Widths count code points (a fixed-width terminal's columns for the
 * text hacheck prints). Pure.
 */
/** Code points in `s`, as `[...s].length` counts them (a surrogate pair is one), without building the array. */
function codePoints(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

export function wrap(text: string, width: number, firstIndent = 0, restIndent = firstIndent): string[] {
  const lines: string[] = []
  let line = ''
  // The line's length is kept as it grows: measuring it again for every word was quadratic in its length.
  let lineLen = 0
  let room = Math.max(10, width - firstIndent)
  const flush = (): void => {
    lines.push(line)
    line = ''
    lineLen = 0
    room = Math.max(10, width - restIndent)
  }
  for (const word of text.split(/ +/)) {
    if (word === '') continue
    let w = word
    let wLen = codePoints(w)
    if (line && lineLen + 1 + wLen > room) flush()
    while (wLen > room) {
      const take = room - (line ? lineLen + 1 : 0)
      if (take <= 0) {
        flush()
        continue
      }
      const chars = [...w]
      line = (line ? line + ' ' : '') + chars.slice(0, take).join('')
      w = chars.slice(take).join('')
      wLen = chars.length - take
      flush()
    }
    if (w) {
      lineLen = line ? lineLen + 1 + wLen : wLen
      line = line ? `${line} ${w}` : w
    }
  }
  if (line || lines.length === 0) lines.push(line)
  return lines
}
