import {haproxy, type HaproxyDirective} from '../../facts/haproxy.js'
import {durationMs} from '../../facts/util.js'
import {defineNodeCheck, fail, pass, skip} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {usedBackends} from './backend-health.js'

/** HAProxy's connect/client/server timeouts: set, and short enough that a dead server is given up on quickly. */
export default defineNodeCheck({
  id: 'lb.timeouts',
  title: 'LB timeouts are set and sane',
  area: 'lb',
  severity: 'warning',
  rationale:
    'Without `timeout connect/client/server` HAProxy waits forever (and warns at start): a dead backend holds client connections until they give up. A connect timeout of many seconds turns every failover into a long stall for the requests sent to the dead server.',
  params: {maxConnectMs: 5000, maxServerMs: 300_000},
  roles: ['lb'],
  facts: {},
  optionalFacts: {hap: haproxy},
  evaluate(_f, {maxConnectMs, maxServerMs}, node, _ctx, {hap}) {
    if (!hap.ok) {
      if (hap.error.code === 'not-applicable') return skip(`no HAProxy on ${node.name}`)
      return {status: 'error', message: hap.error.message, evidence: [ev(node.name, haproxy, hap.error)]}
    }
    const c = hap.value
    const defaults = c.sections.filter((s) => s.kind === 'defaults').flatMap((s) => s.directives)
    const timeout = (ds: readonly HaproxyDirective[], which: string): string | undefined =>
      ds.filter((d) => d.keyword === 'timeout' && d.args[0] === which).at(-1)?.args[1]
    const problems: string[] = []
    const observed: Record<string, unknown> = {}
    for (const b of usedBackends(c)) {
      const own =
        c.sections.find((s) => s.name === b && (s.kind === 'backend' || s.kind === 'listen'))?.directives ??
        []
      const connect = timeout(own, 'connect') ?? timeout(defaults, 'connect')
      const server = timeout(own, 'server') ?? timeout(defaults, 'server')
      observed[b] = {connect: connect ?? null, server: server ?? null}
      const cms = durationMs(connect, 'ms')
      const sms = durationMs(server, 'ms')
      if (cms === undefined) problems.push(`${b}: no timeout connect`)
      else if (cms > (maxConnectMs as number))
        problems.push(`${b}: timeout connect ${connect} > ${(maxConnectMs as number) / 1000}s`)
      if (sms === undefined) problems.push(`${b}: no timeout server`)
      else if (sms > (maxServerMs as number))
        problems.push(`${b}: timeout server ${server} > ${(maxServerMs as number) / 1000}s`)
    }
    const client =
      timeout(defaults, 'client') ??
      c.sections
        .filter((s) => s.kind === 'frontend')
        .map((s) => timeout(s.directives, 'client'))
        .find((x) => x)
    observed['client'] = client ?? null
    if (!client) problems.push('no timeout client')
    const e = [
      ev(
        node.name,
        haproxy,
        observed,
        `timeout connect <= ${(maxConnectMs as number) / 1000}s, server <= ${(maxServerMs as number) / 1000}s, client set`,
      ),
    ]
    return problems.length
      ? fail(`${node.name}: ${problems.join('; ')}`, e, node.name)
      : pass(`${node.name}: timeouts set and within limits`, e, node.name)
  },
  remediation: remediation(
    'HAProxy timeouts are missing or too long.',
    'Set in `defaults`: `timeout connect 5s`, `timeout client 30s`, `timeout server 30s` (longer only for backends that need it, e.g. websockets with `timeout tunnel`), plus `timeout check` for slow health checks; reload HAProxy.',
    ['https://docs.haproxy.org/2.6/configuration.html#4-timeout%20connect'],
  ),
})
