/** Checklist parameters are typed by each check's declaration: wrong types are refused with FILE:LINE:COL. */
import {describe, expect, it} from 'vitest'

import {paramProblem, parseChecklist} from '../../../src/audit/checklist.js'
import {catalog} from '../../../src/checks/index.js'

const checks = catalog()
const checklist = (params: string): string =>
  `id: t\ntitle: T\nversion: 1\nitems:\n  - ref: "2"\n    title: Fencing\n    checks:\n      - check: fencing.timeout\n        params: ${params}\n`
const refused = (params: string): string => {
  try {
    parseChecklist(checklist(params), 'c.yaml', checks)
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

describe('checklist parameters', () => {
  it('accept a value of the declared kind', () => {
    expect(refused('{defaultStonithTimeoutMs: 90000, sbdFactor: 1.5}')).toBe('')
  })

  it('refuse text, a negative number, null and a mapping for a number, naming the line and the default', () => {
    expect(refused('{defaultStonithTimeoutMs: "90s"}')).toMatch(
      /^c\.yaml:9:43: items\[0\]\.checks\[0\]\.params\.defaultStonithTimeoutMs: expected a number, found text \(parameter "defaultStonithTimeoutMs" of fencing\.timeout, default 60000\)/,
    )
    expect(refused('{sbdFactor: -1}')).toMatch(/params\.sbdFactor: expected a number >= 0, found -1/)
    expect(refused('{sbdFactor: null}')).toMatch(/params\.sbdFactor: expected a number, found an empty value/)
    expect(refused('{sbdFactor: {a: 1}}')).toMatch(/params\.sbdFactor: expected a number, found a mapping/)
  })

  it('type lists and text by their defaults', () => {
    expect(paramProblem(['haproxy'], 'haproxy')).toBe('expected a list, found text')
    expect(paramProblem([], [1])).toBe('expected a list of text, found a number in it')
    expect(paramProblem('public', 3)).toBe('expected text, found a number')
    expect(paramProblem(['haproxy'], ['nginx'])).toBeUndefined()
  })
})
