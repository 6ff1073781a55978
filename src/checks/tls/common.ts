import type {CertInfo, TlsCerts} from '../../facts/tls-certs.js'

/** Leaf certificates (the first of each file that is not a CA). */
export function leaves(certs: TlsCerts): {path: string; cert: CertInfo}[] {
  const out: {path: string; cert: CertInfo}[] = []
  for (const f of certs.files) {
    const leaf = f.certificates.find((c) => !c.ca) ?? f.certificates[0]
    if (leaf) out.push({path: f.path, cert: leaf})
  }
  return out
}

/** RFC 6125-style match: exact, or one left-most wildcard label. */
export function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase()
  const h = host.toLowerCase()
  if (p === h) return true
  if (p.startsWith('*.')) {
    const rest = p.slice(1)
    return h.endsWith(rest) && !h.slice(0, -rest.length).includes('.') && h.length > rest.length
  }
  return false
}

export function certCovers(cert: CertInfo, host: string): boolean {
  const names = cert.sans.length ? cert.sans : cert.subjectCN ? [cert.subjectCN] : []
  return names.some((n) => nameMatches(n, host))
}

export function daysLeft(cert: CertInfo, now: Date): number {
  return Math.floor((Date.parse(cert.notAfter) - now.getTime()) / 86_400_000)
}
