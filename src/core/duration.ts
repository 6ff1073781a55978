import {InputError} from './errors.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/**
 * The longest duration hacheck accepts: the longest a Node timer waits (2^31 - 1 ms, ~24.8 days). A longer
 * setTimeout fires after 1 ms, so a fault held "for 30 days" would be reverted at once: refused instead.
 */
export const MAX_DURATION_MS = 2_147_483_647

/** Why a duration in milliseconds cannot be used (too long), or undefined when it can. */
export function durationTooLong(ms: number): string | undefined {
  return ms > MAX_DURATION_MS ? 'at most 24d (the longest a timer can wait)' : undefined
}

/**
 * Parses a duration such as `30s`, `500ms`, `1m30s`, `2h` or a bare number of
 * seconds. Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text * 1000) && text >= 0 ? text * 1000 : undefined
  const s = text.trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Number.isFinite(Number(s) * 1000) ? Number(s) * 1000 : undefined
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy
  let total = 0
  let matched = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number)
    matched = re.lastIndex
  }
  if (matched === 0 || matched !== s.length || !Number.isFinite(total)) return undefined
  return total
}

/** Like parseDurationMs but throws an InputError naming `what` (e.g. the flag). */
export function requireDurationMs(text: string | number, what: string): number {
  const ms = parseDurationMs(text)
  if (ms === undefined) {
    throw new InputError(
      `${what}: expected a duration such as 30s, 500ms, 2m or 1h, found ${JSON.stringify(text)}`,
    )
  }
  const tooLong = durationTooLong(ms)
  if (tooLong) throw new InputError(`${what}: expected ${tooLong}, found ${JSON.stringify(text)}`)
  return ms
}

/** Formats milliseconds for humans: 850ms, 4.2s, 2m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`
  const m = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${m}m${String(s).padStart(2, '0')}s`
}
