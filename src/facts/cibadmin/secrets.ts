/**
 * Secrets in the CIB: the nvpair names whose values are never kept, scrubbing
 * of CIB text (here, and as a sed program on the node), and the nvpair reader
 * every part of the cibadmin parser reads through, which scrubs as it reads.
 */
import {dict} from '../util.js'
import {childrenNamed, type XmlEl} from '../xml.js'

export const SECRET_NAME = /pass|secret|key|token|community|credential/i
export const SCRUBBED = '***scrubbed***'

/** True for nvpair names whose value must never be kept (passwd, password, api_key, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/**
 * Replaces the value of every secret-looking <nvpair> in CIB XML text with
 * SCRUBBED, leaving every other byte as it was.
 */
export function scrubCib(xml: string): string {
  return xml.replace(/<nvpair\b[^>]*>/g, (tag) => {
    const name = /\sname\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag)
    const n = name ? (name[1] ?? name[2] ?? '') : ''
    if (!isSecretName(n)) return tag
    return tag.replace(/(\svalue\s*=\s*)(?:"[^"]*"|'[^']*')/, `$1"${SCRUBBED}"`)
  })
}

/** The same secret-name rule as SECRET_NAME, as a GNU sed program run on the node. */
export const SED_SCRUB = [
  `s/(<nvpair[^>]*[[:space:]]name="[^"]*(pass|secret|key|token|community|credential)[^"]*"[^>]*[[:space:]]value=")[^"]*"/\\1${SCRUBBED}"/gI`,
  `s/(<nvpair[^>]*[[:space:]]value=")[^"]*("[^>]*[[:space:]]name="[^"]*(pass|secret|key|token|community|credential)[^"]*")/\\1${SCRUBBED}\\2/gI`,
].join('; ')

/** Reads nvpair sets, scrubbing secret values and remembering their names. */
export class NvReader {
  readonly scrubbed = new Set<string>()

  nvpairs(
    set: XmlEl | undefined,
    into: Record<string, string> = dict<string>(),
    firstWins = false,
  ): Record<string, string> {
    for (const nv of childrenNamed(set, 'nvpair')) {
      const name = nv.attrs['name']
      if (name === undefined) continue
      if (firstWins && name in into) continue
      let value = nv.attrs['value'] ?? ''
      if (isSecretName(name)) {
        if (value !== '') this.scrubbed.add(name)
        value = value === '' ? '' : SCRUBBED
      }
      into[name] = value
    }
    return into
  }

  /** Merges every set named `setName` under `el` (first value wins across sets). */
  sets(el: XmlEl | undefined, setName: string): Record<string, string> {
    const into = dict<string>()
    for (const s of childrenNamed(el, setName)) this.nvpairs(s, into, true)
    return into
  }
}
