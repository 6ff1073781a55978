/**
 * Reading the files the operator names (inventory, checklist, game day,
 * waivers, config, saved runs) without hanging or exhausting memory, and the
 * words for why a file operation failed. The lowest I/O layer: inventory,
 * audit and chaos read through it; cli/files.ts (outputs) builds on it.
 */
import {statSync, type Stats} from 'node:fs'
import {readFile} from 'node:fs/promises'

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
