/**
 * tls-handshake: what a client sees. From the controller, a TLS handshake to
 * an LB node's port 443 (with SNI when the inventory names the public
 * hostname), printing the presented chain. Nothing but a handshake is sent.
 */
import type {Inventory, NodeSpec} from '../core/types.js'
import {defineGatherer, ParseError} from './gatherer.js'
import {parsePemCertificates, type CertInfo} from './tls-certs.js'

/** Public hostnames declared in the inventory (cluster.tls.hostnames, else the service URL's host name). */
export function publicHostnames(inv: Inventory): string[] {
  const tls = inv.cluster['tls'] as {hostnames?: string[]} | undefined
  if (tls?.hostnames?.length) return tls.hostnames
  const url = (inv.cluster['service'] as {url?: string} | undefined)?.url
  const host = url ? /^\w+:\/\/\[?([^/:\]]+)/.exec(url)?.[1] : undefined
  return host && !/^[\d.]+$/.test(host) && !host.includes(':') ? [host] : []
}

export interface Handshake {
  port: number
  sni?: string
  certificates: CertInfo[]
}

export function parseHandshake(stdout: string, port: number, sni?: string): Handshake {
  const certificates = parsePemCertificates(stdout)
  if (certificates.length === 0) throw new ParseError('no certificate presented in the handshake')
  return {port, sni, certificates}
}

const PORT = 443

export const tlsHandshake = defineGatherer<Handshake>({
  id: 'tls-handshake',
  description:
    'The certificate an LB presents to clients (openssl s_client to port 443, from the controller)',
  script: 'openssl s_client -connect <lb>:443 -servername <hostname> -showcerts </dev/null',
  requires: ['openssl'],
  controller: (node: NodeSpec, inv: Inventory) => {
    if (!node.roles.includes('lb')) return {notApplicable: `${node.name} is not a load balancer`}
    const sni = publicHostnames(inv)[0]
    return {
      argv: [
        'openssl',
        's_client',
        '-connect',
        `${node.host}:${PORT}`,
        ...(sni ? ['-servername', sni] : []),
        '-showcerts',
        '-verify_quiet',
      ],
    }
  },
  parse: (out) => parseHandshake(out.stdout, PORT),
})
