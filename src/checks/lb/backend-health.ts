import {haproxy, type HaproxyConfig} from '../../facts/haproxy.js'
import {haproxyRuntime} from '../../facts/haproxy-runtime.js'
import {defineNodeCheck, fail, pass, skip, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Backends a frontend sends traffic to (default_backend / use_backend), plus every listen section. */
export function usedBackends(c: HaproxyConfig): string[] {
  const names = new Set<string>()
  for (const f of c.frontends) {
    if (f.kind === 'listen') names.add(f.name)
    if (f.defaultBackend) names.add(f.defaultBackend)
    for (const u of f.useBackends) names.add(u)
  }
  return [...names]
}

/** An HAProxy LB: every used backend has more than one server, every server is health-checked, and UP now. */
export default defineNodeCheck({
  id: 'lb.backend-health',
  title: 'Every LB backend has several health-checked servers, UP now',
  area: 'lb',
  severity: 'critical',
  rationale:
    'A backend server without a health check keeps receiving requests after it died: clients get errors until someone notices. A backend with one server is a single point of failure behind a redundant LB. A server that is DOWN right now is redundancy already spent.',
  params: {minServers: 2},
  roles: ['lb'],
  facts: {},
  optionalFacts: {hap: haproxy, rt: haproxyRuntime},
  evaluate(_f, {minServers}, node, _ctx, {hap, rt}) {
    if (!hap.ok) {
      if (hap.error.code === 'not-applicable') return skip(`no HAProxy on ${node.name}`)
      return {status: 'error', message: hap.error.message, evidence: [ev(node.name, haproxy, hap.error)]}
    }
    const findings: Finding[] = []
    const problems: string[] = []
    const observed: unknown[] = []
    for (const b of usedBackends(hap.value)) {
      const servers = hap.value.servers.filter((s) => s.section === b)
      const active = servers.filter((s) => !s.backup && !s.disabled)
      const sec = hap.value.sections.find(
        (s) => s.name === b && (s.kind === 'backend' || s.kind === 'listen'),
      )
      // The backend's own mode, else the last `defaults` section's (HAProxy's inheritance).
      const defaultsMode = hap.value.sections
        .filter((x) => x.kind === 'defaults')
        .flatMap((x) => x.directives)
        .filter((d) => d.keyword === 'mode')
        .at(-1)?.args[0]
      const mode = sec?.directives.filter((d) => d.keyword === 'mode').at(-1)?.args[0] ?? defaultsMode
      const httpchk = sec?.directives.some((d) => d.keyword === 'option' && d.args[0] === 'httpchk')
      observed.push({
        backend: b,
        servers: servers.map((s) => ({name: s.name, address: s.address, check: s.check, backup: s.backup})),
        httpchk: httpchk ?? false,
      })
      if (active.length < (minServers as number))
        problems.push(
          `backend ${b} has ${active.length} active server(s)${active.length ? ` (${active.map((s) => s.name).join(', ')})` : ''}`,
        )
      const unchecked = servers.filter((s) => !s.check)
      if (unchecked.length)
        problems.push(`backend ${b}: no health check on ${unchecked.map((s) => s.name).join(', ')}`)
      else if (mode !== 'tcp' && !httpchk && servers.length)
        problems.push(`backend ${b}: only a TCP connect check (no option httpchk): a hung app still looks UP`)
    }
    const e = [ev(node.name, haproxy, observed, `>= ${minServers} servers per backend, each with check`)]
    if (rt.ok) {
      const bad = rt.value.servers.filter((s) => !/^UP\b/.test(s.status) || s.status.startsWith('UP '))
      e.push(
        ev(
          node.name,
          haproxyRuntime,
          rt.value.servers.map((s) => ({
            backend: s.backend,
            server: s.server,
            status: s.status,
            check: s.checkStatus ?? null,
          })),
          'every server UP',
        ),
      )
      if (bad.length)
        problems.push(
          `not UP now: ${bad.map((s) => `${s.backend}/${s.server} ${s.status}${s.checkStatus ? ` (${s.checkStatus})` : ''}`).join(', ')}`,
        )
    } else if (rt.error.code !== 'not-applicable') {
      e.push(ev(node.name, haproxyRuntime, rt.error))
      findings.push({
        status: 'error',
        node: node.name,
        message: `${node.name}: could not read HAProxy's server states: ${rt.error.message}`,
        evidence: e,
      })
    }
    if (problems.length) return [fail(`${node.name}: ${problems.join('; ')}`, e, node.name)]
    if (findings.length) return findings
    return pass(
      `${node.name}: ${usedBackends(hap.value)
        .map(
          (b) =>
            `${b} ${hap.value.servers.filter((s) => s.section === b).length} servers checked${rt.ok ? ', all UP' : ''}`,
        )
        .join('; ')}`,
      e,
      node.name,
    )
  },
  remediation: remediation(
    'A backend has too few servers, a server without a health check, or a server that is not UP.',
    'Give every server line `check` (and the backend `option httpchk GET /health` for HTTP, with `inter 2s fall 3 rise 2`), run at least {{minServers}} servers per backend, and bring back the servers that are DOWN (`echo "show stat" | socat stdio UNIX-CONNECT:/run/haproxy/admin.sock`). Reload HAProxy after the change.',
    ['https://docs.haproxy.org/2.6/configuration.html#5.2-check'],
  ),
})
