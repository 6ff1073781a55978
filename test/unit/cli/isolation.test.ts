import {homedir, tmpdir} from 'node:os'

import {describe, expect, it} from 'vitest'

import {defaultConfigFile, stateDir} from '../../../src/cli/paths.js'

describe('the test run', () => {
  it('keeps hacheck state and config in a temporary directory, never in the home directory', () => {
    expect(stateDir().startsWith(tmpdir())).toBe(true)
    expect(defaultConfigFile().startsWith(tmpdir())).toBe(true)
    expect(stateDir().startsWith(homedir() + '/')).toBe(tmpdir().startsWith(homedir() + '/'))
    expect(process.env.HACHECK_INVENTORY).toBeUndefined()
    expect(process.env.HACHECK_CONFIG).toBeUndefined()
  })
})
