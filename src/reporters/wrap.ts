/**
 * Word wrapping for the console: text is cut at spaces so that every line,
 * with its indent, fits `width` columns; a word longer than a line is cut
 * hard. Widths count code points (a fixed-width terminal's columns for the
 * text hacheck prints). Pure.
 */
export function wrap(text: string, width: number, firstIndent = 0, restIndent = firstIndent): string[] {
  const lines: string[] = []
  let line = ''
  let room = Math.max(10, width - firstIndent)
  const len = (s: string): number => [...s].length
  const flush = (): void => {
    lines.push(line)
    line = ''
    room = Math.max(10, width - restIndent)
  }
  for (const word of text.split(/ +/)) {
    if (word === '') continue
    let w = word
    if (line && len(line) + 1 + len(w) > room) flush()
    while (len(w) > room) {
      const chars = [...w]
      const take = room - (line ? len(line) + 1 : 0)
      if (take <= 0) {
        flush()
        continue
      }
      line = (line ? line + ' ' : '') + chars.slice(0, take).join('')
      w = chars.slice(take).join('')
      flush()
    }
    if (w) line = line ? `${line} ${w}` : w
  }
  if (line || lines.length === 0) lines.push(line)
  return lines
}
