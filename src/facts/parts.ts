/**
 * Framing for gatherers whose snippet runs several commands or reads several
 * files: each piece is printed between its own begin/end markers with its exit
 * code, so one parser gets every piece back byte-exact and knows which file or
 * command it came from. The outer framing of gather-script.ts is independent.
 *
 *   @@hacheck-part:begin <name>@@\n<body>\n@@hacheck-part:end <rc>@@\n
 *
 * The "\n" before the end marker is always added by the snippet (so a body
 * without a final newline still leaves the marker on its own line) and is
 * removed again by splitParts.
 */
import {ABSENT_RC, ParseError} from './gatherer.js'
import {shellQuote} from '../core/shell.js'

export interface Part {
  /** Command label or file path. */
  name: string
  body: string
  /** Exit code of the command (or of `cat`); null when the end marker has no number. */
  exitCode: number | null
}

const BEGIN = '@@hacheck-part:begin '
const END = '@@hacheck-part:end '

/** Snippet fragment: run `command` (trusted bash text) framed as part `name`. */
export function partScript(name: string, command: string): string {
  return partScriptFor(shellQuote(name), command)
}

/** Same, with the part name given as a bash word evaluated on the node (e.g. `"$d"` in a loop). */
export function partScriptFor(nameWord: string, command: string): string {
  return `printf '${BEGIN}%s@@\\n' ${nameWord}; ${command}; printf '\\n${END}%d@@\\n' $?`
}

/**
 * Snippet that prints every existing regular file among `paths` (globs allowed,
 * expanded by bash, so they are written unquoted and must not contain spaces)
 * as one part each, named by its path. Exits ABSENT_RC, printing nothing, when
 * none exists.
 */
export function filesScript(paths: readonly string[]): string {
  return [
    `n=0; for f in ${paths.join(' ')}; do [ -f "$f" ] || continue; n=$((n+1))`,
    `printf '${BEGIN}%s@@\\n' "$f"; cat -- "$f"; printf '\\n${END}%d@@\\n' $?; done`,
    `[ "$n" -gt 0 ] || exit ${ABSENT_RC}`,
  ].join('; ')
}

/**
 * Splits framed output back into parts; text outside frames is ignored. A part
 * whose end marker is missing (output cut short) is a ParseError, never a
 * shorter part read as the whole.
 */
export function splitParts(stdout: string): Part[] {
  const parts: Part[] = []
  let pos = 0
  for (;;) {
    const b = stdout.indexOf(BEGIN, pos)
    if (b < 0) break
    if (b > 0 && stdout[b - 1] !== '\n') {
      pos = b + BEGIN.length
      continue
    }
    const nameEnd = stdout.indexOf('@@\n', b + BEGIN.length)
    if (nameEnd < 0) break
    const name = stdout.slice(b + BEGIN.length, nameEnd)
    const bodyStart = nameEnd + 3
    const e = stdout.indexOf(`\n${END}`, bodyStart)
    const rcStart = e + 1 + END.length
    const rcEnd = e < 0 ? -1 : stdout.indexOf('@@', rcStart)
    // Our snippets always print the end marker: without it the output was cut (a crash, a cap, a
    // lost connection), and what arrived is not the whole file or command output.
    if (rcEnd < 0) throw new ParseError(`output cut short: part "${name}" has no end marker`)
    const rc = Number(stdout.slice(rcStart, rcEnd))
    parts.push({
      name,
      body: stdout.slice(bodyStart, e),
      exitCode: Number.isInteger(rc) ? rc : null,
    })
    pos = rcEnd + 2
  }
  return parts
}

/** The part called `name`, or a ParseError saying it is missing. */
export function requirePart(parts: readonly Part[], name: string): Part {
  const p = parts.find((x) => x.name === name)
  if (!p) throw new ParseError(`output has no "${name}" part`)
  return p
}
