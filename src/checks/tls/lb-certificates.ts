import type {Evidence} from '../../core/results.js'
import {haproxy} from '../../facts/haproxy.js'
import {nginx} from '../../facts/nginx.js'
import {tlsCerts} from '../../facts/tls-certs.js'
import {publicHostnames} from '../../facts/tls-handshake.js'
import {defineClusterCheck, fail, pass, type Finding} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {certCovers, daysLeft, leaves} from './common.js'

/**
 * Item 9: the public certificates live on the LB nodes (haproxy `bind … ssl
 * crt`, nginx `ssl_certificate`), are valid for the public hostname(s), do not
 * expire within minDaysLeft days, and are identical on every LB.
 */
export default defineClusterCheck({
  id: 'tls.lb-certificates',
  title: 'TLS certificates on the load balancers are valid, current and identical',
  area: 'tls',
  severity: 'critical',
  rationale:
    'After a failover between LBs, clients must get the same valid certificate: an LB with an older, expiring or wrong-name certificate turns a failover into an outage for every browser and API client.',
  params: {minDaysLeft: 30, hostnames: [] as string[]},
  roles: ['lb'],
  facts: {},
  optionalFacts: {certs: tlsCerts, hap: haproxy, ngx: nginx},
  evaluate(nodes, {minDaysLeft, hostnames}, ctx) {
    const names = (hostnames as string[]).length ? (hostnames as string[]) : publicHostnames(ctx.inventory)
    const findings: Finding[] = []
    const fingerprints = new Map<string, string[]>()
    const allEvidence: Evidence[] = []
    for (const {node, optional} of nodes) {
      const {certs, hap, ngx} = optional
      const tlsBinds =
        (hap.ok ? hap.value.binds.filter((b) => b.ssl).length : 0) +
        (ngx.ok ? ngx.value.servers.filter((s) => s.tls).length : 0)
      if (!certs.ok) {
        const e = [
          ev(node.name, tlsCerts, certs.error, 'certificates referenced by a TLS bind'),
          ...(hap.ok
            ? [
                ev(
                  node.name,
                  haproxy,
                  hap.value.binds.map((b) => ({addresses: b.addresses, ssl: b.ssl})),
                ),
              ]
            : []),
        ]
        findings.push(
          certs.error.code === 'not-applicable' || certs.error.code === 'not-installed'
            ? fail(
                `no TLS termination on ${node.name}: no certificate referenced by HAProxy or nginx${tlsBinds ? '' : ' (no TLS bind)'}`,
                e,
                node.name,
              )
            : {status: 'error', message: certs.error.message, evidence: e, node: node.name},
        )
        continue
      }
      const ls = leaves(certs.value)
      fingerprints.set(node.name, ls.map((l) => l.cert.fingerprint256).sort())
      const observed = ls.map((l) => ({
        path: l.path,
        cn: l.cert.subjectCN,
        sans: l.cert.sans,
        notAfter: l.cert.notAfter,
        daysLeft: daysLeft(l.cert, ctx.now),
        sha256: l.cert.fingerprint256.slice(0, 23),
      }))
      const e = [
        ev(
          node.name,
          tlsCerts,
          observed,
          `valid ${names.length ? `for ${names.join(', ')}` : ''}, > ${minDaysLeft} days left`,
        ),
      ]
      allEvidence.push(...e)
      const broken = certs.value.files.filter((f) => f.error)
      const problems: string[] = broken.map((f) => `${f.path}: ${f.error}`)
      for (const l of ls) {
        const d = daysLeft(l.cert, ctx.now)
        if (d < 0) problems.push(`${l.path} expired on ${l.cert.notAfter.slice(0, 10)}`)
        else if (d < (minDaysLeft as number))
          problems.push(`${l.path} expires in ${d} days (${l.cert.notAfter.slice(0, 10)})`)
        if (Date.parse(l.cert.notBefore) > ctx.now.getTime())
          problems.push(`${l.path} is not valid before ${l.cert.notBefore}`)
      }
      for (const h of names)
        if (!ls.some((l) => certCovers(l.cert, h))) problems.push(`no certificate covers ${h}`)
      findings.push(
        problems.length
          ? fail(problems.join('; '), e, node.name)
          : pass(
              `${ls.length} certificate(s) valid${names.length ? ` for ${names.join(', ')}` : ''}, ${Math.min(...ls.map((l) => daysLeft(l.cert, ctx.now)))} days left`,
              e,
              node.name,
            ),
      )
    }
    if (fingerprints.size >= 2) {
      const distinct = new Set([...fingerprints.values()].map((f) => f.join(',')))
      findings.push(
        distinct.size === 1
          ? pass(`the same certificate(s) on ${[...fingerprints.keys()].join(', ')}`, allEvidence)
          : fail(
              `the LBs present different certificates: ${[...fingerprints].map(([n, f]) => `${n} ${f.map((x) => x.slice(0, 11)).join('+')}`).join(' vs ')}`,
              allEvidence,
            ),
      )
    }
    return findings
  },
  remediation: remediation(
    'A load balancer has no certificate, a wrong-name or expiring one, or not the same one as its peer.',
    'Deploy the same certificate and chain to every LB (same file, same fingerprint) from one source of truth (e.g. your ACME client or config management), reload HAProxy (`systemctl reload haproxy`) or nginx, and renew at least {{minDaysLeft}} days before expiry.',
    ['haproxy bind crt', 'nginx ssl_certificate', 'RFC 6125 (host name matching)'],
  ),
})
