/**
 * ip-route: the main IPv4 and IPv6 routing tables from `ip -j route` and
 * `ip -j -6 route` (two framed parts), plus the interface(s) of the default
 * route: the public/production side that heartbeat links must not share.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {partScript, requirePart, splitParts} from './parts.js'
import {isRecord, num, str} from './util.js'

export interface IpRoute {
  family: 'inet' | 'inet6'
  /** "default" or a prefix like "198.18.2.0/24". */
  dst: string
  gateway?: string
  dev?: string
  protocol?: string
  scope?: string
  prefsrc?: string
  metric?: number
  /** ECMP routes: one hop per nexthop. */
  nexthops: {gateway?: string; dev?: string; weight?: number}[]
}

export interface IpRoutes {
  routes: IpRoute[]
  /** Interfaces of the default routes (IPv4 first), deduplicated. */
  defaultDevs: string[]
}

export function parseIpRouteJson(text: string, family: 'inet' | 'inet6'): IpRoute[] {
  if (text.trim() === '') return []
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new ParseError(`ip -j route: not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (!Array.isArray(doc)) throw new ParseError('ip -j route: expected a JSON array')
  return doc.filter(isRecord).map((r) => ({
    family,
    dst: str(r['dst']) ?? '',
    gateway: str(r['gateway']),
    dev: str(r['dev']),
    protocol: str(r['protocol']),
    scope: str(r['scope']),
    prefsrc: str(r['prefsrc']),
    metric: num(r['metric']),
    nexthops: (Array.isArray(r['nexthops']) ? r['nexthops'].filter(isRecord) : []).map((h) => ({
      gateway: str(h['gateway']),
      dev: str(h['dev']),
      weight: num(h['weight']),
    })),
  }))
}

export function defaultDevsOf(routes: readonly IpRoute[]): string[] {
  const devs = routes
    .filter((r) => r.dst === 'default')
    .flatMap((r) => [r.dev, ...r.nexthops.map((h) => h.dev)])
    .filter((d): d is string => d !== undefined)
  return [...new Set(devs)]
}

export function parseIpRoutes(stdout: string): IpRoutes {
  const parts = splitParts(stdout)
  const v4 = requirePart(parts, 'inet')
  if (v4.exitCode !== 0) throw new ParseError(`ip -j route exited ${v4.exitCode}`)
  const v6 = parts.find((p) => p.name === 'inet6')
  const routes = [
    ...parseIpRouteJson(v4.body, 'inet'),
    ...(v6 && v6.exitCode === 0 ? parseIpRouteJson(v6.body, 'inet6') : []),
  ]
  return {routes, defaultDevs: defaultDevsOf(routes)}
}

export const ipRoute = defineGatherer<IpRoutes>({
  id: 'ip-route',
  description: 'IPv4 and IPv6 routes and the default-route interface (ip -j route)',
  command: 'ip -j route; ip -j -6 route',
  script: [partScript('inet', 'ip -j route'), partScript('inet6', 'ip -j -6 route')].join('; '),
  requires: ['ip'],
  parse: (out) => parseIpRoutes(out.stdout),
})
