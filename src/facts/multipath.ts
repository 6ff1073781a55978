/**
 * multipath: multipath maps, their path groups and paths from `multipath -ll`.
 *
 * Formats handled: the current tree ("|-+- policy='service-time 0' prio=50
 * status=active" / "| `- 5:0:0:0 sdd 8:48 active ready running"), maps named
 * "alias (wwid) dm-N VENDOR,PRODUCT" or "wwid dm-N VENDOR,PRODUCT", and the
 * old bracketed form ("[size=10G][features=0][hwhandler=0]",
 * "\_ round-robin 0 [prio=1][active]", " \_ 2:0:0:0 sdb 8:16 [active][ready]").
 * Lines that are none of these (multipath.conf warnings, "HDIO_GETGEO
 * failed", device-mapper errors) are kept in `messages`. No map + a
 * device-mapper error sets `deviceMapperUnavailable`.
 *
 * A path counts as active when device-mapper has it active ("failed ready
 * running" is a path the checker sees again but dm has not reinstated yet).
 * multipath -ll exits 1 when device-mapper is unusable; that output is kept.
 */
import {defineGatherer, wholeLines} from './gatherer.js'
import {lines, toInt} from './util.js'

export interface MultipathPath {
  /** host:channel:id:lun */
  hcil: string
  dev: string
  majorMinor: string
  /** device-mapper state: active | failed | … */
  dmState: string
  /** path checker: ready | faulty | ghost | shaky | i/o pending | undef … */
  checkerState: string
  /** running | offline | … (absent in the old format) */
  onlineState?: string
}

export interface MultipathGroup {
  policy?: string
  prio?: number
  /** active | enabled | disabled */
  status?: string
  paths: MultipathPath[]
}

export interface MultipathMap {
  name: string
  wwid: string
  dm?: string
  vendor?: string
  product?: string
  size?: string
  features?: string
  hwhandler?: string
  wp?: string
  groups: MultipathGroup[]
  /** Paths device-mapper has active. */
  activePaths: number
  /** Paths whose checker says ready or ghost (usable standby). */
  readyPaths: number
  totalPaths: number
}

export interface Multipath {
  maps: MultipathMap[]
  messages: string[]
  deviceMapperUnavailable: boolean
}

/** key=value and key='quoted value' pairs. */
function kvPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/([\w-]+)=(?:'([^']*)'|(\S+))/g)) out[m[1] ?? ''] = m[2] ?? m[3] ?? ''
  return out
}

function finish(map: MultipathMap): void {
  const paths = map.groups.flatMap((g) => g.paths)
  map.totalPaths = paths.length
  map.activePaths = paths.filter((p) => p.dmState === 'active').length
  map.readyPaths = paths.filter((p) => p.checkerState === 'ready' || p.checkerState === 'ghost').length
}

export function parseMultipath(text: string): Multipath {
  const maps: MultipathMap[] = []
  const messages: string[] = []
  let map: MultipathMap | undefined
  let group: MultipathGroup | undefined
  for (const line of lines(text)) {
    if (line.trim() === '') continue
    const header =
      /^(\S+) \(([^)]+)\)\s+(dm-\d+)\s+(.*)$/.exec(line) ?? /^()(\S+)\s+(dm-\d+)\s+(.*)$/.exec(line)
    if (header && !line.includes(' | ')) {
      const [, alias = '', wwid = '', dm, vp = ''] = header
      const comma = vp.indexOf(',')
      map = {
        name: alias || wwid,
        wwid,
        dm,
        vendor: comma >= 0 ? vp.slice(0, comma).trim() : vp.trim() || undefined,
        product: comma >= 0 ? vp.slice(comma + 1).trim() : undefined,
        groups: [],
        activePaths: 0,
        readyPaths: 0,
        totalPaths: 0,
      }
      maps.push(map)
      group = undefined
      continue
    }
    if (map && /^size=/.test(line)) {
      const kv = kvPairs(line)
      Object.assign(map, {
        size: kv['size'],
        features: kv['features'],
        hwhandler: kv['hwhandler'],
        wp: kv['wp'],
      })
      continue
    }
    if (map && /^\[size=/.test(line)) {
      const kv = kvPairs(line.replace(/[[\]]/g, ' '))
      Object.assign(map, {size: kv['size'], features: kv['features'], hwhandler: kv['hwhandler']})
      continue
    }
    const pg = /^[|`]-\+-\s+(.*)$/.exec(line)
    if (map && pg) {
      const kv = kvPairs(pg[1] ?? '')
      group = {policy: kv['policy'], prio: toInt(kv['prio']), status: kv['status'], paths: []}
      map.groups.push(group)
      continue
    }
    const oldPg = /^\\_ (.*?)\s*\[prio=(\d+)\]\[(\w+)\]\s*$/.exec(line)
    if (map && oldPg) {
      group = {policy: oldPg[1], prio: toInt(oldPg[2]), status: oldPg[3], paths: []}
      map.groups.push(group)
      continue
    }
    const path = /^[| ]\s*[|`]- (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line)
    if (group && path) {
      const [, hcil = '', dev = '', majorMinor = '', dmState = '', checkerState = '', onlineState] = path
      group.paths.push({hcil, dev, majorMinor, dmState, checkerState, onlineState})
      continue
    }
    const oldPath = /^\s+\\_ (\S+)\s+(\S+)\s+(\S+)\s+\[(\w+)\]\[([^\]]+)\]/.exec(line)
    if (group && oldPath) {
      const [, hcil = '', dev = '', majorMinor = '', dmState = '', checkerState = ''] = oldPath
      group.paths.push({hcil, dev, majorMinor, dmState, checkerState})
      continue
    }
    messages.push(line)
  }
  for (const m of maps) finish(m)
  return {
    maps,
    messages,
    deviceMapperUnavailable: maps.length === 0 && messages.some((m) => /device-mapper|libdevmapper/i.test(m)),
  }
}

export const multipath = defineGatherer<Multipath>({
  id: 'multipath',
  description: 'Multipath maps, path groups and path states (multipath -ll)',
  script: 'multipath -ll',
  requires: ['multipath'],
  // 1 = device-mapper unusable (containers): the errors are the finding.
  okExitCodes: [0, 1],
  parse: (out) => {
    const parsed = parseMultipath(wholeLines(out.stdout))
    // The device-mapper complaints go to stderr on a live node.
    const errs = lines(out.stderr).filter((l) => l.trim() !== '')
    const messages = [...parsed.messages, ...errs]
    return {
      ...parsed,
      messages,
      deviceMapperUnavailable:
        parsed.maps.length === 0 && messages.some((m) => /device-mapper|libdevmapper/i.test(m)),
    }
  },
})
