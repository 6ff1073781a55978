import {mkdirSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {pino, type Logger} from 'pino'

/**
 * Structured logging. The JSON log file records every remote command (node,
 * argv, duration, exit code). Secrets never reach it: known secret values are
 * replaced before a line is written (see `registerSecret`), and keys that
 * usually carry secrets are redacted by path.
 */

const secrets = new Set<string>()

/** Any string registered here is replaced by `***` wherever it appears in a log line or report. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value)
}

export function scrubSecrets(text: string): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('***')
  return out
}

export function stateDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(base, 'hacheck')
}

export function defaultLogFile(): string {
  return join(stateDir(), 'hacheck.log')
}

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
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const streams: {level: pino.Level; stream: pino.DestinationStream}[] = []
  const scrubbing = (dest: pino.DestinationStream): pino.DestinationStream => ({
    write: (line: string) => dest.write(scrubSecrets(line)),
  })
  if (opts.file !== false) {
    const file = opts.file ?? defaultLogFile()
    try {
      mkdirSync(dirname(file), {recursive: true})
      streams.push({
        level: 'debug',
        stream: scrubbing(pino.destination({dest: file, sync: true, append: true})),
      })
    } catch {
      // An unwritable log directory must not stop an audit; --verbose still works.
    }
  }
  if (opts.verbose) {
    streams.push({level: 'debug', stream: scrubbing(humanStderr())})
  }
  current = pino(
    {level: 'debug', base: {pid: process.pid}, redact: {paths: REDACT_PATHS, censor: '***'}},
    pino.multistream(streams),
  )
  return current
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
