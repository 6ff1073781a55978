/**
 * corosync-qdevice-tool: the quorum device daemon's own view
 * (`corosync-qdevice-tool -s`): model, whether it is connected to qnetd and
 * with which algorithm. No published capture exists yet, so the parser is
 * conservative: every "Key: value" line is kept in `raw` (per section) and
 * only a few fields are typed; a verbatim lab capture will pin the format.
 *
 * Exits non-zero ("Can't connect to QDevice socket") when corosync-qdevice is
 * not running: a command failure, i.e. "could not tell" for the witness check.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {dict, lines, toInt} from './util.js'

export interface QdeviceStatus {
  model?: string
  nodeId?: number
  membershipNodeList?: number[]
  qnetdHost?: string
  qnetdPort?: number
  algorithm?: string
  tieBreaker?: string
  state?: string
  /** State is "Connected". */
  connected?: boolean
  /** Section title → key → value, as printed. */
  raw: Record<string, Record<string, string>>
}

export function parseQdeviceTool(text: string): QdeviceStatus {
  const raw = dict<Record<string, string>>()
  let section = ''
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i] ?? ''
    const t = l.trim()
    if (t === '' || /^-+$/.test(t)) continue
    if (/information$/.test(t) && /^-+$/.test((ls[i + 1] ?? '').trim())) {
      section = t
      continue
    }
    const kv = /^([A-Za-z][\w -]*?):\s*(.*)$/.exec(t)
    if (kv) {
      const s = (raw[section] ??= dict<string>())
      s[kv[1] ?? ''] = (kv[2] ?? '').trim()
    }
  }
  const all = dict<string>()
  for (const s of Object.values(raw)) Object.assign(all, s)
  if (Object.keys(all).length === 0) throw new ParseError('no qdevice status in output')
  const host = /^(.*?)(?::(\d+))?$/.exec(all['QNetd host'] ?? '')
  const state = all['State']
  return {
    model: all['Model'],
    nodeId: toInt(all['Node ID']),
    membershipNodeList: all['Membership node list']
      ?.split(/[,\s]+/)
      .map((x) => toInt(x))
      .filter((x): x is number => x !== undefined),
    qnetdHost: host?.[1] || undefined,
    qnetdPort: toInt(host?.[2]),
    algorithm: all['Algorithm'],
    tieBreaker: all['Tie-breaker'],
    state,
    connected: state === undefined ? undefined : state === 'Connected',
    raw,
  }
}

export const corosyncQdeviceTool = defineGatherer<QdeviceStatus>({
  id: 'corosync-qdevice-tool',
  description: 'Quorum device daemon status: model, qnetd connection, algorithm (corosync-qdevice-tool -s)',
  script: 'corosync-qdevice-tool -s',
  requires: ['corosync-qdevice-tool'],
  parse: (out) => parseQdeviceTool(out.stdout),
})
