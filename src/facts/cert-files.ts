/**
 * cert-files: certificates lying around on a node, wherever a service might
 * load them from (not only what HAProxy/nginx reference): used to find a
 * public certificate that sits on a backend. Only CERTIFICATE blocks are
 * read — never private keys. The system CA bundle (/etc/ssl/certs) is skipped.
 */
import {partScriptFor} from './parts.js'
import {ABSENT_RC, defineGatherer} from './gatherer.js'
import {parseTlsCerts, type TlsCerts} from './tls-certs.js'

export const CERT_DIRS = [
  '/etc/ssl/private',
  '/etc/pki/tls',
  '/etc/haproxy',
  '/etc/nginx',
  '/etc/apache2',
  '/etc/httpd',
  '/etc/letsencrypt/live',
  '/srv',
  '/opt',
  '/var/lib/app',
]

export const certFiles = defineGatherer<TlsCerts>({
  id: 'cert-files',
  description: `PEM certificates found under ${CERT_DIRS.join(' ')} (certificate blocks only, never keys)`,
  command: `sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' <each *.pem *.crt *.cer under ${CERT_DIRS.join(' ')}>`,
  script: [
    'n=0',
    `for c in $(find ${CERT_DIRS.join(' ')} -maxdepth 5 -type f \\( -name '*.pem' -o -name '*.crt' -o -name '*.cer' \\) -size -256k 2>/dev/null | sort | head -n 200); do`,
    '  grep -q -- "-----BEGIN CERTIFICATE-----" "$c" 2>/dev/null || continue; n=$((n+1))',
    `  ${partScriptFor('"$c"', `sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$c"`)}`,
    'done',
    `[ "$n" -gt 0 ] || exit ${ABSENT_RC}`,
  ].join('\n'),
  whenAbsent: 'no certificate file on this node',
  parse: (out) => parseTlsCerts(out.stdout),
})
