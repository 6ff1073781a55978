import {certFiles} from '../../facts/cert-files.js'
import {tlsCerts} from '../../facts/tls-certs.js'
import {publicHostnames} from '../../facts/tls-handshake.js'
import {defineClusterCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {certCovers, leaves} from './common.js'

/**
 * Item 9: the public certificate is not on backend (app) nodes. Public names
 * are the inventory's (cluster.tls.hostnames or the service URL), plus the
 * names on the LBs' own certificates.
 */
export default defineClusterCheck({
  id: 'tls.not-on-backends',
  title: 'The public certificate is not on backend nodes',
  area: 'tls',
  severity: 'critical',
  rationale:
    "TLS for public names belongs at the LB tier: a public key on every backend multiplies where it can leak, and a backend that terminates TLS itself bypasses the LB tier's policy and certificate rotation.",
  params: {},
  roles: ['lb', 'app'],
  facts: {},
  optionalFacts: {lbCerts: tlsCerts, files: certFiles},
  appliesTo(ctx) {
    return ctx.inventory.nodes.some((n) => n.roles.includes('app'))
      ? true
      : 'no node has role app (no backend tier in the inventory)'
  },
  evaluate(nodes, _p, ctx) {
    const names = new Set(publicHostnames(ctx.inventory))
    for (const {node, optional} of nodes) {
      if (node.roles.includes('lb') && optional.lbCerts.ok)
        for (const l of leaves(optional.lbCerts.value)) for (const s of l.cert.sans) names.add(s)
    }
    if (names.size === 0)
      return skip(
        'no public hostname known: set cluster.tls.hostnames in the inventory (or put certificates on the LBs)',
      )
    const backends = nodes.filter(({node}) => node.roles.includes('app') && !node.roles.includes('lb'))
    const offenders: string[] = []
    const evidence = []
    for (const {node, optional} of backends) {
      const f = optional.files
      if (!f.ok) {
        if (f.error.code === 'not-applicable') {
          evidence.push(
            ev(node.name, certFiles, 'no certificate file', 'no certificate for the public names'),
          )
          continue
        }
        return unknown(`${node.name}: ${f.error.message}`, [ev(node.name, certFiles, f.error)])
      }
      const hits = leaves(f.value).filter((l) => [...names].some((h) => certCovers(l.cert, h)))
      evidence.push(
        ev(
          node.name,
          certFiles,
          leaves(f.value).map((l) => ({path: l.path, cn: l.cert.subjectCN, sans: l.cert.sans})),
          `no certificate for ${[...names].join(', ')}`,
        ),
      )
      if (hits.length) offenders.push(`${node.name} (${hits.map((h) => h.path).join(', ')})`)
    }
    if (offenders.length)
      return fail(`public certificate found on backend node(s): ${offenders.join('; ')}`, evidence)
    return pass(`no certificate for ${[...names].join(', ')} on ${backends.length} backend node(s)`, evidence)
  },
  remediation: remediation(
    'A certificate for the public hostname (and probably its private key) sits on a backend node.',
    'Terminate TLS on the LB tier only: move the certificate to the LBs (`bind :443 ssl crt …`), have the LBs talk to the backends over plain HTTP on a private network (or re-encrypt with an internal CA), then delete the public key and certificate from the backends and rotate the key if it may have leaked.',
    ['docs/checklist.md item 9'],
  ),
})
