/**
 * The JSON report, written in pieces: byte for byte what
 * `JSON.stringify(run, null, 2) + '\n'` gives (a test compares both), but
 * each result is serialized and written on its own. Why: at 500 nodes the
 * report is ~9 MB; building it as one string, then one buffer, raised the
 * audit's peak memory by ~25 MB (docs/performance.md).
 */
import {writeOutputChunks} from '../cli/files.js'
import type {AuditRun} from '../core/results.js'

const MARK = '\u0000hacheck-results\u0000'
/** Results serialized per call: big enough to amortize the call, small enough to stay a few hundred KB. */
const GROUP = 100

/** The report in pieces, in order; joined they are JSON.stringify(run, null, 2) + '\n'. */
export function* auditJsonChunks(run: AuditRun): Generator<string> {
  // The run with its results replaced by a marker string keeps every key in its place.
  const shell = JSON.stringify({...run, results: MARK}, null, 2)
  const at = shell.indexOf(JSON.stringify(MARK))
  const head = shell.slice(0, at)
  const tail = shell.slice(at + JSON.stringify(MARK).length)
  if (run.results.length === 0) {
    yield `${head}[]${tail}\n`
    return
  }
  yield `${head}[\n`
  for (let i = 0; i < run.results.length; i += GROUP) {
    // Under a "results" key at the same depth as in the run, the items come out indented as there.
    const text = JSON.stringify({results: run.results.slice(i, i + GROUP)}, null, 2)
    const items = text.slice(OPEN.length, text.length - CLOSE.length)
    yield i + GROUP < run.results.length ? `${items},\n` : `${items}\n`
  }
  yield `  ]${tail}\n`
}

const OPEN = '{\n  "results": [\n'
const CLOSE = '\n  ]\n}'

/**
 * Writes the JSON report to `file` piece by piece, in 64 KiB writes, into a
 * temporary file renamed over `file` at the end (like every report file: a
 * reader never sees half a report; a device such as /dev/stdout is written in
 * place, never replaced). Errors name the path (src/cli/files.ts).
 */
export async function writeAuditJson(
  file: string,
  run: AuditRun,
  opts: {createDir?: boolean} = {},
): Promise<void> {
  await writeOutputChunks(file, auditJsonChunks(run), opts)
}
