import {appendOutputFile, checkOutputFile, writeOutputFile} from './files.js'

/**
 * Where a command's output goes: stdout, or the -o FILE (created, or
 * truncated, on the first write; nothing is created when nothing is written).
 */
export class OutputSink {
  private started = false

  /** Checks the -o FILE can be written before the command does any work (a clear exit 2 otherwise). */
  constructor(readonly file: string | undefined) {
    if (file) checkOutputFile(file)
  }

  write(text: string): void {
    if (!this.file) {
      process.stdout.write(text)
      return
    }
    if (this.started) appendOutputFile(this.file, text)
    else writeOutputFile(this.file, text)
    this.started = true
  }
}

/** What a command's service needs to know about where its output goes. */
export interface CommandIo {
  /** JSON mode: write nothing, return the document for the command to print. */
  json: boolean
  /** No progress or notes on stderr. */
  quiet: boolean
  /** The -o FILE, when there is one (for "written to" notes). */
  output?: string
  /** Writes to the command's output (-o FILE or stdout). */
  write(text: string): void
}
