/**
 * haproxy-runtime: HAProxy's live view of its servers, `show stat` on its runtime API (the admin/stats
 * socket named by `stats socket PATH` in /etc/haproxy/haproxy.cfg), through socat. Read-only.
 *
 * `show stat` prints CSV: a header line `# pxname,svname,qcur,…,status,…,check_status,…` then one line per
 * frontend, server and backend. A server's `status` is UP, DOWN, MAINT, DRAIN, NOLB, `UP 1/2` (going down),
 * `DOWN 1/2` (coming up), or `no check` when it is not health-checked.
 *
 * Outcomes: no socat → not-installed; no haproxy.cfg or no `stats socket` line → ABSENT_RC; the socket
 * does not answer (HAProxy not running) → exit 1.
 */
import {ABSENT_RC, defineGatherer, ParseError} from './gatherer.js'
import {lines} from './util.js'

export interface HaproxyServerState {
  backend: string
  server: string
  status: string
  /** Layer-7/4 check result (L7OK, L4CON, …), when checked. */
  checkStatus?: string
  weight?: number
  /** Seconds since the last status change. */
  lastChangeS?: number
  /** Total checks that failed / status changes to DOWN. */
  checkFails?: number
  downs?: number
  /** Current sessions. */
  sessions?: number
}

export interface HaproxyRuntime {
  servers: HaproxyServerState[]
  /** Backends (pxname → status line of the BACKEND row). */
  backends: Record<string, string>
}

const num = (v: string | undefined): number | undefined =>
  v === undefined || v === '' ? undefined : Number(v)

export function parseShowStat(text: string): HaproxyRuntime {
  const ls = lines(text).filter((l) => l.trim() !== '')
  const head = ls[0]
  if (!head?.startsWith('# ')) throw new ParseError('show stat: expected a "# pxname,svname,…" header line')
  const cols = head.slice(2).split(',')
  const at = (name: string): number => cols.indexOf(name)
  for (const c of ['pxname', 'svname', 'status'])
    if (at(c) < 0) throw new ParseError(`show stat: no ${c} column`)
  const out: HaproxyRuntime = {servers: [], backends: {}}
  for (const l of ls.slice(1)) {
    const f = l.split(',')
    const get = (c: string): string | undefined => (at(c) >= 0 ? f[at(c)] : undefined)
    const px = get('pxname') ?? ''
    const sv = get('svname') ?? ''
    if (sv === 'FRONTEND') continue
    if (sv === 'BACKEND') {
      out.backends[px] = get('status') ?? ''
      continue
    }
    const s: HaproxyServerState = {backend: px, server: sv, status: get('status') ?? ''}
    const set = <K extends keyof HaproxyServerState>(k: K, v: HaproxyServerState[K] | undefined): void => {
      if (v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) s[k] = v
    }
    set('checkStatus', get('check_status') || undefined)
    set('weight', num(get('weight')))
    set('lastChangeS', num(get('lastchg')))
    set('checkFails', num(get('chkfail')))
    set('downs', num(get('chkdown')))
    set('sessions', num(get('scur')))
    out.servers.push(s)
  }
  return out
}

export const haproxyRuntime = defineGatherer<HaproxyRuntime>({
  id: 'haproxy-runtime',
  command: 'echo "show stat" | socat stdio UNIX-CONNECT:<stats socket of haproxy.cfg>',
  description: "HAProxy's live server states (`show stat` on its runtime API socket)",
  script: [
    `s=$(awk '$1=="stats" && $2=="socket" {print $3; exit}' /etc/haproxy/haproxy.cfg 2>/dev/null)`,
    `[ -n "$s" ] || exit ${ABSENT_RC}`,
    's=${s#unix@}',
    'echo "show stat" | socat -t 2 stdio "UNIX-CONNECT:$s"',
  ].join('\n'),
  requires: ['socat'],
  whenAbsent: 'no HAProxy with a `stats socket` on this node',
  parse: (out) => parseShowStat(out.stdout),
})

/** HAProxy's runtime API `show servers state` → rows {backend, server, address, admin state bits} (pure; chaos lb-drain finds an app node's servers with it). */
export function parseServersState(
  text: string,
): {backend: string; server: string; address: string; admin: number}[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const head = lines.find((l) => l.startsWith('# '))
  if (!head) return []
  const cols = head.slice(2).trim().split(/\s+/)
  const at = (c: string): number => cols.indexOf(c)
  return lines
    .filter((l) => !l.startsWith('#') && /\s/.test(l.trim()))
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= cols.length - 2)
    .map((f) => ({
      backend: f[at('be_name')] ?? '',
      server: f[at('srv_name')] ?? '',
      address: f[at('srv_addr')] ?? '',
      admin: Number(f[at('srv_admin_state')] ?? 0),
    }))
}
