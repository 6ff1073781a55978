/** Fence devices (the hosts each covers, its BMC address and user) and the fencing topology. */
import {dict} from '../util.js'
import {attrInt, childrenNamed, type XmlEl} from '../xml.js'
import type {CibPrimitive} from './resources.js'

export interface StonithDevice {
  id: string
  agent?: string
  type?: string
  /** pcmk_host_list split on blanks, commas and semicolons. */
  hostList?: string[]
  /** pcmk_host_map as node → port(s). */
  hostMap?: Record<string, string>
  hostCheck?: string
  hostArgument?: string
  /** Agent-specific target parameters (hostlist, hostname, plug, port, nodename). */
  agentTargets?: string[]
  /** Union of the host list, host map keys and agent targets; undefined when none is set (dynamic discovery). */
  targets?: string[]
  /** BMC / API address: ip, ipaddr or hostname-like address parameter. */
  address?: string
  username?: string
  hasPassword: boolean
  delayMax?: string
  delayBase?: string
  /** Params with secrets scrubbed. */
  params: Record<string, string>
  meta: Record<string, string>
  parents: string[]
  disabled: boolean
}

export interface FencingLevel {
  id?: string
  index?: number
  devices: string[]
  target?: string
  targetPattern?: string
  targetAttribute?: string
  targetValue?: string
}

function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined
  const items = v.split(/[\s,;]+/).filter((x) => x !== '')
  return items
}

/** pcmk_host_map "node1:1;node2:2,3" (also "=" and blanks as separators). */
export function parseHostMap(v: string): Record<string, string> {
  const map = dict<string>()
  for (const entry of v.split(/[;\s]+/)) {
    const m = /^([^:=]+)[:=](.*)$/.exec(entry)
    if (m) map[m[1] ?? ''] = m[2] ?? ''
  }
  return map
}

export function stonithDeviceOf(p: CibPrimitive): StonithDevice {
  const params = p.params
  const hostList = splitList(params['pcmk_host_list'])
  const hostMap = params['pcmk_host_map'] !== undefined ? parseHostMap(params['pcmk_host_map']) : undefined
  const agentTargets = ['hostlist', 'hostname', 'plug', 'port', 'nodename']
    .flatMap((k) => splitList(params[k]) ?? [])
    .filter((x) => x !== '')
  const union = [...(hostList ?? []), ...Object.keys(hostMap ?? {}), ...agentTargets]
  return {
    id: p.id,
    agent: p.agent,
    type: p.type,
    hostList,
    hostMap,
    hostCheck: params['pcmk_host_check'],
    hostArgument: params['pcmk_host_argument'],
    agentTargets: agentTargets.length > 0 ? agentTargets : undefined,
    targets: union.length > 0 ? [...new Set(union)] : undefined,
    address: params['ip'] ?? params['ipaddr'] ?? params['ip_address'] ?? params['hostaddr'],
    username: params['username'] ?? params['login'] ?? params['userid'] ?? params['user'],
    hasPassword: Object.entries(params).some(([k, v]) => /pass/i.test(k) && v !== ''),
    delayMax: params['pcmk_delay_max'],
    delayBase: params['pcmk_delay_base'],
    params,
    meta: p.meta,
    parents: p.parents,
    disabled: p.disabled,
  }
}

export function fencingLevelsOf(topology: XmlEl | undefined): FencingLevel[] {
  return childrenNamed(topology, 'fencing-level').map((f) => ({
    id: f.attrs['id'],
    index: attrInt(f, 'index'),
    devices: splitList(f.attrs['devices']) ?? [],
    target: f.attrs['target'],
    targetPattern: f.attrs['target-pattern'],
    targetAttribute: f.attrs['target-attribute'],
    targetValue: f.attrs['target-value'],
  }))
}
