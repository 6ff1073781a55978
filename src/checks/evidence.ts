import type {Evidence} from '../core/results.js'
import {commandOf, type Gatherer} from '../facts/gatherer.js'

/** Evidence from a gatherer: where, what command, what was seen, what was expected. */
export function ev(
  node: string | undefined,
  g: Pick<Gatherer<unknown>, 'id' | 'script' | 'command'>,
  observed: unknown,
  expected?: unknown,
  note?: string,
): Evidence {
  const e: Evidence = {source: g.id, command: commandOf(g), observed}
  if (node !== undefined) e.node = node
  if (expected !== undefined) e.expected = expected
  if (note !== undefined) e.note = note
  return e
}

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`

/** Standard remediation text with the three fixed sections. */
export function remediation(abstract: string, steps: string, refs: readonly string[] = []): string {
  const r = refs.length ? `\n## References\n${refs.map((x) => `- ${x}`).join('\n')}` : ''
  return `## Abstract\n${abstract}\n## Remediation\n${steps}${r}`
}
