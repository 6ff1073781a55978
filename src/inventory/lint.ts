/**
 * What `inventory validate` checks beyond the file itself: the inventory
 * against the checks that will run on it. A check names the inventory
 * networks it reads in parameters ending in "Network" (publicNetwork: public);
 * a checklist may point them at other names. A network named that way and
 * absent from `networks:` is a warning (the check then falls back, e.g. to the
 * default route, and says so); an inventory network that is a near-miss of the
 * missing name is an error (a typo: the check would read nothing).
 * Also notes roles that no check uses (a site's own roles are allowed).
 */
import type {Inventory} from '../core/types.js'
import {didYouMean} from './messages.js'
import {KNOWN_ROLES} from './roles.js'

export interface LintFinding {
  severity: 'error' | 'warning' | 'note'
  path: string
  message: string
}

export interface CheckUse {
  id: string
  params: Readonly<Record<string, unknown>>
  roles: readonly string[]
}

/** The networks the checks name: network → who reads it, e.g. "heartbeat.separate-interface reads (param publicNetwork)". */
export function networksNamed(checks: readonly CheckUse[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const c of checks)
    for (const [k, v] of Object.entries(c.params))
      if (/Network$/.test(k) && typeof v === 'string' && v !== '')
        out.set(v, [...(out.get(v) ?? []), `${c.id} reads (param ${k})`])
  return out
}

export function lintInventory(inv: Inventory, checks: readonly CheckUse[]): LintFinding[] {
  const findings: LintFinding[] = []
  const defined = Object.keys(inv.networks)
  for (const [net, users] of networksNamed(checks)) {
    if (Object.hasOwn(inv.networks, net)) continue
    const typo = didYouMean(net, defined)
    findings.push(
      typo
        ? {
            severity: 'error',
            path: `networks.${typo}`,
            message: `expected the network name "${net}", which ${users.join(' and ')}, found "${typo}" (did you mean "${net}"?)`,
          }
        : {
            severity: 'warning',
            path: 'networks',
            message: `no network "${net}", which ${users.join(' and ')}; ${defined.length ? `defined: ${defined.join(', ')}` : 'no network is defined'}`,
          },
    )
  }
  const used = new Set([...KNOWN_ROLES, ...checks.flatMap((c) => c.roles)])
  const own = new Map<string, string[]>()
  for (const n of inv.nodes)
    for (const r of n.roles) if (!used.has(r)) own.set(r, [...(own.get(r) ?? []), n.name])
  for (const [role, nodes] of own)
    findings.push({
      severity: 'note',
      path: 'nodes',
      message: `role "${role}" (${nodes.join(', ')}) is used by no check; known roles: ${KNOWN_ROLES.join(', ')}`,
    })
  return findings
}
