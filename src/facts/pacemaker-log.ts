/**
 * pacemaker-log: Pacemaker's own log file (/var/log/pacemaker/pacemaker.log),
 * Pacemaker 2.1 line format, read with the node's year and UTC offset (the log
 * has neither):
 *
 *   Nov 26 10:11:12.345 n2 pacemaker-controld  [123] (peer_update_callback) info: …
 *
 * Pure. Which lines mark which failover phase is chaos's business
 * (src/chaos/pacemaker-log.ts); this file only reads the lines.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export interface LogLine {
  /** Epoch ms in the node's clock. */
  t: number
  host: string
  daemon: string
  level: string
  message: string
}

/**
 * Parses one log line. `year` and `tzOffsetMin` (minutes east of UTC, as
 * `date +%z` prints) come from the node: the log has neither.
 */
export function parseLogLine(line: string, year: number, tzOffsetMin: number): LogLine | undefined {
  const m =
    /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\S+) (\S+?)\s*\[\d+\] \([^)]*\)\s+(\w+): (.*)$/.exec(
      line,
    )
  if (!m) return undefined
  const [
    ,
    mon = '',
    day = '',
    hh = '',
    mm = '',
    ss = '',
    frac = '',
    host = '',
    daemon = '',
    level = '',
    message = '',
  ] = m
  const month = MONTHS.indexOf(mon)
  if (month < 0) return undefined
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0
  const utc =
    Date.UTC(year, month, Number(day), Number(hh), Number(mm), Number(ss), ms) - tzOffsetMin * 60_000
  return {t: utc, host, daemon, level, message}
}

/** `+0100` → 60. */
export function parseTzOffset(text: string): number {
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(text.trim())
  if (!m) return 0
  const v = Number(m[2]) * 60 + Number(m[3])
  return m[1] === '-' ? -v : v
}

/** The grep that selects candidate lines on the node (keeps the transfer small). */
export const LOG_GREP =
  "grep -E 'state is now (lost|member)|Requesting fencing|wants to fence|Operation .*(targeting|for host)|was terminated|Result of (start|stop) operation|Quorum (lost|acquired|regained)'"

export function readLogScript(file = '/var/log/pacemaker/pacemaker.log', lines = 50_000): string {
  return `date +%Y; date +%z; tail -n ${lines} ${file} 2>/dev/null | ${LOG_GREP} || true`
}

/** Splits readLogScript's output into year, tz offset and the log text. */
export function parseReadLog(stdout: string): {year: number; tzOffsetMin: number; text: string} {
  const [y = '', z = '', ...rest] = stdout.split('\n')
  return {
    year: Number(y) || new Date().getUTCFullYear(),
    tzOffsetMin: parseTzOffset(z),
    text: rest.join('\n'),
  }
}
