/**
 * The live view of a run, on stderr (stdout is kept for the report): listr2
 * on a TTY (one task per stage, the latest timeline lines under it), plain
 * timestamped lines otherwise (CI logs), nothing with --quiet.
 *
 * Events reach the timeline when they complete (a probe that timed out after
 * 800 ms arrives 800 ms after later, faster ones), so both views hold them
 * for LIVE_LAG_MS and print them in time order (UTC clock, then seconds after
 * the injection).
 */
import {sanitizeDeep, visibleText} from '../../core/sanitize.js'
import type {ProgressEvent, RunProgress} from '../run/progress.js'
import {now, type TimelineEvent} from '../timeline.js'
import {liveLine, ProbeTransitions} from './text.js'

/** Longer than a probe's timeout and a pg-write write's (2 s by default): nothing earlier arrives after it. */
export const LIVE_LAG_MS = 2500

/**
 * Holds items until nothing earlier can still arrive (`lagMs` after their
 * time), then releases them in time order; items of equal time keep their
 * arrival order. Pure: the caller gives the clock.
 */
export class TimeOrder<T> {
  private items: {t: number; seq: number; v: T}[] = []
  private seq = 0
  constructor(private readonly lagMs: number) {}

  push(t: number, v: T): void {
    this.items.push({t, seq: this.seq++, v})
  }

  /** Items whose time is at least `lagMs` before `nowT`, oldest first. */
  release(nowT: number): T[] {
    const ready = this.items.filter((i) => i.t <= nowT - this.lagMs)
    if (!ready.length) return []
    this.items = this.items.filter((i) => i.t > nowT - this.lagMs)
    return ready.sort((a, b) => a.t - b.t || a.seq - b.seq).map((i) => i.v)
  }

  /** Everything still held, oldest first. */
  drain(): T[] {
    const all = this.items.sort((a, b) => a.t - b.t || a.seq - b.seq).map((i) => i.v)
    this.items = []
    return all
  }
}

type Held = {kind: 'event'; event: TimelineEvent} | {kind: 'text'; text: string}

/** Timeline events (and messages) in, printable lines out, in time order. */
class OrderedLines {
  private readonly order = new TimeOrder<Held>(LIVE_LAG_MS)
  private readonly probes = new ProbeTransitions()
  private origin: number | null = null
  private timer: NodeJS.Timeout | undefined
  constructor(private readonly emit: (line: string) => void) {
    this.timer = setInterval(() => this.flush(now()), 200)
    this.timer.unref()
  }
  event(e: TimelineEvent): void {
    this.order.push(e.t, {kind: 'event', event: e})
  }
  text(text: string, t = now()): void {
    this.order.push(t, {kind: 'text', text})
  }
  private show(items: Held[]): void {
    for (const h of items) {
      if (h.kind === 'text') {
        this.emit(h.text)
        continue
      }
      const e = h.event
      if (e.kind === 'fault' && e.phase === 'injected') this.origin = e.t
      const line = liveLine(e, this.origin) ?? this.probes.next(e, this.origin)
      if (line) this.emit(`  ${line}`)
    }
  }
  flush(t: number): void {
    this.show(this.order.release(t))
  }
  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.show(this.order.drain())
  }
}

export type LiveMode = 'tty' | 'plain' | 'silent'

export const STAGES = [
  'workload',
  'baseline',
  'dead-man',
  'inject',
  'verify',
  'hold',
  'revert',
  'settle',
  'read-back',
  'logs',
] as const

export interface LiveView extends RunProgress {
  close(): Promise<void>
}

export function liveMode(opts: {quiet?: boolean}): LiveMode {
  if (opts.quiet) return 'silent'
  return process.stderr.isTTY && process.env.CI !== 'true' ? 'tty' : 'plain'
}

interface Deferred {
  promise: Promise<'done' | 'failed' | 'skipped'>
  resolve(v: 'done' | 'failed' | 'skipped'): void
}

function deferred(): Deferred {
  let resolve!: (v: 'done' | 'failed' | 'skipped') => void
  const promise = new Promise<'done' | 'failed' | 'skipped'>((r) => (resolve = r))
  return {promise, resolve}
}

export class PlainView implements LiveView {
  private readonly lines: OrderedLines
  constructor(private readonly write: (s: string) => void) {
    this.lines = new OrderedLines((l) => this.write(`${l}\n`))
  }
  note(text: string): void {
    // Notes come before the run (preflight, a question may follow): printed now, after anything held.
    this.lines.text(`hacheck chaos: ${text}`)
    this.lines.flush(now() + LIVE_LAG_MS)
  }
  onProgress(p: ProgressEvent): void {
    if (p.type === 'stage') {
      if (p.state === 'start') this.lines.text(`hacheck chaos: ${p.stage}${p.detail ? `: ${p.detail}` : ''}`)
      else if (p.state !== 'done')
        this.lines.text(`hacheck chaos: ${p.stage} ${p.state}${p.detail ? `: ${p.detail}` : ''}`)
      return
    }
    this.lines.event(p.event)
  }
  async close(): Promise<void> {
    this.lines.close()
  }
}

class TtyView implements LiveView {
  private readonly stages = new Map<string, Deferred>(STAGES.map((s) => [s, deferred()]))
  private readonly outputs = new Map<string, (s: string) => void>()
  private readonly titles = new Map<string, (s: string) => void>()
  private current: string = 'baseline'
  private readonly lines = new OrderedLines((l) => this.show(l))
  private readonly byStage = new Map<string, string[]>()
  private readonly pendingTitles = new Map<string, string>()
  private running: Promise<void> | undefined
  private readonly notes: string[] = []

  constructor() {
    this.running = this.start()
  }

  private async start(): Promise<void> {
    const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
    const list = new Listr(
      STAGES.map((name) => ({
        title: name,
        task: async (_ctx: unknown, task: {title: string; output: string; skip(m?: string): void}) => {
          this.outputs.set(name, (s) => (task.output = s))
          this.titles.set(name, (s) => (task.title = s))
          // Lines that arrived before listr started this task.
          const early = this.byStage.get(name)
          if (early?.length) task.output = early.slice(-6).join('\n')
          const title = this.pendingTitles.get(name)
          if (title) task.title = title
          const r = await (this.stages.get(name) as Deferred).promise
          if (r === 'skipped') task.skip(`${name}: skipped`)
          if (r === 'failed') throw new Error(`${task.title}: failed`)
        },
        rendererOptions: {outputBar: 6, persistentOutput: name === 'hold' || name === 'settle'},
      })),
      {
        concurrent: false,
        exitOnError: false,
        renderer: 'default',
        rendererOptions: {
          logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)}),
        },
      },
    )
    await list.run().catch(() => undefined)
  }

  note(text: string): void {
    this.notes.push(text)
    process.stderr.write(`hacheck chaos: ${text}\n`)
  }

  onProgress(p: ProgressEvent): void {
    if (p.type === 'stage') {
      const d = this.stages.get(p.stage)
      if (!d) return
      if (p.state === 'start') {
        // Stages before this one that never ran are skipped.
        for (const s of STAGES) {
          if (s === p.stage) break
          this.stages.get(s)?.resolve('skipped')
        }
        this.current = p.stage
        if (p.detail) {
          this.pendingTitles.set(p.stage, `${p.stage}: ${p.detail}`)
          this.titles.get(p.stage)?.(`${p.stage}: ${p.detail}`)
        }
      } else d.resolve(p.state)
      return
    }
    this.lines.event(p.event)
  }

  private show(line: string): void {
    const list = this.byStage.get(this.current) ?? []
    list.push(line)
    this.byStage.set(this.current, list)
    this.outputs.get(this.current)?.(list.slice(-6).join('\n'))
  }

  async close(): Promise<void> {
    this.lines.close()
    for (const d of this.stages.values()) d.resolve('skipped')
    await this.running
  }
}

export function createLiveView(
  mode: LiveMode,
  write: (s: string) => void = (s) => process.stderr.write(s),
): LiveView {
  if (mode === 'silent') return {onProgress: () => {}, note: () => {}, close: async () => {}}
  return sanitized(mode === 'plain' ? new PlainView(write) : new TtyView())
}

/**
 * What reaches the terminal went through the sanitising boundary
 * (docs/untrusted-input.md): probe errors, node names, log lines and notes
 * carry text a node printed, and an ANSI escape in them could clear the
 * operator's screen or recolour a verdict mid-run.
 */
function sanitized(view: LiveView): LiveView {
  return {
    onProgress: (p) => view.onProgress(sanitizeDeep(p)),
    note: (text) => view.note(visibleText(text)),
    close: () => view.close(),
  }
}
