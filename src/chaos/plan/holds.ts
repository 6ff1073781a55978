/**
 * Verify steps judged on the controller from facts parsed by src/facts/ (the
 * one parser per tool), never by grepping a tool's output on the node: the
 * step's script prints the tool's output, and `holds` says what must be true
 * of it. Plain data, so the ledger stores it and `chaos revert` replays the
 * same check. Pure.
 */
import {parseCrmMon} from '../../facts/crm-mon.js'
import {parseShowStat} from '../../facts/haproxy-runtime.js'
import {parseIpAddr} from '../../facts/ip-addr.js'
import {parseQdiscsStrict} from '../../facts/tc-qdisc.js'

export type Holds =
  /** crm_mon XML (src/facts/crm-mon.ts): the node's state. */
  | {fact: 'crm-mon'; node: string; standby?: boolean; online?: boolean; resourcesRunning?: number}
  /** `ip -j addr show dev IF` (src/facts/ip-addr.ts): the link's administrative state. */
  | {fact: 'ip-addr'; ifname: string; up: boolean}
  /** `tc -j qdisc show dev IF` (src/facts/tc-qdisc.ts): whether the qdisc with this handle is its root. */
  | {fact: 'tc-qdisc'; dev: string; handle: string; kind: string; root: boolean}
  /**
   * HAProxy's `show stat` (src/facts/haproxy-runtime.ts): with `is`, every server's status starts with one of
   * `status` (MAINT, or MAINT (via be/srv)); without, none does.
   */
  | {fact: 'haproxy-stat'; servers: {backend: string; server: string}[]; status: string[]; is: boolean}

/** The script whose output a `holds` check reads. */
export const CRM_MON_XML = 'crm_mon -1 --output-as=xml'

export function ipAddrScript(ifname: string, quote: (s: string) => string): string {
  return `ip -j addr show dev ${quote(ifname)}`
}

export function tcQdiscScript(dev: string, quote: (s: string) => string): string {
  return `tc -j qdisc show dev ${quote(dev)}`
}

/** Whether `stdout` (the step's output) shows what `h` asks for; why not, in words. */
export function judgeHolds(h: Holds, stdout: string): {ok: true} | {ok: false; why: string} {
  try {
    switch (h.fact) {
      case 'crm-mon': {
        const n = parseCrmMon(stdout).nodes.find((x) => x.name === h.node)
        if (!n) return {ok: false, why: `crm_mon does not list node ${h.node}`}
        const wrong: string[] = []
        if (h.standby !== undefined && n.standby !== h.standby) wrong.push(`standby=${String(n.standby)}`)
        if (h.online !== undefined && n.online !== h.online) wrong.push(`online=${String(n.online)}`)
        if (h.resourcesRunning !== undefined && n.resourcesRunning !== h.resourcesRunning)
          wrong.push(`resources_running=${String(n.resourcesRunning)}`)
        return wrong.length
          ? {ok: false, why: `crm_mon shows ${h.node} with ${wrong.join(', ')}`}
          : {ok: true}
      }
      case 'ip-addr': {
        const i = parseIpAddr(stdout).find((x) => x.ifname === h.ifname)
        if (!i) return {ok: false, why: `ip addr does not list ${h.ifname}`}
        return i.up === h.up ? {ok: true} : {ok: false, why: `${h.ifname} is ${i.up ? 'up' : 'down'}`}
      }
      case 'tc-qdisc': {
        // `tc -j qdisc show dev IF` leaves the dev out of its rows (captured: see the unit test).
        const q = parseQdiscsStrict(stdout).find((x) => (x.dev === h.dev || x.dev === '?') && x.root)
        const is = q?.handle === h.handle && q.kind === h.kind
        if (is === h.root) return {ok: true}
        return {ok: false, why: `the root qdisc of ${h.dev} is ${q ? `${q.kind} ${q.handle}` : 'none'}`}
      }
      case 'haproxy-stat':
        return judgeHaproxy(h, stdout)
    }
  } catch (err) {
    return {ok: false, why: `cannot read the output: ${err instanceof Error ? err.message : String(err)}`}
  }
}

function judgeHaproxy(
  h: Extract<Holds, {fact: 'haproxy-stat'}>,
  stdout: string,
): {ok: true} | {ok: false; why: string} {
  const rows = parseShowStat(stdout).servers
  const wrong: string[] = []
  for (const want of h.servers) {
    const name = `${want.backend}/${want.server}`
    const row = rows.find((r) => r.backend === want.backend && r.server === want.server)
    if (!row) {
      wrong.push(`${name} is not listed`)
      continue
    }
    const matches = h.status.some((st) => row.status === st || row.status.startsWith(`${st} `))
    if (matches !== h.is) wrong.push(`${name} is ${row.status || 'without a status'}`)
  }
  return wrong.length ? {ok: false, why: `show stat: ${wrong.join(', ')}`} : {ok: true}
}

/** What the check asks for, for --dry-run and the manual commands. */
export function describeHolds(h: Holds): string {
  switch (h.fact) {
    case 'crm-mon': {
      const parts = [
        ...(h.online !== undefined ? [`online=${String(h.online)}`] : []),
        ...(h.standby !== undefined ? [`standby=${String(h.standby)}`] : []),
        ...(h.resourcesRunning !== undefined ? [`resources_running=${h.resourcesRunning}`] : []),
      ]
      return `crm_mon (src/facts/crm-mon.ts) shows node ${h.node} with ${parts.join(', ')}`
    }
    case 'ip-addr':
      return `ip addr (src/facts/ip-addr.ts) shows ${h.ifname} ${h.up ? 'up' : 'down'}`
    case 'tc-qdisc':
      return `tc qdisc (src/facts/tc-qdisc.ts) shows ${h.root ? '' : 'no '}${h.kind} ${h.handle} as the root qdisc of ${h.dev}`
    case 'haproxy-stat':
      return `show stat (src/facts/haproxy-runtime.ts) shows ${h.servers.map((x) => `${x.backend}/${x.server}`).join(', ')} ${h.is ? '' : 'not '}${h.status.join(' or ')}`
  }
}
