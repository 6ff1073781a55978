/**
 * Secret scrubbing. Any string registered here (a BMC password read from its
 * environment variable, a key passphrase, a database password) is replaced by
 * `***` wherever it appears in a log line, report or capture. No I/O: the log
 * sinks (src/cli/logger.ts) and the renderers call scrubSecrets on their text.
 */

const secrets = new Set<string>()

/** Any string registered here is replaced by `***` wherever it appears in a log line or report. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value)
}

export function scrubSecrets(text: string): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('***')
  return out
}
