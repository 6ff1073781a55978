/**
 * Files the operator names (-o, --log-file, --save, --output-dir, --history):
 * created without hanging, written without replacing what is not a regular
 * file, and every failure one clear InputError naming the path and the
 * reason (exit 2), never "internal error" (docs/untrusted-input.md).
 */
import {randomBytes} from 'node:crypto'
import {mkdirSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync, type Stats} from 'node:fs'
import {open, readFile} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {errorMessage, InputError} from '../core/errors.js'

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'already exists',
  EFBIG: 'file too large',
  EIO: 'input/output error',
}

/** "permission denied" for an EACCES, the system's message otherwise. */
export function fsReason(err: unknown): string {
  const code = (err as {code?: unknown}).code
  return (typeof code === 'string' && REASONS[code]) || errorMessage(err)
}

/** `PATH: cannot ACTION: REASON`, exit 2. */
export function fileError(path: string, err: unknown, action: string): InputError {
  return new InputError(`${path}: cannot ${action}: ${fsReason(err)}`, {code: 'file', cause: err})
}

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

/** The largest hand-written input hacheck reads (inventory, checklist, game day, waivers, config, capture.json): 5 MiB. */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024
/** The largest saved run `report render` reads (a 500-node audit is ~10 MB of JSON): 256 MiB. */
export const MAX_SAVED_RUN_BYTES = 256 * 1024 * 1024

/** Why an input file could not be read, in words ("is a directory"), with the errno code when there is one. */
export class ReadFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'ReadFailure'
  }
}

/**
 * Reads a text file the operator named, refusing what would hang or exhaust
 * memory: a directory, a FIFO or device (/dev/zero never ends), a file over
 * `maxBytes` (documented in docs/untrusted-input.md). Throws ReadFailure; the
 * caller names the file and what it expected.
 */
export async function readInputText(file: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  let st: Stats
  try {
    st = statSync(file)
  } catch (err) {
    throw new ReadFailure(fsReason(err), (err as {code?: string}).code)
  }
  if (st.isDirectory()) throw new ReadFailure('is a directory, not a file', 'EISDIR')
  if (!st.isFile()) throw new ReadFailure('not a regular file (a FIFO, socket or device)', 'ENOTREG')
  if (st.size > maxBytes)
    throw new ReadFailure(
      `${mib(st.size)} is over the ${mib(maxBytes)} limit for this kind of file (docs/untrusted-input.md)`,
      'EFBIG',
    )
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new ReadFailure(fsReason(err), (err as {code?: string}).code)
  }
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`
