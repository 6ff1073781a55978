/**
 * tls-certs: the certificates the load balancer serves, read on the node.
 *
 * The snippet finds the certificate paths the way the LB would: every `crt` /
 * `crt-list` of /etc/haproxy/haproxy.cfg and conf.d/*.cfg (relative paths
 * against crt-base; a directory means every file in it; a crt-list names one
 * certificate per line) and every `ssl_certificate` of `nginx -T` (relative to
 * /etc/nginx). For each file it prints ONLY the "BEGIN CERTIFICATE" blocks
 * (HAProxy .pem bundles also hold the private key, which never leaves the
 * node), framed as a part named by the path. Exits ABSENT_RC when no path is
 * found (no TLS on this node).
 *
 * The parser reads the PEM with node:crypto X509Certificate (pure, no openssl
 * on the node): subject CN, SANs, validity, SHA-256 fingerprint, issuer.
 * Known limits of the path discovery: nginx variables in ssl_certificate
 * ($ssl_server_name) and haproxy crt-store/load are not followed.
 */
import {X509Certificate} from 'node:crypto'

import {ABSENT_RC, defineGatherer} from './gatherer.js'
import {partScriptFor, splitParts} from './parts.js'

export interface CertInfo {
  subject: string
  subjectCN?: string
  issuer: string
  issuerCN?: string
  /** DNS names and IP addresses from subjectAltName ("DNS:" / "IP Address:" prefixes removed). */
  sans: string[]
  notBefore: string
  /** ISO 8601. */
  notAfter: string
  /** "AB:CD:…" as openssl prints it. */
  fingerprint256: string
  serialNumber: string
  ca: boolean
  selfSigned: boolean
}

export interface CertFile {
  path: string
  /** In file order: the leaf first in a well-formed chain. */
  certificates: CertInfo[]
  /** Unreadable file or unparseable PEM. */
  error?: string
}

export interface TlsCerts {
  files: CertFile[]
}

function cnOf(dn: string): string | undefined {
  for (const line of dn.split('\n')) {
    const m = /^CN=(.*)$/.exec(line.trim())
    if (m) return m[1]
  }
  return undefined
}

function sansOf(ext: string | undefined): string[] {
  if (!ext) return []
  return ext
    .split(/,\s*/)
    .map((s) => s.replace(/^(DNS|IP Address):/, '').trim())
    .filter((s) => s !== '')
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** Reads every certificate of a PEM text; throws on a block node:crypto cannot read. */
export function parsePemCertificates(pem: string): CertInfo[] {
  return [...pem.matchAll(PEM)].map((m) => {
    const x = new X509Certificate(m[0])
    return {
      subject: x.subject,
      subjectCN: cnOf(x.subject),
      issuer: x.issuer,
      issuerCN: cnOf(x.issuer),
      sans: sansOf(x.subjectAltName),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      fingerprint256: x.fingerprint256,
      serialNumber: x.serialNumber,
      ca: x.ca,
      selfSigned: x.subject === x.issuer && x.checkIssued(x),
    }
  })
}

export function parseTlsCerts(stdout: string): TlsCerts {
  return {
    files: splitParts(stdout).map((p): CertFile => {
      if (p.exitCode !== 0)
        return {path: p.name, certificates: [], error: `not readable (exit ${p.exitCode})`}
      try {
        const certificates = parsePemCertificates(p.body)
        return certificates.length > 0
          ? {path: p.name, certificates}
          : {path: p.name, certificates, error: 'no certificate in file'}
      } catch (err) {
        return {path: p.name, certificates: [], error: err instanceof Error ? err.message : String(err)}
      }
    }),
  }
}

/** Bash: print candidate certificate paths, one per line. */
const FIND_PATHS = [
  'paths() {',
  '  local f base kw p x',
  '  for f in /etc/haproxy/haproxy.cfg /etc/haproxy/conf.d/*.cfg; do',
  '    [ -r "$f" ] || continue',
  `    base=$(sed -n 's/^[[:space:]]*crt-base[[:space:]]\\+\\([^[:space:]#]\\+\\).*/\\1/p' "$f" | tail -n 1)`,
  `    sed 's/#.*//' "$f" | grep -oE '(^|[[:space:]])crt(-list)?[[:space:]]+[^[:space:]]+' | while read -r kw p; do`,
  `      p=\${p//\\"/}; case $p in /*) ;; *) [ -n "$base" ] && p=$base/$p;; esac`,
  `      if [ "$kw" = crt-list ]; then [ -r "$p" ] && sed 's/#.*//' "$p" | awk 'NF{print $1}' | while read -r x; do case $x in /*) echo "$x";; *) echo "\${base:+$base/}$x";; esac; done`,
  '      elif [ -d "$p" ]; then for x in "$p"/*; do [ -f "$x" ] && echo "$x"; done',
  '      else echo "$p"; fi',
  '    done',
  '  done',
  `  command -v nginx >/dev/null 2>&1 && nginx -T 2>/dev/null | sed -n 's/^[[:space:]]*ssl_certificate[[:space:]]\\+\\([^;[:space:]]\\+\\).*/\\1/p' | tr -d "\\"'" | sed 's,^\\([^/$]\\),/etc/nginx/\\1,'`,
  '}',
].join('\n')

export const tlsCerts = defineGatherer<TlsCerts>({
  id: 'tls-certs',
  description:
    'Certificates referenced by HAProxy and nginx on this node (certificate blocks only, never keys)',
  command: `sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' <each certificate named in the HAProxy and nginx configuration>`,
  script: [
    FIND_PATHS,
    'n=0',
    'for c in $(paths | sort -u); do',
    '  [ -f "$c" ] || continue; n=$((n+1))',
    `  ${partScriptFor('"$c"', `sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$c"`)}`,
    'done',
    `[ "$n" -gt 0 ] || exit ${ABSENT_RC}`,
  ].join('\n'),
  whenAbsent: 'no TLS certificate referenced by HAProxy or nginx on this node',
  parse: (out) => parseTlsCerts(out.stdout),
})
