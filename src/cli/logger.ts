import {dirname} from 'node:path'

import {pino, type Logger} from 'pino'

import {scrubSecrets} from '../core/secrets.js'
import {fsReason, makeDirs} from './files.js'
import {defaultLogFile} from './paths.js'

/**
 * Structured logging. The JSON log file records every remote command (node,
 * argv, duration, exit code). Secrets never reach it: known secret values are
 * replaced before a line is written (see `registerSecret` in core/secrets.ts),
 * and keys that usually carry secrets are redacted by path.
 *
 * --log-level sets how much is logged (to the file, and with --verbose to
 * stderr too); --log-file where the file is (or "none").
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
/** Every remote command is logged at debug: the default keeps them all. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'debug'

const REDACT_PATHS = [
  'password',
  'passphrase',
  'secret',
  '*.password',
  '*.passphrase',
  '*.secret',
  '*.privateKey',
  'env.IPMI_PASSWORD',
  '*.env.IPMI_PASSWORD',
]

let current: Logger | undefined

export interface LoggerOptions {
  file?: string | false
  verbose?: boolean
  level?: LogLevel
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? DEFAULT_LOG_LEVEL
  const streams: {level: pino.Level; stream: pino.DestinationStream}[] = []
  const scrubbing = (dest: pino.DestinationStream): pino.DestinationStream => ({
    write: (line: string) => dest.write(scrubSecrets(line)),
  })
  const streamLevel: pino.Level = level === 'silent' ? 'fatal' : level
  if (opts.file !== false && level !== 'silent') {
    const file = opts.file ?? defaultLogFile()
    try {
      makeDirs(dirname(file))
      streams.push({
        level: streamLevel,
        stream: scrubbing(guarded(file, pino.destination({dest: file, sync: true, append: true}))),
      })
    } catch (err) {
      // An unwritable log directory must not stop an audit; --verbose still works. Said once when chosen.
      if (opts.file)
        process.stderr.write(`warning: --log-file ${file}: not logging to it: ${fsReason(err)}\n`)
    }
  }
  if (opts.verbose && level !== 'silent') {
    streams.push({level: streamLevel, stream: scrubbing(humanStderr())})
  }
  current = pino(
    {level, base: {pid: process.pid}, redact: {paths: REDACT_PATHS, censor: '***'}},
    pino.multistream(streams),
  )
  return current
}

/** A log file whose writes fail (a full disk) loses its lines, says so once, and never stops the command. */
function guarded(file: string, dest: pino.DestinationStream): pino.DestinationStream {
  let failed = false
  return {
    write: (line: string) => {
      if (failed) return
      try {
        dest.write(line)
      } catch (err) {
        failed = true
        process.stderr.write(`warning: log file ${file}: ${fsReason(err)}; no more lines are written to it\n`)
      }
    },
  }
}

/** A compact human-readable line per record on stderr (for --verbose). */
function humanStderr(): pino.DestinationStream {
  return {
    write(line: string) {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>
        const {level, time, msg, pid: _pid, ...rest} = rec
        const lvl = typeof level === 'number' ? (pino.levels.labels[level] ?? String(level)) : String(level)
        const t = new Date(Number(time)).toISOString().slice(11, 23)
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : ''
        process.stderr.write(`${t} ${lvl.padEnd(5)} ${String(msg ?? '')}${extra}\n`)
      } catch {
        process.stderr.write(line)
      }
    },
  }
}

/** The process-wide logger; a silent one until a command creates it. */
export function log(): Logger {
  if (!current) current = pino({level: 'silent'})
  return current
}
