import {describe, expect, it} from 'vitest'

import {formatDuration, parseDurationMs, requireDurationMs} from '../../../src/core/duration.js'
import {InputError} from '../../../src/core/errors.js'

describe('parseDurationMs', () => {
  it('reads seconds, milliseconds, minutes and compound durations', () => {
    expect(parseDurationMs('30s')).toBe(30_000)
    expect(parseDurationMs('500ms')).toBe(500)
    expect(parseDurationMs('2m')).toBe(120_000)
    expect(parseDurationMs('1m30s')).toBe(90_000)
    expect(parseDurationMs('0s')).toBe(0)
    expect(parseDurationMs('1.5s')).toBe(1500)
  })

  it('treats a bare number as seconds', () => {
    expect(parseDurationMs('12')).toBe(12_000)
    expect(parseDurationMs(3)).toBe(3000)
  })

  it('rejects text that is not a duration', () => {
    expect(parseDurationMs('soon')).toBeUndefined()
    expect(parseDurationMs('30 seconds')).toBeUndefined()
    expect(parseDurationMs('10x')).toBeUndefined()
    expect(parseDurationMs('')).toBeUndefined()
  })

  it('names the offending flag when a required duration is malformed', () => {
    expect(() => requireDurationMs('ten', '--duration')).toThrow(InputError)
    expect(() => requireDurationMs('ten', '--duration')).toThrow(/--duration: expected a duration/)
  })
})

describe('formatDuration', () => {
  it('prints short, human durations', () => {
    expect(formatDuration(850)).toBe('850ms')
    expect(formatDuration(4200)).toBe('4.20s')
    expect(formatDuration(125_000)).toBe('2m05s')
  })
})
