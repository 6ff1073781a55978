/**
 * Collects one output stream up to a byte cap. Past the cap data is still read
 * (and dropped) so the remote command never blocks on a full pipe.
 */
export class CappedBuffer {
  private chunks: Buffer[] = []
  private kept = 0
  private dropped = 0

  constructor(
    private readonly cap: number,
    private readonly label: string,
  ) {}

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const room = this.cap - this.kept
    if (room >= buf.length) {
      this.chunks.push(buf)
      this.kept += buf.length
    } else {
      if (room > 0) {
        this.chunks.push(buf.subarray(0, room))
        this.kept += room
      }
      this.dropped += buf.length - Math.max(room, 0)
    }
  }

  get truncated(): boolean {
    return this.dropped > 0
  }

  /** The text, with a marker line appended when bytes were dropped. */
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8')
    if (!this.truncated) return s
    return `${s}${s.endsWith('\n') || s === '' ? '' : '\n'}${truncationMarker(this.label, this.cap, `${this.dropped} more bytes dropped`)}\n`
  }
}

/** The line appended to a cut stream; callers may look for the `[hacheck: ` prefix. */
export function truncationMarker(label: string, cap: number, detail: string): string {
  return `[hacheck: ${label} truncated at ${cap} bytes, ${detail}]`
}
