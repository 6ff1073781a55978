/**
 * Profile web at run time: who holds the VIP (keepalived), and whether the LB
 * pair is ready to serve (exactly one VIP holder, or two under vrrp-split; TLS
 * answering on the VIP).
 */
import {inNode} from './nodes.js'
import type {LabSpec} from './render.js'
import {VIP} from './topology.js'

/** LB nodes that have the VIP on an interface now (`ip -o addr`, inside each node). */
export async function vipHolders(spec: LabSpec): Promise<string[]> {
  const lbs = spec.nodes.filter((n) => n.roles.includes('lb'))
  const held = await Promise.all(
    lbs.map(async (n) => {
      const r = await inNode(spec, n, ['ip', '-o', '-4', 'addr', 'show'], {timeoutMs: 5000})
      return r.exitCode === 0 && new RegExp(`\\sinet ${VIP.replace(/\./g, '\\.')}/`).test(r.stdout)
    }),
  )
  return lbs.filter((_, i) => held[i]).map((n) => n.name)
}

/** undefined when the LB pair serves as configured, else what is still missing. */
export async function webNotReady(
  spec: LabSpec,
  tlsSubject: (host: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  const holders = await vipHolders(spec)
  const want = spec.variants.includes('vrrp-split') ? 2 : 1
  if (holders.length !== want)
    return `the VIP ${VIP} is on ${holders.length ? holders.join(', ') : 'no LB'} (keepalived: want ${want} holder${want > 1 ? 's' : ''})`
  if (!(await tlsSubject(VIP))) return `TLS on the VIP ${VIP}:443 not answering`
  return undefined
}
