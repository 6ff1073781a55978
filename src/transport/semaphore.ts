/** A counting semaphore with FIFO waiters, an adjustable limit and abortable waits. */
export class Semaphore {
  private active = 0
  private readonly waiters: {grant: () => void}[] = []

  constructor(private limit: number) {
    if (!(limit >= 1)) throw new RangeError('semaphore limit must be >= 1')
  }

  get inUse(): number {
    return this.active
  }

  get currentLimit(): number {
    return this.limit
  }

  /** Lowers (or raises) the limit; holders are not interrupted. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit))
    this.pump()
  }

  /** Resolves to a release function (calling it twice is harmless). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(signal?.reason)
      }
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          this.active++
          let released = false
          resolve(() => {
            if (released) return
            released = true
            this.active--
            this.pump()
          })
        },
      }
      signal?.addEventListener('abort', onAbort, {once: true})
      this.waiters.push(waiter)
      this.pump()
    })
  }

  private pump(): void {
    while (this.active < this.limit && this.waiters.length) this.waiters.shift()?.grant()
  }
}
