/** Small pure value helpers shared by the parsers. */

/** Integer from a decimal string (surrounding blanks allowed); undefined otherwise. */
export function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const t = v.trim()
  if (!/^[+-]?\d+$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Finite number (integer, decimal or exponent form); undefined otherwise. */
export function toNum(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const t = v.trim()
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

/**
 * The yes/no spellings of corosync, Pacemaker, rsyslog and friends:
 * yes/no, on/off, true/false, 1/0, y/n (case-insensitive). Anything else: undefined.
 */
export function toBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  switch (v.trim().toLowerCase()) {
    case 'yes':
    case 'y':
    case 'on':
    case 'true':
    case '1':
      return true
    case 'no':
    case 'n':
    case 'off':
    case 'false':
    case '0':
      return false
    default:
      return undefined
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  msec: 1,
  us: 0.001,
  usec: 0.001,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
}

/**
 * A Pacemaker/sbd duration in milliseconds: "60", "60s", "90sec", "5min",
 * "1h", "500ms", "1m30s". A bare number is in `bareUnit` (seconds by default,
 * as Pacemaker reads it). Undefined when unreadable.
 */
export function durationMs(v: string | undefined, bareUnit: 's' | 'ms' = 's'): number | undefined {
  if (v === undefined) return undefined
  const t = v.trim().toLowerCase()
  if (t === '') return undefined
  const bare = toNum(t)
  if (bare !== undefined) return bareUnit === 's' ? bare * 1000 : bare
  let total = 0
  let rest = t
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)\s*/.exec(rest)
    if (!m) return undefined
    const unit = UNIT_MS[m[2] ?? '']
    if (unit === undefined) return undefined
    total += Number(m[1]) * unit
    rest = rest.slice(m[0].length)
  }
  return total
}

/** Lines of a text without the line terminators (a final newline does not add an empty line). */
export function lines(text: string): string[] {
  const ls = text.split(/\r?\n/)
  if (ls.length > 0 && ls[ls.length - 1] === '') ls.pop()
  return ls
}

/** A record with no prototype, so that keys like "constructor" are never inherited. */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>
}

/** Narrowing helpers for JSON values. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined
}
