/**
 * galera: the wsrep (Galera) state and settings of every MariaDB/MySQL server running on the node, from its
 * own client over its Unix socket (root, unix_socket authentication, like mysql-replica).
 *
 * Per server, two framed parts named `<what> <socket>`:
 * - `status`: SHOW GLOBAL STATUS LIKE 'wsrep%' plus Uptime (cluster status Primary/non-Primary, size, state,
 *   ready/connected, incoming addresses of the members, flow control, queues, replicated/received bytes);
 * - `variables`: SHOW GLOBAL VARIABLES LIKE 'wsrep%' plus version (provider options: gcache.size, pc.weight,
 *   pc.ignore_sb, pc.ignore_quorum; SST method; cluster address). wsrep_sst_auth is printed masked by the
 *   server (********), never in clear.
 *
 * A server without wsrep (wsrep_on OFF, or no wsrep variables) is reported with `wsrepOn: false`.
 * Outcomes: no client → 127 (not-installed); no server running and none installed → ABSENT_RC; installed but
 * not running → exit 1 with that sentence.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {MYSQL_SOCKETS_SCRIPT} from './mysql-replica.js'
import {partScriptFor, splitParts} from './parts.js'
import {dict, lines, toBool, toInt, toNum} from './util.js'

export interface GaleraServer {
  socket: string
  /** The client's own words when a statement could not run. */
  error?: string
  version?: string
  wsrepOn: boolean
  /** Primary | non-Primary | Disconnected. */
  clusterStatus?: string
  clusterSize?: number
  clusterStateUuid?: string
  /** wsrep_local_state_comment: Synced, Donor/Desynced, Joining, Joined, Initialized… */
  localState?: string
  ready?: boolean
  connected?: boolean
  /** wsrep_incoming_addresses: the client address of every member of this node's component. */
  incomingAddresses: string[]
  /** wsrep_cluster_conf_id: the view number. */
  confId?: number
  nodeName?: string
  nodeAddress?: string
  clusterName?: string
  /** wsrep_cluster_address without gcomm://, split on commas. */
  clusterAddress: string[]
  /** Fraction of time paused by flow control since the last FLUSH STATUS (0..1). */
  flowControlPaused?: number
  flowControlSent?: number
  recvQueue?: number
  recvQueueAvg?: number
  sendQueueAvg?: number
  replicatedBytes?: number
  receivedBytes?: number
  uptimeS?: number
  sstMethod?: string
  /** wsrep_provider_options as key → value. */
  providerOptions: Record<string, string>
  gcacheBytes?: number
  pcWeight?: number
  ignoreSb?: boolean
  ignoreQuorum?: boolean
  /** Every status and variable as printed. */
  status: Record<string, string>
  variables: Record<string, string>
}

export interface Galera {
  servers: GaleraServer[]
}

/** Tab-separated `name\tvalue` lines of `mysql -B -N`. */
export function parseNameValue(text: string): Record<string, string> {
  const out = dict<string>()
  for (const l of lines(text)) {
    const i = l.indexOf('\t')
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1)
  }
  return out
}

/** wsrep_provider_options: `key = value; key = value; …` (values never contain "; "). */
export function parseProviderOptions(text: string | undefined): Record<string, string> {
  const out = dict<string>()
  for (const item of (text ?? '').split(/;\s*/)) {
    const i = item.indexOf('=')
    if (i <= 0) continue
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim()
  }
  return out
}

const SIZE_UNITS: Record<string, number> = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4}

/** A Galera size ("128M", "1G", "134217728") in bytes; undefined when unreadable. */
export function galeraSize(v: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$/i.exec(v ?? '')
  if (!m) return undefined
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1))
}

function server(socket: string, status: Record<string, string>, vars: Record<string, string>): GaleraServer {
  const opts = parseProviderOptions(vars['wsrep_provider_options'])
  const list = (v: string | undefined): string[] =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== 'AUTO')
  const s: GaleraServer = {
    socket,
    wsrepOn: toBool(vars['wsrep_on']) === true,
    incomingAddresses: list(status['wsrep_incoming_addresses']),
    clusterAddress: list(
      (vars['wsrep_cluster_address'] ?? '').replace(/^gcomm:\/\//, '').replace(/\?.*$/, ''),
    ),
    providerOptions: opts,
    status,
    variables: vars,
  }
  const set = <K extends keyof GaleraServer>(k: K, v: GaleraServer[K] | undefined): void => {
    if (v !== undefined) s[k] = v
  }
  set('version', vars['version'])
  set('clusterStatus', status['wsrep_cluster_status'])
  set('clusterSize', toInt(status['wsrep_cluster_size']))
  set('clusterStateUuid', status['wsrep_cluster_state_uuid'])
  set('localState', status['wsrep_local_state_comment'])
  set('ready', toBool(status['wsrep_ready']))
  set('connected', toBool(status['wsrep_connected']))
  set('confId', toInt(status['wsrep_cluster_conf_id']))
  set('nodeName', vars['wsrep_node_name'])
  set('nodeAddress', vars['wsrep_node_address'])
  set('clusterName', vars['wsrep_cluster_name'])
  set('flowControlPaused', toNum(status['wsrep_flow_control_paused']))
  set('flowControlSent', toInt(status['wsrep_flow_control_sent']))
  set('recvQueue', toInt(status['wsrep_local_recv_queue']))
  set('recvQueueAvg', toNum(status['wsrep_local_recv_queue_avg']))
  set('sendQueueAvg', toNum(status['wsrep_local_send_queue_avg']))
  set('replicatedBytes', toInt(status['wsrep_replicated_bytes']))
  set('receivedBytes', toInt(status['wsrep_received_bytes']))
  set('uptimeS', toInt(status['Uptime']))
  set('sstMethod', vars['wsrep_sst_method'])
  set('gcacheBytes', galeraSize(opts['gcache.size']))
  set('pcWeight', toInt(opts['pc.weight']))
  set('ignoreSb', toBool(opts['pc.ignore_sb']))
  set('ignoreQuorum', toBool(opts['pc.ignore_quorum']))
  return s
}

export function parseGalera(stdout: string): Galera {
  const bySocket = new Map<
    string,
    {status: Record<string, string>; vars: Record<string, string>; error?: string}
  >()
  for (const p of splitParts(stdout)) {
    const m = /^(status|variables) (.+)$/.exec(p.name)
    if (!m) continue
    const sock = m[2] ?? ''
    const e = bySocket.get(sock) ?? {status: dict<string>(), vars: dict<string>()}
    bySocket.set(sock, e)
    if (p.exitCode !== 0) {
      e.error ??= `${m[1] ?? ''}: ${lines(p.body).join(' ').trim() || `mysql exited ${p.exitCode ?? 'without a status'}`}`
      continue
    }
    if (m[1] === 'status') e.status = parseNameValue(p.body)
    else e.vars = parseNameValue(p.body)
  }
  if (bySocket.size === 0) throw new ParseError('no MySQL/MariaDB server in the output')
  return {
    servers: [...bySocket.entries()].map(([sock, e]) => {
      const s = server(sock, e.status, e.vars)
      if (e.error !== undefined) s.error = e.error
      return s
    }),
  }
}

const STATUS = "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'wsrep%' OR Variable_name = 'Uptime'"
const VARS = "SHOW GLOBAL VARIABLES WHERE Variable_name LIKE 'wsrep%' OR Variable_name = 'version'"

export const galera = defineGatherer<Galera>({
  id: 'galera',
  description: 'Galera (wsrep) status and settings of every running MariaDB/MySQL server',
  script: [
    ...MYSQL_SOCKETS_SCRIPT,
    'for k in $s; do',
    '  c="$m --connect-timeout=5 -S $k -B -N"',
    `  ${partScriptFor('"status $k"', `$c -e "${STATUS}" 2>&1`)}`,
    `  ${partScriptFor('"variables $k"', `$c -e "${VARS}" 2>&1`)}`,
    'done',
  ].join('\n'),
  whenAbsent: 'no MySQL/MariaDB server on this node',
  parse: (out) => parseGalera(out.stdout),
})
