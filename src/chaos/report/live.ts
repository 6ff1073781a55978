/**
 * The live view of a run, on stderr (stdout is kept for the report): listr2
 * on a TTY (one task per stage, the latest timeline lines under it), plain
 * timestamped lines otherwise (CI logs), nothing with --quiet.
 */
import type {ProgressEvent} from '../runner.js'
import type {TimelineEvent} from '../timeline.js'
import {liveLine, ProbeTransitions} from './text.js'

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

export interface LiveView {
  onProgress(p: ProgressEvent): void
  /** Plain note (preflight, discovery) before the run starts. */
  note(text: string): void
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

class PlainView implements LiveView {
  private origin: number | null = null
  private readonly probes = new ProbeTransitions()
  constructor(private readonly write: (s: string) => void) {}
  note(text: string): void {
    this.write(`hacheck chaos: ${text}\n`)
  }
  onProgress(p: ProgressEvent): void {
    if (p.type === 'stage') {
      if (p.state === 'start') this.write(`hacheck chaos: ${p.stage}${p.detail ? `: ${p.detail}` : ''}\n`)
      else if (p.state !== 'done')
        this.write(`hacheck chaos: ${p.stage} ${p.state}${p.detail ? `: ${p.detail}` : ''}\n`)
      return
    }
    this.event(p.event)
  }
  private event(e: TimelineEvent): void {
    if (e.kind === 'fault' && e.phase === 'injected') this.origin = e.t
    const line = liveLine(e, this.origin) ?? this.probes.next(e, this.origin)
    if (line) this.write(`  ${line}\n`)
  }
  async close(): Promise<void> {}
}

class TtyView implements LiveView {
  private readonly stages = new Map<string, Deferred>(STAGES.map((s) => [s, deferred()]))
  private readonly outputs = new Map<string, (s: string) => void>()
  private readonly titles = new Map<string, (s: string) => void>()
  private current: string = 'baseline'
  private origin: number | null = null
  private readonly probes = new ProbeTransitions()
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
    const e = p.event
    if (e.kind === 'fault' && e.phase === 'injected') this.origin = e.t
    const line = liveLine(e, this.origin) ?? this.probes.next(e, this.origin)
    if (!line) return
    const list = this.byStage.get(this.current) ?? []
    list.push(line)
    this.byStage.set(this.current, list)
    this.outputs.get(this.current)?.(list.slice(-6).join('\n'))
  }

  async close(): Promise<void> {
    for (const d of this.stages.values()) d.resolve('skipped')
    await this.running
  }
}

export function createLiveView(mode: LiveMode): LiveView {
  if (mode === 'silent') return {onProgress: () => {}, note: () => {}, close: async () => {}}
  if (mode === 'plain') return new PlainView((s) => process.stderr.write(s))
  return new TtyView()
}
