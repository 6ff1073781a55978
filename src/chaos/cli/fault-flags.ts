/** Small parsers for fault-specific flag values (bad input → InputError, exit 2). */
import {requireDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'

export function requestDelay(v: string | undefined, what: string): number | undefined {
  return v === undefined ? undefined : requireDurationMs(v, what)
}

export function requestPercent(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined
  const t = v.trim().replace(/%$/, '')
  const n = Number(t)
  if (!/^\d+(\.\d+)?$/.test(t) || n <= 0 || n > 100)
    throw new InputError(
      `${what}: expected a percentage above 0 and at most 100, such as 10 or 0.5, found ${JSON.stringify(v)}`,
    )
  return n
}
