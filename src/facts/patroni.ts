/**
 * patroni: the Patroni cluster as the member on this node sees it, through its own configuration file
 * (the one the running patroni process was started with): `patronictl list -f json` (every member, its
 * role, state, timeline and lag, read from the DCS: it fails when this node cannot reach the DCS),
 * `patronictl show-config` (the cluster-wide settings kept in the DCS: ttl, loop_wait, retry_timeout,
 * maximum_lag_on_failover, synchronous_mode) and the member's REST API `GET /patroni` (its own role and
 * state, and `dcs_last_seen`). The configuration file itself is never printed (it may hold passwords): only
 * restapi.connect_address is read out of it.
 */
import {createRequire} from 'node:module'

import type * as YamlLib from 'yaml'

import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScript, splitParts, type Part} from './parts.js'
import {isRecord} from './util.js'

export interface PatroniListMember {
  name: string
  host?: string
  /** Leader, Replica, Sync Standby, Standby Leader… */
  role: string
  /** running, streaming, starting, stopped, crashed… */
  state: string
  timeline?: number
  /** Lag in MB as patronictl prints it; undefined when unknown (printed as "unknown" or empty). */
  lagMb?: number
}

export interface PatroniDcsConfig {
  ttl?: number
  loopWait?: number
  retryTimeout?: number
  maximumLagOnFailover?: number
  synchronousMode?: boolean
  synchronousModeStrict?: boolean
  /** Every key as printed. */
  raw: Record<string, unknown>
}

export interface PatroniRest {
  role?: string
  state?: string
  timeline?: number
  /** Epoch seconds of this member's last successful contact with the DCS. */
  dcsLastSeen?: number
  version?: string
  scope?: string
  raw: Record<string, unknown>
}

export interface Patroni {
  config: string
  /** patronictl's own ERROR/WARNING lines (e.g. one DCS endpoint refusing connections while another answered). */
  warnings: string[]
  /** undefined when patronictl list failed (the DCS is not reachable from this node): see listError. */
  members?: PatroniListMember[]
  listError?: string
  dcs?: PatroniDcsConfig
  dcsError?: string
  rest?: PatroniRest
  restError?: string
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())
      ? Number(v)
      : undefined
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined)
/** patronictl's own log lines ("2026-12-07 16:15:50,945 - ERROR - …"), which the snippet merges into its output. */
const LOG_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+ - [A-Z]+ - /
const withoutLog = (body: string): string =>
  body
    .split('\n')
    .filter((l) => !LOG_LINE.test(l))
    .join('\n')
const logLines = (body: string): string[] => body.split('\n').filter((l) => LOG_LINE.test(l))
const text = (p: Part): string => p.body.trim().split('\n').slice(-3).join(' ')

function parseList(body: string): PatroniListMember[] {
  let data: unknown
  try {
    data = JSON.parse(body)
  } catch (err) {
    throw new ParseError(`patronictl list: not JSON (${(err as Error).message})`)
  }
  if (!Array.isArray(data)) throw new ParseError('patronictl list: expected a JSON array')
  return data.filter(isRecord).map((m) => {
    const out: PatroniListMember = {
      name: String(m['Member'] ?? ''),
      role: String(m['Role'] ?? ''),
      state: String(m['State'] ?? ''),
    }
    if (typeof m['Host'] === 'string') out.host = m['Host']
    const tl = num(m['TL'])
    if (tl !== undefined) out.timeline = tl
    const lag = num(m['Lag in MB'])
    if (lag !== undefined) out.lagMb = lag
    return out
  })
}

function parseDcs(body: string): PatroniDcsConfig {
  // yaml loads on first use: every audit imports this parser, few gather Patroni.
  const raw = (createRequire(import.meta.url)('yaml') as typeof YamlLib).parse(body) as unknown
  if (!isRecord(raw)) throw new ParseError('patronictl show-config: expected a YAML mapping')
  const c: PatroniDcsConfig = {raw}
  const set = <K extends keyof PatroniDcsConfig>(k: K, v: PatroniDcsConfig[K] | undefined): void => {
    if (v !== undefined) c[k] = v
  }
  set('ttl', num(raw['ttl']))
  set('loopWait', num(raw['loop_wait']))
  set('retryTimeout', num(raw['retry_timeout']))
  set('maximumLagOnFailover', num(raw['maximum_lag_on_failover']))
  set('synchronousMode', bool(raw['synchronous_mode']))
  set('synchronousModeStrict', bool(raw['synchronous_mode_strict']))
  return c
}

function parseRest(body: string): PatroniRest {
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch (err) {
    throw new ParseError(`GET /patroni: not JSON (${(err as Error).message})`)
  }
  if (!isRecord(raw)) throw new ParseError('GET /patroni: expected a JSON object')
  const r: PatroniRest = {raw}
  if (typeof raw['role'] === 'string') r.role = raw['role']
  if (typeof raw['state'] === 'string') r.state = raw['state']
  const tl = num(raw['timeline'])
  if (tl !== undefined) r.timeline = tl
  const seen = num(raw['dcs_last_seen'])
  if (seen !== undefined) r.dcsLastSeen = seen
  const p = isRecord(raw['patroni']) ? raw['patroni'] : {}
  if (typeof p['version'] === 'string') r.version = p['version']
  if (typeof p['scope'] === 'string') r.scope = p['scope']
  return r
}

export function parsePatroni(stdout: string): Patroni {
  const parts = splitParts(stdout)
  const cfg = parts.find((p) => p.name === 'config')
  if (!cfg) throw new ParseError('output has no "config" part')
  const out: Patroni = {config: cfg.body.trim(), warnings: []}
  const list = parts.find((p) => p.name === 'list')
  if (list?.exitCode === 0) out.members = parseList(withoutLog(list.body))
  else out.listError = list ? text(list) : 'patronictl list did not run'
  const dcs = parts.find((p) => p.name === 'show-config')
  if (dcs?.exitCode === 0) out.dcs = parseDcs(withoutLog(dcs.body))
  else out.dcsError = dcs ? text(dcs) : 'patronictl show-config did not run'
  for (const p of [list, dcs]) if (p) out.warnings.push(...logLines(p.body))
  const rest = parts.find((p) => p.name === 'rest-patroni')
  if (rest?.exitCode === 0 && rest.body.trim().startsWith('{')) out.rest = parseRest(rest.body)
  else out.restError = rest ? text(rest) || `curl exited ${rest.exitCode ?? '?'}` : 'REST API not queried'
  return out
}

export const patroni = defineGatherer<Patroni>({
  id: 'patroni',
  description: 'Patroni members (patronictl list), DCS settings (show-config) and the local REST API',
  script: [
    'command -v patronictl >/dev/null || { echo "patronictl: command not found" >&2; exit 127; }',
    "pid=$(pgrep -o -f '^[^ ]*python[0-9.]* [^ ]*/patroni |^[^ ]*/patroni ')",
    'if [ -z "$pid" ]; then',
    `  command -v patroni >/dev/null 2>&1 || exit ${ABSENT_RC}`,
    '  echo "Patroni is installed on this node but not running" >&2; exit 1',
    'fi',
    'cfg=$(tr "\\0" "\\n" < /proc/$pid/cmdline | grep -E "\\.ya?ml$" | tail -n1)',
    partScript('config', 'echo "$cfg"'),
    partScript('list', 'patronictl -c "$cfg" list -f json 2>&1'),
    partScript('show-config', 'patronictl -c "$cfg" show-config 2>&1'),
    'rest=$(awk \'/^restapi:/{f=1;next} f&&/^[^ #]/{f=0} f&&$1=="connect_address:"{print $2; exit}\' "$cfg")',
    partScript('rest-patroni', 'curl -s --max-time 5 "http://${rest:-127.0.0.1:8008}/patroni"'),
  ].join('\n'),
  whenAbsent: 'no Patroni on this node',
  parse: (out) => parsePatroni(out.stdout),
})
