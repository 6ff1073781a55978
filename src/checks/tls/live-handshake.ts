import {tlsCerts} from '../../facts/tls-certs.js'
import {publicHostnames, tlsHandshake} from '../../facts/tls-handshake.js'
import {defineNodeCheck, fail, pass, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'
import {certCovers, daysLeft, leaves} from './common.js'

/** Item 9: a live TLS handshake to each LB shows what clients get: the configured, valid certificate. */
export default defineNodeCheck({
  id: 'tls.live-handshake',
  title: 'A live TLS handshake to each LB presents the configured, valid certificate',
  area: 'tls',
  severity: 'critical',
  rationale:
    'Configuration on disk is not what clients see until the service reloads it: a renewed certificate that was never reloaded still expires in production.',
  params: {minDaysLeft: 30},
  roles: ['lb'],
  facts: {},
  optionalFacts: {hs: tlsHandshake, certs: tlsCerts},
  evaluate(_f, {minDaysLeft}, node, ctx, {hs, certs}) {
    if (!hs.ok) {
      if (hs.error.code === 'not-installed')
        return unknown('openssl is not installed on the controller', [ev(node.name, tlsHandshake, hs.error)])
      return fail(`no TLS handshake with ${node.host}:443: ${hs.error.message}`, [
        ev(node.name, tlsHandshake, hs.error, 'a certificate'),
      ])
    }
    const leaf = hs.value.certificates[0]
    if (!leaf) return fail('the handshake presented no certificate')
    const names = publicHostnames(ctx.inventory)
    const onDisk = certs.ok ? leaves(certs.value).map((l) => l.cert.fingerprint256) : []
    const e = [
      ev(
        node.name,
        tlsHandshake,
        {
          cn: leaf.subjectCN,
          sans: leaf.sans,
          notAfter: leaf.notAfter,
          sha256: leaf.fingerprint256.slice(0, 23),
        },
        'the certificate configured on the LB, valid',
      ),
    ]
    const problems: string[] = []
    const d = daysLeft(leaf, ctx.now)
    if (d < (minDaysLeft as number))
      problems.push(
        d < 0
          ? `presented certificate expired ${leaf.notAfter.slice(0, 10)}`
          : `presented certificate expires in ${d} days`,
      )
    for (const h of names)
      if (!certCovers(leaf, h)) problems.push(`presented certificate does not cover ${h}`)
    if (onDisk.length && !onDisk.includes(leaf.fingerprint256))
      problems.push('presented certificate differs from the one configured on disk (not reloaded?)')
    if (problems.length) return fail(problems.join('; '), e)
    return pass(
      `presents ${leaf.subjectCN ?? leaf.sans[0]}, ${d} days left${onDisk.length ? ', same as on disk' : ''}`,
      e,
    )
  },
  remediation: remediation(
    'Clients are served a certificate that is not the configured, valid one.',
    'Reload the LB after installing certificates (`systemctl reload haproxy` / `nginx -s reload`), check with `openssl s_client -connect <lb>:443 -servername <host> </dev/null | openssl x509 -noout -dates -subject`.',
    ['openssl-s_client(1)'],
  ),
})
