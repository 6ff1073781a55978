/**
 * host: capacity and clock facts of the node for the N-1 and time-sync
 * checks: hostname, kernel, CPU count, memory, load, and the time
 * synchronisation state from `timedatectl` and `chronyc tracking` when they
 * exist. One snippet of framed parts; a part whose tool is missing exits 127
 * and its field is left undefined (conservative: "could not tell").
 *
 * timedatectl: `show` (systemd ≥ 239, NTPSynchronized=yes) or, on older
 * systemd, `status` ("System clock synchronized: yes" / "NTP synchronized:
 * yes"). chronyc -n tracking: Reference ID, Stratum, System time offset
 * ("… seconds fast|slow of NTP time") and Leap status ("Not synchronised"
 * when unsynchronised).
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {partScript, splitParts, type Part} from './parts.js'
import {dict, lines, toBool, toInt, toNum} from './util.js'

export interface Meminfo {
  memTotalKiB?: number
  memAvailableKiB?: number
  swapTotalKiB?: number
  swapFreeKiB?: number
  raw: Record<string, number>
}

export interface Chrony {
  referenceId?: string
  stratum?: number
  /** Positive when the system clock is ahead of NTP time. */
  systemTimeOffsetSeconds?: number
  leapStatus?: string
  synchronised: boolean
}

export interface TimeSync {
  /** timedatectl NTPSynchronized / "System clock synchronized". */
  synchronized?: boolean
  /** timedatectl NTP / "NTP service: active". */
  ntpEnabled?: boolean
  timezone?: string
  chrony?: Chrony
}

export interface Host {
  hostname?: string
  kernel?: string
  cpus?: number
  mem: Meminfo
  load?: {one: number; five: number; fifteen: number}
  time: TimeSync
}

export function parseMeminfo(text: string): Meminfo {
  const raw = dict<number>()
  for (const l of lines(text)) {
    const m = /^(\w[\w()]*):\s+(\d+)(?:\s+kB)?$/.exec(l.trim())
    if (m) raw[m[1] ?? ''] = Number(m[2])
  }
  return {
    memTotalKiB: raw['MemTotal'],
    memAvailableKiB: raw['MemAvailable'],
    swapTotalKiB: raw['SwapTotal'],
    swapFreeKiB: raw['SwapFree'],
    raw,
  }
}

export function parseLoadavg(text: string): Host['load'] {
  const f = text.trim().split(/\s+/)
  const [one, five, fifteen] = [toNum(f[0]), toNum(f[1]), toNum(f[2])]
  return one === undefined || five === undefined || fifteen === undefined ? undefined : {one, five, fifteen}
}

export function parseChronyTracking(text: string): Chrony {
  const kv = dict<string>()
  for (const l of lines(text)) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(l)
    if (m) kv[m[1] ?? ''] = (m[2] ?? '').trim()
  }
  const sys = /^([\d.]+) seconds (fast|slow)/.exec(kv['System time'] ?? '')
  const leap = kv['Leap status']
  return {
    referenceId: kv['Reference ID'],
    stratum: toInt(kv['Stratum']),
    systemTimeOffsetSeconds: sys ? Number(sys[1]) * (sys[2] === 'slow' ? -1 : 1) : undefined,
    leapStatus: leap,
    synchronised: leap !== undefined && !/not synchroni[sz]ed/i.test(leap),
  }
}

export function parseTimedatectl(text: string): Omit<TimeSync, 'chrony'> {
  const kv = dict<string>()
  for (const l of lines(text)) {
    const show = /^(\w+)=(.*)$/.exec(l.trim())
    if (show) {
      kv[show[1] ?? ''] = show[2] ?? ''
      continue
    }
    const status = /^\s*([^:]+?):\s*(.*)$/.exec(l)
    if (status) kv[status[1] ?? ''] = (status[2] ?? '').trim()
  }
  const ntpService = kv['NTP service']
  return {
    synchronized: toBool(kv['NTPSynchronized'] ?? kv['System clock synchronized'] ?? kv['NTP synchronized']),
    ntpEnabled:
      toBool(kv['NTP'] ?? kv['Network time on']) ?? (ntpService ? ntpService === 'active' : undefined),
    timezone: kv['Timezone'] ?? kv['Time zone']?.split(' ')[0],
  }
}

function ok(parts: Part[], name: string): string | undefined {
  const p = parts.find((x) => x.name === name)
  return p && p.exitCode === 0 ? p.body : undefined
}

export function parseHost(stdout: string): Host {
  const parts = splitParts(stdout)
  if (parts.length === 0) throw new ParseError('no host facts in output')
  // Parts missing at the end: the output was cut between two parts (never "could not tell" read as whole).
  const missing = HOST_PARTS.map(([name]) => name).filter((name) => !parts.some((p) => p.name === name))
  if (missing.length > 0) throw new ParseError(`output cut short: no ${missing.join(', ')} part`)
  const meminfo = ok(parts, 'meminfo')
  const loadavg = ok(parts, 'loadavg')
  const td = ok(parts, 'timedatectl')
  const chrony = ok(parts, 'chrony')
  return {
    hostname: ok(parts, 'hostname')?.trim() || undefined,
    kernel: ok(parts, 'kernel')?.trim() || undefined,
    cpus: toInt(ok(parts, 'nproc')),
    mem: meminfo === undefined ? {raw: dict<number>()} : parseMeminfo(meminfo),
    load: loadavg === undefined ? undefined : parseLoadavg(loadavg),
    time: {
      ...(td === undefined ? {} : parseTimedatectl(td)),
      chrony: chrony === undefined ? undefined : parseChronyTracking(chrony),
    },
  }
}

/** Runs `cmd` only when `tool` exists; exit 127 otherwise (in a subshell, so the snippet goes on). */
const ifTool = (tool: string, cmd: string) => `(command -v ${tool} >/dev/null 2>&1 || exit 127; ${cmd})`

/** The parts the snippet always prints, in order (a tool that is missing still prints its part, exit 127). */
const HOST_PARTS: readonly (readonly [string, string])[] = [
  ['hostname', 'hostname'],
  ['kernel', 'uname -r'],
  ['nproc', 'nproc'],
  ['meminfo', 'cat /proc/meminfo'],
  ['loadavg', 'cat /proc/loadavg'],
  ['timedatectl', ifTool('timedatectl', 'timedatectl show 2>/dev/null || timedatectl status')],
  ['chrony', ifTool('chronyc', 'chronyc -n tracking')],
]

export const host = defineGatherer<Host>({
  id: 'host',
  description: 'Hostname, kernel, CPUs, memory, load and time synchronisation of the node',
  command:
    'hostname; uname -r; nproc; cat /proc/meminfo /proc/loadavg; timedatectl show; chronyc -n tracking',
  script: [...HOST_PARTS.map(([name, cmd]) => partScript(name, cmd)), 'exit 0'].join('; '),
  parse: (out) => parseHost(out.stdout),
})
