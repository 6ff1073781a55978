/**
 * sbd-dump: the on-disk header of every SBD device (`sbd -d DEV dump`): slot
 * count and the timeouts actually in force (the header wins over
 * SBD_WATCHDOG_TIMEOUT), for the msgwait ≥ 2 × watchdog rule and the
 * stonith-timeout coherence check.
 *
 * Snippet: reads SBD_DEVICE from /etc/sysconfig/sbd or /etc/default/sbd and
 * dumps each device as one framed part named by the device. Exits ABSENT_RC
 * when there is no SBD config or no device (diskless SBD).
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScriptFor, splitParts} from './parts.js'
import {lines, toInt} from './util.js'

export interface SbdHeader {
  device?: string
  headerVersion?: string
  uuid?: string
  slots?: number
  sectorSize?: number
  /** Seconds. */
  timeouts: {watchdog?: number; allocate?: number; loop?: number; msgwait?: number}
}

export interface SbdDevice {
  device: string
  /** Undefined when the dump failed (see error). */
  header?: SbdHeader
  exitCode: number | null
  error?: string
}

export interface SbdDump {
  devices: SbdDevice[]
}

/** Parses the output of one `sbd -d DEV dump`. */
export function parseSbdHeader(text: string): SbdHeader {
  const h: SbdHeader = {timeouts: {}}
  let seen = false
  for (const line of lines(text)) {
    const t = line.trim()
    const dumping = /^==Dumping header on disk (.+)$/.exec(t)
    if (dumping) {
      h.device = dumping[1]
      continue
    }
    if (/^==Header on disk .* is dumped$/.test(t) || t === '') continue
    const kv = /^(.+?)\s*:\s*(.*)$/.exec(t)
    if (!kv) continue
    const key = kv[1] ?? ''
    const value = (kv[2] ?? '').trim()
    const timeout = /^Timeout \((\w+)\)$/.exec(key)
    const which = timeout?.[1]
    if (which === 'watchdog' || which === 'allocate' || which === 'loop' || which === 'msgwait') {
      h.timeouts[which] = toInt(value)
    } else if (key === 'Header version') h.headerVersion = value
    else if (key === 'UUID') h.uuid = value
    else if (key === 'Number of slots') h.slots = toInt(value)
    else if (key === 'Sector size') h.sectorSize = toInt(value)
    else continue
    seen = true
  }
  if (!seen) throw new ParseError('no SBD header fields in output')
  return h
}

export function parseSbdDump(stdout: string): SbdDump {
  const devices = splitParts(stdout).map((p): SbdDevice => {
    try {
      if (p.exitCode !== 0) throw new ParseError(`sbd dump exited ${p.exitCode}`)
      return {device: p.name, header: parseSbdHeader(p.body), exitCode: p.exitCode}
    } catch (err) {
      const first = lines(p.body).find((l) => l.trim() !== '')
      return {
        device: p.name,
        exitCode: p.exitCode,
        error: first ?? (err instanceof Error ? err.message : String(err)),
      }
    }
  })
  if (devices.length === 0) throw new ParseError('no SBD device in output')
  return {devices}
}

export const sbdDump = defineGatherer<SbdDump>({
  id: 'sbd-dump',
  description: 'On-disk header (slots, watchdog and msgwait timeouts) of each SBD device (sbd -d DEV dump)',
  command: 'sbd -d <device> dump for each SBD_DEVICE',
  script: [
    'f=/etc/sysconfig/sbd; [ -r "$f" ] || f=/etc/default/sbd',
    `[ -r "$f" ] || exit ${ABSENT_RC}`,
    `devs=$(sed -n 's/^[[:space:]]*SBD_DEVICE=//p' "$f" | tail -n 1 | tr -d "\\"'" | tr ';' ' ')`,
    `[ -n "$(echo $devs)" ] || exit ${ABSENT_RC}`,
    `for d in $devs; do ${partScriptFor('"$d"', 'sbd -d "$d" dump 2>&1')}; done`,
  ].join('; '),
  requires: ['sbd'],
  whenAbsent: 'no SBD device configured on this node (no SBD config, or diskless SBD)',
  parse: (out) => parseSbdDump(out.stdout),
})
