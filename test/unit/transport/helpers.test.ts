import {describe, expect, it} from 'vitest'

import {CappedBuffer} from '../../../src/transport/output.js'
import {Semaphore} from '../../../src/transport/semaphore.js'

describe('output cap', () => {
  it('keeps output under the cap untouched', () => {
    const b = new CappedBuffer(10, 'stdout')
    b.push(Buffer.from('hello\n'))
    expect(b.truncated).toBe(false)
    expect(b.text()).toBe('hello\n')
  })

  it('cuts at the cap, counts what was dropped and appends a marker line', () => {
    const b = new CappedBuffer(8, 'stderr')
    b.push(Buffer.from('12345'))
    b.push(Buffer.from('67890'))
    b.push(Buffer.from('abc'))
    expect(b.truncated).toBe(true)
    expect(b.text()).toBe('12345678\n[hacheck: stderr truncated at 8 bytes, 5 more bytes dropped]\n')
  })
})

describe('semaphore', () => {
  it('grants at most the limit at once, in FIFO order', async () => {
    const s = new Semaphore(2)
    const order: number[] = []
    const r1 = await s.acquire()
    const r2 = await s.acquire()
    const p3 = s.acquire().then((r) => (order.push(3), r))
    const p4 = s.acquire().then((r) => (order.push(4), r))
    expect(s.inUse).toBe(2)
    r1()
    r1() // a second release is harmless
    const r3 = await p3
    expect(s.inUse).toBe(2)
    r2()
    const r4 = await p4
    expect(order).toEqual([3, 4])
    r3()
    r4()
    expect(s.inUse).toBe(0)
  })

  it('drops an aborted waiter from the queue', async () => {
    const s = new Semaphore(1)
    const r1 = await s.acquire()
    const ac = new AbortController()
    const p = s.acquire(ac.signal)
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    r1()
    expect(s.inUse).toBe(0)
  })

  it('applies a lowered limit to later acquisitions', async () => {
    const s = new Semaphore(3)
    const a = await s.acquire()
    const b = await s.acquire()
    s.setLimit(1)
    let got = false
    const p = s.acquire().then((r) => ((got = true), r))
    a()
    await Promise.resolve()
    expect(got).toBe(false)
    b()
    ;(await p)()
    expect(got).toBe(true)
  })
})
