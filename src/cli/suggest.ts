import {didYouMean} from '../inventory/messages.js'

/**
 * What to say about an unknown command id (oclif ids use ":" between words):
 * the closest command when it is a plausible typo, otherwise the commands of
 * the topic the operator named, otherwise where the list is.
 */
export function suggestCommand(
  id: string,
  known: readonly string[],
  bin = 'hacheck',
): {message: string; hints: string[]; guess?: string} {
  const typed = `${bin} ${id.split(':').join(' ')}`
  const show = (x: string): string => `${bin} ${x.split(':').join(' ')}`
  const guess = didYouMean(id, known)
  if (guess)
    return {message: `"${typed}" is not a command (did you mean "${show(guess)}"?)`, hints: [], guess}
  const topic = id.split(':')[0] as string
  const inTopic = known.filter((k) => k.startsWith(`${topic}:`)).sort()
  if (inTopic.length)
    return {
      message: `"${typed}" is not a command; the ${topic} commands are: ${inTopic.map((k) => k.slice(topic.length + 1)).join(', ')}`,
      hints: [`${bin} ${topic} --help explains each one.`],
    }
  return {message: `"${typed}" is not a command`, hints: [`${bin} --help lists every command.`]}
}
