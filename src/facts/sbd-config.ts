/**
 * sbd-config: the SBD daemon settings from /etc/sysconfig/sbd (SUSE, Red Hat)
 * or /etc/default/sbd (Debian, Ubuntu), whichever exists first.
 *
 * Shell-style assignments; comments and blank lines ignored; quotes removed;
 * the last assignment wins (templates often append SBD_DEVICE at the end).
 * SBD_DEVICE holds one or more devices separated by ";". An empty or unset
 * SBD_DEVICE means diskless (watchdog-only) SBD.
 *
 * Snippet: prints "# file: PATH" then the file, or exits ABSENT_RC when
 * neither file exists (SBD not configured on this node).
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {dict, lines, toBool, toInt} from './util.js'

export interface SbdConfig {
  file?: string
  /** SBD_DEVICE split on ";"; empty for diskless SBD. */
  devices: string[]
  watchdogDev?: string
  /** Seconds. */
  watchdogTimeout?: number
  pacemaker?: boolean
  startMode?: string
  delayStart?: string
  timeoutAction?: string
  opts?: string
  /** Every assignment as written (unquoted). */
  raw: Record<string, string>
}

function unquote(v: string): string {
  const t = v.trim()
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    return t.slice(1, -1)
  }
  // Unquoted value: a trailing " # comment" is not part of it.
  return t.replace(/\s+#.*$/, '')
}

export function parseSbdConfig(text: string): SbdConfig {
  const raw = dict<string>()
  let file: string | undefined
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const t = (ls[i] ?? '').trim()
    const header = /^# file: (\S+)$/.exec(t)
    if (header && i === 0) {
      file = header[1]
      continue
    }
    if (t === '' || t.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t)
    if (!m) throw new ParseError(`not a shell assignment: "${t}"`, i + 1)
    raw[m[1] ?? ''] = unquote(m[2] ?? '')
  }
  return {
    file,
    devices: (raw['SBD_DEVICE'] ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== ''),
    watchdogDev: raw['SBD_WATCHDOG_DEV'],
    watchdogTimeout: toInt(raw['SBD_WATCHDOG_TIMEOUT']),
    pacemaker: toBool(raw['SBD_PACEMAKER']),
    startMode: raw['SBD_STARTMODE'],
    delayStart: raw['SBD_DELAY_START'],
    timeoutAction: raw['SBD_TIMEOUT_ACTION'],
    opts: raw['SBD_OPTS'],
    raw,
  }
}

export const sbdConfig = defineGatherer<SbdConfig>({
  id: 'sbd-config',
  description: 'SBD daemon settings (/etc/sysconfig/sbd or /etc/default/sbd)',
  command: 'cat /etc/sysconfig/sbd (or /etc/default/sbd)',
  script: `for f in /etc/sysconfig/sbd /etc/default/sbd; do [ -r "$f" ] && { echo "# file: $f"; cat -- "$f"; exit; }; done; exit ${ABSENT_RC}`,
  whenAbsent: 'no /etc/sysconfig/sbd or /etc/default/sbd on this node (SBD not configured)',
  parse: (out) => parseSbdConfig(out.stdout),
})
