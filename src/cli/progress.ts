/**
 * Progress on stderr (stdout is kept for reports): listr2 on a TTY, plain
 * timestamped lines otherwise (CI logs), nothing with --quiet.
 */
import {formatDuration} from '../core/duration.js'

export type ProgressMode = 'tty' | 'plain' | 'silent'

export interface Progress {
  step<T>(title: string, fn: (update: (title: string) => void) => Promise<T>): Promise<T>
}

export function progressMode(opts: {quiet?: boolean}): ProgressMode {
  if (opts.quiet) return 'silent'
  return process.stderr.isTTY && process.env.CI !== 'true' ? 'tty' : 'plain'
}

export function createProgress(mode: ProgressMode): Progress {
  if (mode === 'silent') return {step: (_title, fn) => fn(() => {})}
  if (mode === 'plain') {
    return {
      async step(title, fn) {
        const t0 = performance.now()
        let last = title
        process.stderr.write(`hacheck: ${title}\n`)
        const r = await fn((t) => {
          last = t
        })
        process.stderr.write(`hacheck: ${last} (${formatDuration(performance.now() - t0)})\n`)
        return r
      },
    }
  }
  return {
    async step(title, fn) {
      const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
      let result: unknown
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              result = await fn((t) => {
                task.title = t
              })
            },
          },
        ],
        {
          renderer: 'default',
          exitOnError: true,
          rendererOptions: {
            logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)}),
          },
        },
      )
      await list.run()
      return result as Awaited<ReturnType<typeof fn>>
    },
  }
}
