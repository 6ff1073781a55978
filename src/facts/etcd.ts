/**
 * etcd: the view of the etcd cluster from the member running on this node, with etcdctl (API v3) against
 * its local client URL: `member list`, `endpoint status --cluster` and `endpoint health --cluster` (every
 * member's client URL, as this node reaches them), each `-w json`, plus the etcd process's command line and
 * its --config-file (for --quota-backend-bytes and the TLS settings).
 *
 * etcd prints member and cluster ids as 64-bit integers: they are read as decimal strings (JSON numbers
 * above 2^53 would lose digits) and compared as such; `hex` gives the form `etcdctl -w table` prints.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {partScript, splitParts, type Part} from './parts.js'
import {isRecord, lines} from './util.js'

export interface EtcdMember {
  /** Decimal member id as etcd prints it in JSON. */
  id: string
  name: string
  peerUrls: string[]
  clientUrls: string[]
  isLearner: boolean
}

export interface EtcdEndpointStatus {
  endpoint: string
  memberId?: string
  /** The member id this endpoint takes for the leader. */
  leader?: string
  version?: string
  dbSize?: number
  dbSizeInUse?: number
  raftTerm?: number
  raftIndex?: number
  isLearner: boolean
  errors: string[]
}

export interface EtcdEndpointHealth {
  endpoint: string
  health: boolean
  took?: string
  error?: string
}

export interface Etcd {
  /** This node's own member id (from the local member's status header). */
  self?: string
  clusterId?: string
  members: EtcdMember[]
  /** Statuses of the endpoints this node could reach (an unreachable one is missing, see errors). */
  statuses: EtcdEndpointStatus[]
  health: EtcdEndpointHealth[]
  /** etcdctl's own words for what it could not reach. */
  errors: string[]
  /** --quota-backend-bytes (command line or config file); undefined when not set (etcd's default, 2 GiB). */
  quotaBackendBytes?: number
  /** TLS on the peer / client URLs (https in the member's URLs). */
  peerTls: boolean
  clientTls: boolean
}

/** Quotes every 64-bit integer id field so JSON.parse keeps all its digits. */
export function quoteIds(json: string): string {
  return json.replace(/"(cluster_id|member_id|leader|ID|id)":\s*(\d+)/g, '"$1":"$2"')
}

export const hex = (decimal: string | undefined): string | undefined =>
  decimal === undefined || !/^\d+$/.test(decimal) ? undefined : BigInt(decimal).toString(16)

/**
 * The JSON document of a part. etcdctl prints it on one line; on partial failure its client library also
 * logs JSON lines ({"level":"warn",…}) and plain error lines, all merged by the snippet: those are skipped
 * here and read by errorLines.
 */
function parseJson(p: Part | undefined, what: string): unknown {
  if (!p) throw new ParseError(`output has no "${what}" part`)
  const docs = lines(p.body).filter((l) => /^\s*[[{]/.test(l) && !isLogLine(l))
  const doc = docs[docs.length - 1]
  if (doc === undefined) return undefined
  try {
    return JSON.parse(quoteIds(doc)) as unknown
  } catch (err) {
    throw new ParseError(`${what}: not JSON (${(err as Error).message})`)
  }
}

const isLogLine = (l: string): boolean => /^\s*\{"level":/.test(l)

/** etcdctl's own words for what failed: its plain error lines and the "error" of its JSON log lines. */
function errorLines(p: Part | undefined): string[] {
  if (!p) return []
  const out: string[] = []
  for (const l of lines(p.body)) {
    if (isLogLine(l)) {
      try {
        const j = JSON.parse(l) as Record<string, unknown>
        if (typeof j['error'] === 'string') out.push(j['error'])
      } catch {
        out.push(l)
      }
    } else if (l.trim() !== '' && !/^\s*[[{]/.test(l)) out.push(l.trim())
  }
  return out
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

function sizeOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v.trim())
  return Number.isFinite(n) && n > 0 ? n : undefined
}

export function parseEtcd(stdout: string): Etcd {
  const parts = splitParts(stdout)
  const find = (name: string): Part | undefined => parts.find((p) => p.name === name)
  const ml = parseJson(find('member-list'), 'member-list') ?? {}
  if (!isRecord(ml)) throw new ParseError('member-list: expected an object with "members"')
  const members: EtcdMember[] = (Array.isArray(ml['members']) ? ml['members'] : [])
    .filter(isRecord)
    .map((m) => ({
      id: str(m['ID']) ?? '',
      name: str(m['name']) ?? '',
      peerUrls: strs(m['peerURLs']),
      clientUrls: strs(m['clientURLs']),
      isLearner: m['isLearner'] === true,
    }))
  const header = isRecord(ml['header']) ? ml['header'] : {}
  const st = parseJson(find('endpoint-status'), 'endpoint-status')
  const statuses: EtcdEndpointStatus[] = (Array.isArray(st) ? st : []).filter(isRecord).map((e) => {
    const s = isRecord(e['Status']) ? e['Status'] : {}
    const h = isRecord(s['header']) ? s['header'] : {}
    const out: EtcdEndpointStatus = {
      endpoint: str(e['Endpoint']) ?? '',
      isLearner: s['isLearner'] === true,
      errors: strs(s['errors']),
    }
    const set = <K extends keyof EtcdEndpointStatus>(k: K, v: EtcdEndpointStatus[K] | undefined): void => {
      if (v !== undefined) out[k] = v
    }
    set('memberId', str(h['member_id']))
    set('leader', str(s['leader']))
    set('version', str(s['version']))
    set('dbSize', num(s['dbSize']))
    set('dbSizeInUse', num(s['dbSizeInUse']))
    set('raftTerm', num(s['raftTerm']))
    set('raftIndex', num(s['raftIndex']))
    return out
  })
  const he = parseJson(find('endpoint-health'), 'endpoint-health')
  const health: EtcdEndpointHealth[] = (Array.isArray(he) ? he : []).filter(isRecord).map((h) => ({
    endpoint: str(h['endpoint']) ?? '',
    health: h['health'] === true,
    ...(str(h['took']) !== undefined ? {took: str(h['took']) as string} : {}),
    ...(str(h['error']) !== undefined ? {error: str(h['error']) as string} : {}),
  }))
  const cmdline = find('cmdline')?.body ?? ''
  const config = parts.find((p) => p.name.startsWith('config '))?.body ?? ''
  const quota =
    /--quota-backend-bytes[= ](\d+)/.exec(cmdline)?.[1] ?? /^quota-backend-bytes:\s*(\d+)/m.exec(config)?.[1]
  const etcd: Etcd = {
    members,
    statuses,
    health,
    errors: [
      ...errorLines(find('member-list')),
      ...errorLines(find('endpoint-status')),
      ...errorLines(find('endpoint-health')),
    ],
    peerTls: members.length > 0 && members.every((m) => m.peerUrls.every((u) => u.startsWith('https://'))),
    clientTls:
      members.length > 0 && members.every((m) => m.clientUrls.every((u) => u.startsWith('https://'))),
  }
  const self = str(header['member_id'])
  if (self !== undefined) etcd.self = self
  const cid = str(header['cluster_id'])
  if (cid !== undefined) etcd.clusterId = cid
  const q = sizeOf(quota)
  if (q !== undefined) etcd.quotaBackendBytes = q
  return etcd
}

const CTL = 'ETCDCTL_API=3 etcdctl --command-timeout=5s --dial-timeout=2s'

export const etcd = defineGatherer<Etcd>({
  id: 'etcd',
  description:
    'etcd membership, per-member status (leader, DB size, learners) and health, seen from the local member',
  script: [
    'command -v etcdctl >/dev/null || { echo "etcdctl: command not found" >&2; exit 127; }',
    'pid=$(pgrep -xo etcd) || {',
    `  command -v etcd >/dev/null 2>&1 || exit ${ABSENT_RC}`,
    '  echo "etcd is installed on this node but not running" >&2; exit 1',
    '}',
    'args=$(tr "\\0" " " < /proc/$pid/cmdline)',
    partScript('cmdline', 'echo "$args"'),
    'cfg=$(sed -n "s/.*--config-file[= ]\\([^ ]*\\).*/\\1/p" <<<"$args")',
    '[ -n "$cfg" ] && [ -r "$cfg" ] && { printf \'@@hacheck-part:begin config %s@@\\n\' "$cfg"; grep -vE "(password|key-file|cert-file|token)" "$cfg"; printf \'\\n@@hacheck-part:end %d@@\\n\' $?; }',
    partScript('member-list', `${CTL} member list -w json 2>&1`),
    partScript('endpoint-status', `${CTL} endpoint status --cluster -w json 2>&1`),
    partScript('endpoint-health', `${CTL} endpoint health --cluster -w json 2>&1`),
  ].join('\n'),
  whenAbsent: 'no etcd on this node',
  parse: (out) => parseEtcd(out.stdout),
})
