/**
 * corosync-quorumtool: runtime quorum state from `corosync-quorumtool -s`
 * (quorum and votequorum information plus the membership list). The parser
 * also reads `corosync-quorumtool -l` (membership list only).
 *
 * Exit codes (corosync-quorumtool(8)): 0 quorate, 2 NOT quorate (output still
 * complete and exactly what the quorum check needs), 1 generic error.
 *
 * Formats handled: corosync 2 ("Ring ID: 1084783375/40", no Qdevice column),
 * corosync 3 ("Ring ID: 3e8.2b"), the Qdevice column ("A,V,NMW", blank on the
 * "Qdevice" row), hexadecimal node ids (-H, "0x00000001"), trailing blanks,
 * "Quorum: 3 Activity blocked" and an empty "Flags:" line.
 */
import {defineGatherer, ParseError, wholeLines} from './gatherer.js'
import {dict, lines, toInt} from './util.js'

export interface QuorumMember {
  nodeid: number
  votes: number
  /** Qdevice column flags (A/NA alive, V/NV vote, MW/NMW master wins, NR not registered); undefined without the column. */
  qdevice?: string[]
  name: string
  local: boolean
  /** The row of the quorum device itself (node id 0, name "Qdevice"). */
  isQdevice: boolean
}

export interface QuorumStatus {
  /** False for `-l` output, which has only the membership list. */
  hasStatus: boolean
  provider?: string
  nodes?: number
  nodeId?: number
  ringId?: string
  quorate?: boolean
  expectedVotes?: number
  highestExpected?: number
  totalVotes?: number
  quorum?: number
  /** "Activity blocked" after the quorum number. */
  activityBlocked: boolean
  /** e.g. ['2Node', 'Quorate', 'WaitForAll', 'LastManStanding', 'AutoTieBreaker', 'Qdevice']. */
  flags: string[]
  members: QuorumMember[]
  /** Every "Key: value" line as written (trimmed). */
  raw: Record<string, string>
}

const QDEVICE_FLAG = /^(A|NA|V|NV|MW|NMW|NR)(,(A|NA|V|NV|MW|NMW|NR))*$/

function nodeIdOf(v: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(v)) return Number.parseInt(v, 16)
  return toInt(v)
}

export function parseQuorumtool(text: string): QuorumStatus {
  const raw = dict<string>()
  const members: QuorumMember[] = []
  let header: 'none' | 'plain' | 'qdevice' = 'none'
  const ls = lines(text)
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i] ?? ''
    const t = line.trim()
    if (t === '' || /^[-~]+$/.test(t)) continue
    if (/^Nodeid\s+Votes\s+Qdevice\s+Name$/.test(t)) {
      header = 'qdevice'
      continue
    }
    if (/^Nodeid\s+Votes\s+Name$/.test(t)) {
      header = 'plain'
      continue
    }
    if (header !== 'none') {
      const f = t.split(/\s+/)
      const nodeid = nodeIdOf(f[0] ?? '')
      const votes = toInt(f[1])
      if (nodeid === undefined || votes === undefined) {
        throw new ParseError(`membership row not understood: "${t}"`, i + 1)
      }
      let rest = f.slice(2)
      let qdevice: string[] | undefined
      if (header === 'qdevice') {
        qdevice = []
        if (rest.length > 1 && QDEVICE_FLAG.test(rest[0] ?? '')) {
          qdevice = (rest[0] ?? '').split(',')
          rest = rest.slice(1)
        }
      }
      const local = rest[rest.length - 1] === '(local)'
      if (local) rest = rest.slice(0, -1)
      const name = rest.join(' ')
      members.push({nodeid, votes, qdevice, name, local, isQdevice: nodeid === 0 && name === 'Qdevice'})
      continue
    }
    const kv = /^([A-Za-z][A-Za-z ]*?):\s*(.*)$/.exec(t)
    if (kv) {
      raw[kv[1] ?? ''] = (kv[2] ?? '').trim()
      continue
    }
    if (/information$/.test(t)) continue
    throw new ParseError(`line not understood: "${t}"`, i + 1)
  }
  const hasStatus = raw['Quorate'] !== undefined || raw['Expected votes'] !== undefined
  if (!hasStatus && header === 'none')
    throw new ParseError('no quorum status and no membership list in output')
  const quorumText = raw['Quorum'] ?? ''
  const quorate = raw['Quorate']
  return {
    hasStatus,
    provider: raw['Quorum provider'],
    nodes: toInt(raw['Nodes']),
    nodeId: raw['Node ID'] === undefined ? undefined : nodeIdOf(raw['Node ID']),
    ringId: raw['Ring ID'],
    quorate: quorate === undefined ? undefined : quorate.toLowerCase() === 'yes',
    expectedVotes: toInt(raw['Expected votes']),
    highestExpected: toInt(raw['Highest expected']),
    totalVotes: toInt(raw['Total votes']),
    quorum: toInt(quorumText.split(/\s+/)[0]),
    activityBlocked: /Activity blocked/i.test(quorumText),
    flags: (raw['Flags'] ?? '').split(/\s+/).filter((x) => x !== ''),
    members,
    raw,
  }
}

export const corosyncQuorumtool = defineGatherer<QuorumStatus>({
  id: 'corosync-quorumtool',
  description: 'Runtime quorum state and membership (corosync-quorumtool -s)',
  script: 'corosync-quorumtool -s',
  requires: ['corosync-quorumtool'],
  // 2 = not quorate: the output is complete and is the finding itself.
  okExitCodes: [0, 2],
  parse: (out) => parseQuorumtool(wholeLines(out.stdout)),
})
