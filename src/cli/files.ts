/**
 * Files the operator names (-o, --log-file, --save, --output-dir, --history):
 * created without hanging, written without replacing what is not a regular
 * file, and every failure one clear InputError naming the path and the
 * reason (exit 2), never "internal error" (docs/untrusted-input.md).
 */
import {randomBytes} from 'node:crypto'
import {mkdirSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync, type Stats} from 'node:fs'
import {open} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {InputError} from '../core/errors.js'
import {fileError} from '../io/files.js'

// The reading helpers live one layer down (inventory and audit use them too).
export {
  fileError,
  fsReason,
  MAX_INPUT_BYTES,
  MAX_SAVED_RUN_BYTES,
  ReadFailure,
  readInputText,
} from '../io/files.js'

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p)
  } catch (err) {
    if ((err as {code?: string}).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * mkdir -p that always ends: Node's recursive mkdir spins forever below
 * /proc (it retries a parent it cannot create), so the missing directories
 * are found by walking up and created one by one.
 */
export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = []
  let p = resolve(dir)
  try {
    for (;;) {
      const st = statOf(p)
      if (st) {
        if (!st.isDirectory())
          throw new InputError(`${dir}: cannot create the directory: ${p} is not a directory`)
        break
      }
      missing.push(p)
      const up = dirname(p)
      if (up === p) break
      p = up
    }
    for (const m of missing.reverse()) {
      try {
        mkdirSync(m, mode === undefined ? undefined : {mode})
      } catch (err) {
        if ((err as {code?: string}).code !== 'EEXIST' || !statOf(m)?.isDirectory()) throw err
      }
    }
  } catch (err) {
    if (err instanceof InputError) throw err
    throw fileError(dir, err, 'create the directory')
  }
}

/**
 * Checks, before any work, that `file` can be written as an output: not a
 * directory, its directory exists (or may be created), and is a directory.
 */
export function checkOutputFile(file: string, opts: {createDir?: boolean} = {}): void {
  let st: Stats | undefined
  try {
    st = statOf(file)
  } catch (err) {
    throw fileError(file, err, 'write the output')
  }
  if (st?.isDirectory())
    throw new InputError(`${file}: cannot write the output: is a directory (give a file name)`)
  if (st) return
  const dir = dirname(resolve(file))
  let d: Stats | undefined
  try {
    d = statOf(dir)
  } catch (err) {
    throw fileError(file, err, 'write the output')
  }
  if (!d && !opts.createDir)
    throw new InputError(
      `${file}: cannot write the output: the directory ${dir} does not exist (create it first)`,
    )
  if (d && !d.isDirectory())
    throw new InputError(`${file}: cannot write the output: ${dir} is not a directory`)
}

/** Checks the output (creating its directory when asked); true when it is a device or FIFO, written in place. */
function writesInPlace(file: string, opts: {createDir?: boolean}): boolean {
  checkOutputFile(file, opts)
  if (opts.createDir) makeDirs(dirname(resolve(file)))
  try {
    const st = statOf(file)
    return st !== undefined && !st.isFile()
  } catch (err) {
    throw fileError(file, err, 'write the output')
  }
}

/**
 * Writes an output file whole: through a temp file and a rename (a reader
 * never sees half a report), except for what is not a regular file (a
 * device such as /dev/stdout, a FIFO), which is written in place and never
 * replaced.
 */
export function writeOutputFile(file: string, text: string, opts: {createDir?: boolean} = {}): void {
  if (writesInPlace(file, opts)) {
    try {
      writeFileSync(file, text)
    } catch (err) {
      throw fileError(file, err, 'write the output')
    }
    return
  }
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, file)
  } catch (err) {
    rmSync(tmp, {force: true})
    throw fileError(file, err, 'write the output')
  }
}

/**
 * writeOutputFile for a report produced in pieces (the JSON report of a big
 * fleet): written in 64 KiB writes, through a temp file and a rename for a
 * regular file, in place for a device or FIFO; errors name the path.
 */
export async function writeOutputChunks(
  file: string,
  chunks: Iterable<string>,
  opts: {createDir?: boolean} = {},
): Promise<void> {
  const inPlace = writesInPlace(file, opts)
  const target = inPlace ? file : `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const fh = await open(target, 'w')
    try {
      let batch = ''
      for (const chunk of chunks) {
        batch += chunk
        if (batch.length >= 1 << 16) {
          await fh.write(batch)
          batch = ''
        }
      }
      if (batch) await fh.write(batch)
    } finally {
      await fh.close()
    }
    if (!inPlace) renameSync(target, file)
  } catch (err) {
    if (!inPlace) rmSync(target, {force: true})
    throw fileError(file, err, 'write the output')
  }
}

/** Appends to an output file that writeOutputFile started (the -o of commands that print as they go). */
export function appendOutputFile(file: string, text: string): void {
  try {
    appendFileSync(file, text)
  } catch (err) {
    throw fileError(file, err, 'write the output')
  }
}
