import {Parser} from '@oclif/core'
import {afterEach, describe, expect, it} from 'vitest'

import {inventoryFlag} from '../../../src/inventory/flags.js'

const parse = (argv: string[]) => Parser.parse(argv, {flags: {inventory: inventoryFlag}})

describe('inventoryFlag', () => {
  const saved = process.env.HACHECK_INVENTORY
  afterEach(() => {
    if (saved === undefined) delete process.env.HACHECK_INVENTORY
    else process.env.HACHECK_INVENTORY = saved
  })

  it('takes the file from -i or --inventory', async () => {
    delete process.env.HACHECK_INVENTORY
    expect((await parse(['-i', 'lab.yaml'])).flags.inventory).toBe('lab.yaml')
    expect((await parse(['--inventory', 'prod.yaml'])).flags.inventory).toBe('prod.yaml')
  })

  it('falls back to HACHECK_INVENTORY, and the flag wins over it', async () => {
    process.env.HACHECK_INVENTORY = 'from-env.yaml'
    expect((await parse([])).flags.inventory).toBe('from-env.yaml')
    expect((await parse(['-i', 'lab.yaml'])).flags.inventory).toBe('lab.yaml')
  })

  it('is required when neither is given', async () => {
    delete process.env.HACHECK_INVENTORY
    await expect(parse([])).rejects.toThrow(/Missing required flag inventory/)
  })
})
