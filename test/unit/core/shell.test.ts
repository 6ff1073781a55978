import {describe, expect, it} from 'vitest'

import {shellJoin, shellQuote} from '../../../src/core/shell.js'

describe('shellQuote', () => {
  it('leaves plain words alone', () => {
    expect(shellQuote('crm_mon')).toBe('crm_mon')
    expect(shellQuote('--output-as=xml')).toBe('--output-as=xml')
  })

  it('quotes spaces, globs and single quotes so bash reads them back verbatim', () => {
    expect(shellQuote('a b')).toBe(`'a b'`)
    expect(shellQuote('*')).toBe(`'*'`)
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`)
    expect(shellQuote('')).toBe(`''`)
  })

  it('joins argv into one safe command line', () => {
    expect(shellJoin(['echo', '$HOME', 'x;y'])).toBe(`echo '$HOME' 'x;y'`)
  })
})
