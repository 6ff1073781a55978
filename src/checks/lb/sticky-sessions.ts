import {appSessions} from '../../facts/app-sessions.js'
import {haproxy, type HaproxyConfig} from '../../facts/haproxy.js'
import {nginx, type NginxConfig, type NginxDirective} from '../../facts/nginx.js'
import {defineClusterCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** How an haproxy backend pins clients to one server (cookie insert, stick tables, balance source). */
export function haproxySticky(c: HaproxyConfig): string[] {
  const out: string[] = []
  for (const s of c.sections.filter((x) => x.kind === 'backend' || x.kind === 'listen'))
    for (const d of s.directives) {
      const how =
        d.keyword === 'cookie'
          ? `cookie ${d.args.join(' ')}`
          : d.keyword === 'stick' || d.keyword === 'stick-table'
            ? `${d.keyword} ${d.args.join(' ')}`
            : d.keyword === 'balance' &&
                ['source', 'hdr', 'url_param', 'rdp-cookie'].some((b) => d.args[0]?.startsWith(b))
              ? `balance ${d.args.join(' ')}`
              : undefined
      if (how) out.push(`${s.kind} ${s.name ?? ''}: ${how} (${d.file ?? ''}:${d.line})`)
    }
  return out
}

/** How an nginx upstream pins clients (ip_hash, hash on the client or a cookie, sticky). */
export function nginxSticky(c: NginxConfig): string[] {
  const out: string[] = []
  const walk = (ds: readonly NginxDirective[]): void => {
    for (const d of ds) {
      if (d.name === 'upstream')
        for (const x of d.block ?? [])
          if (
            x.name === 'ip_hash' ||
            x.name === 'sticky' ||
            (x.name === 'hash' && /\$(remote_addr|cookie_|binary_remote_addr)/.test(x.args[0] ?? ''))
          )
            out.push(
              `upstream ${d.args[0] ?? ''}: ${[x.name, ...x.args].join(' ')} (${x.file ?? ''}:${x.line})`,
            )
      if (d.block) walk(d.block)
    }
  }
  walk(c.root)
  return out
}

export default defineClusterCheck({
  id: 'lb.sticky-sessions',
  title: 'The app tier is stateless: sessions are not pinned to one app node',
  area: 'lb',
  severity: 'critical',
  rationale:
    'Sticky sessions at the LB make node-local sessions look like they work: each user always lands on "their" app node. The day that node fails, is drained for a deploy or is evacuated, every user on it is logged out. The app tier is only redundant when its sessions live in a shared, redundant store.',
  params: {},
  roles: ['lb', 'app'],
  facts: {},
  optionalFacts: {app: appSessions, hap: haproxy, ngx: nginx},
  evaluate(nodes) {
    const apps = nodes.filter((n) => n.node.roles.includes('app'))
    const lbs = nodes.filter((n) => n.node.roles.includes('lb'))
    const sticky = lbs.flatMap((n) => [
      ...(n.optional.hap.ok ? haproxySticky(n.optional.hap.value).map((s) => `${n.node.name} ${s}`) : []),
      ...(n.optional.ngx.ok ? nginxSticky(n.optional.ngx.value).map((s) => `${n.node.name} ${s}`) : []),
    ])
    const local: string[] = []
    const shared: string[] = []
    const e = [
      ...lbs.map((n) =>
        ev(
          n.node.name,
          haproxy,
          sticky.filter((s) => s.startsWith(`${n.node.name} `)),
          'no stickiness needed',
        ),
      ),
    ]
    for (const {node, optional} of apps) {
      const f = optional.app
      if (!f.ok) {
        if (f.error.code === 'not-applicable') continue
        return unknown(`${node.name}: ${f.error.message}`, [ev(node.name, appSessions, f.error)])
      }
      e.push(ev(node.name, appSessions, {store: f.value.store, file: f.value.file}, 'a shared session store'))
      ;(f.value.store === 'local' ? local : shared).push(`${node.name} (${f.value.store})`)
    }
    if (local.length === 0 && shared.length === 0)
      return skip(
        'no app node declares its session store (/etc/hacheck/app-sessions.conf): cannot tell whether the apps are stateless',
      )
    if (local.length && sticky.length)
      return fail(
        `sticky sessions (${sticky.join('; ')}) hide node-local sessions on ${local.join(', ')}: losing or draining an app node logs its users out`,
        e,
      )
    if (local.length)
      return fail(
        `sessions are node-local on ${local.join(', ')} while the LB spreads requests: users lose their session whenever they land on another app node`,
        e,
      )
    return pass(
      `sessions in a shared store on ${shared.join(', ')}${sticky.length ? ` (stickiness ${sticky.join('; ')} is then only a cache optimisation)` : ', no stickiness'}`,
      e,
    )
  },
  remediation: remediation(
    'App nodes keep sessions in their own memory, and the LB pins users to them.',
    'Move sessions to a shared, redundant store (Redis with Sentinel, a Memcached list, the database), deploy that on every app node, then remove the stickiness (`cookie … insert` / `stick on` / `balance source` in HAProxy, `ip_hash` / `sticky` in nginx) or keep it only as a cache hint. Until then, drain app nodes slowly and expect logouts.',
    ['docs/checklist.md (also expected: stateless app tier)'],
  ),
})
