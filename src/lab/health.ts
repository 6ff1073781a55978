/**
 * Is the lab ready? Pacemaker profiles: quorate, DC elected, every cluster node
 * online, every resource started, the VIP serving HTTP, the log server and the
 * witness listening. Web profile: TLS on both LBs, the app servers listening.
 */
import {connect as netConnect} from 'node:net'
import {connect as tlsConnect} from 'node:tls'

import {child, childrenNamed, parseXml, type XmlEl} from '../facts/xml.js'
import {dbNotReady} from './db.js'
import {galeraNotReady} from './galera.js'
import {mysqlNotReady} from './mysql.js'
import {patroniNotReady} from './patroni.js'
import {inNode} from './nodes.js'
import {PG_PORT, REP_VIP_RSC, VIP_RSC} from './render-db.js'
import type {LabSpec} from './render.js'
import {fencedNodes, workerNames} from './render-pacemaker.js'
import {clusterNodes, PROFILES, TLS_HOSTNAME, VIP, type NodeDef} from './topology.js'
import {sleep} from './exec.js'
import {webNotReady} from './web.js'

export interface ClusterSummary {
  quorate: boolean
  dc?: string
  online: string[]
  offline: string[]
  /** Primitives, including each instance of a clone and each member of a group (with `parent`). */
  resources: {id: string; role: string; node?: string; failed: boolean; parent?: string}[]
  stonithEnabled?: boolean
}

/** The lab's readiness summary of `crm_mon --output-as=xml` (read with the audit's XML reader). */
export function parseCrmMon(xml: string): ClusterSummary {
  const r = parseXml(xml, 'crm_mon')
  const result = r.name === 'pacemaker-result' ? r : undefined
  const summary = child(result, 'summary')
  const dc = child(summary, 'current_dc')?.attrs
  const nodes = childrenNamed(child(result, 'nodes'), 'node').map((n) => n.attrs)
  const stonith = child(summary, 'cluster_options')?.attrs['stonith-enabled']
  return {
    quorate: dc?.present === 'true' && dc.with_quorum === 'true',
    dc: dc?.present === 'true' ? dc.name : undefined,
    online: nodes.filter((n) => n.online === 'true').map((n) => n.name ?? ''),
    offline: nodes.filter((n) => n.online !== 'true').map((n) => n.name ?? ''),
    resources: flattenResources(child(result, 'resources')),
    stonithEnabled: stonith === undefined ? undefined : stonith === 'true',
  }
}

/** Top-level primitives, then the members of groups and the instances of clones (groups inside clones too). */
function flattenResources(top: XmlEl | undefined): ClusterSummary['resources'] {
  const out: ClusterSummary['resources'] = []
  const walk = (c: XmlEl | undefined, parent: string | undefined): void => {
    for (const res of childrenNamed(c, 'resource'))
      out.push({
        id: res.attrs.id ?? '',
        role: res.attrs.role ?? 'Unknown',
        node: child(res, 'node')?.attrs.name,
        failed: res.attrs.failed === 'true',
        ...(parent === undefined ? {} : {parent}),
      })
    for (const g of childrenNamed(c, 'group')) walk(g, parent ?? g.attrs.id)
  }
  walk(top, undefined)
  for (const c of childrenNamed(top, 'clone')) walk(c, c.attrs.id)
  return out
}

export async function clusterSummary(spec: LabSpec): Promise<ClusterSummary | undefined> {
  for (const n of clusterNodes(spec.nodes)) {
    const r = await inNode(spec, n, ['crm_mon', '-1', '--output-as=xml'], {timeoutMs: 10_000})
    if (r.exitCode !== 0 || !r.stdout.includes('<pacemaker-result')) continue
    try {
      return parseCrmMon(r.stdout)
    } catch {
      // Not well-formed (cut short by the timeout): ask the next node.
    }
  }
  return undefined
}

/** The DC controller's FSA state (S_IDLE once every transition is done). */
export async function dcIdle(spec: LabSpec, dc: string | undefined): Promise<string | undefined> {
  const node = clusterNodes(spec.nodes).find((n) => n.name === dc)
  if (!node) return undefined
  const r = await inNode(spec, node, ['crmadmin', '-S', node.name], {timeoutMs: 10_000})
  return /in state (S_[A-Z_]+)/.exec(r.stdout)?.[1]
}

export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({host, port, timeout: timeoutMs})
    const done = (ok: boolean): void => {
      s.destroy()
      resolve(ok)
    }
    s.once('connect', () => done(true))
    s.once('timeout', () => done(false))
    s.once('error', () => done(false))
  })
}

export function tlsSubject(host: string, port = 443, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tlsConnect({
      host,
      port,
      servername: TLS_HOSTNAME,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    })
    const done = (v: string | undefined): void => {
      s.destroy()
      resolve(v)
    }
    s.once('secureConnect', () => {
      const cn = s.getPeerCertificate().subject?.CN
      done(typeof cn === 'string' ? cn : undefined)
    })
    s.once('timeout', () => done(undefined))
    s.once('error', () => done(undefined))
  })
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
    await r.text()
    return r.ok
  } catch {
    return false
  }
}

/** Resources the lab configures (by id). */
export function expectedResources(spec: LabSpec): string[] {
  // Profile db: the pgsql clone's instances are judged by dbNotReady (promoted / unpromoted).
  if (PROFILES[spec.profile].db)
    return [...fencedNodes(spec).map((n) => `fence-${n.name}`), VIP_RSC, REP_VIP_RSC]
  return [...fencedNodes(spec).map((n) => `fence-${n.name}`), 'p-vip', 'p-web', ...workerNames(spec)]
}

/** One readiness check: undefined when ready, else what is still missing. */
export async function notReady(spec: LabSpec): Promise<string | undefined> {
  for (const n of spec.nodes) {
    if (!(await tcpOpen(n.host, 22))) return `sshd on ${n.name} (${n.host}) not answering`
  }
  const has = (role: string): NodeDef[] => spec.nodes.filter((n) => (n.roles as string[]).includes(role))
  for (const n of has('log'))
    if (!(await tcpOpen(n.host, 514))) return `log server ${n.name} not listening on TCP 514`
  for (const n of has('witness'))
    if (!(await tcpOpen(n.host, 5403))) return `qnetd on ${n.name} not listening`
  for (const n of has('lb')) {
    const cn = await tlsSubject(n.host)
    if (!cn) return `TLS on ${n.name}:443 not answering`
  }
  for (const n of has('app')) {
    const port = spec.variants.includes('cert-on-backend') ? 8443 : 8080
    if (!(await tcpOpen(n.host, port))) return `app server on ${n.name}:${port} not answering`
  }
  const galera = await galeraNotReady(spec, tcpOpen)
  if (galera) return galera
  const mysql = await mysqlNotReady(spec, tcpOpen)
  if (mysql) return mysql
  const patroni = await patroniNotReady(spec, tcpOpen)
  if (patroni) return patroni
  if (spec.profile === 'web') return webNotReady(spec, tlsSubject, tcpOpen)
  const cluster = clusterNodes(spec.nodes)
  if (cluster.length === 0) return undefined
  const s = await clusterSummary(spec)
  if (!s) return 'crm_mon not answering yet'
  if (!s.quorate) return 'no quorate DC yet'
  const missing = cluster.filter((n) => !s.online.includes(n.name)).map((n) => n.name)
  if (missing.length) return `nodes not online: ${missing.join(', ')}`
  for (const id of expectedResources(spec)) {
    const all = s.resources.filter((x) => x.id === id)
    const r = all.find((x) => x.role !== 'Started' || x.failed) ?? all[0]
    if (!r || r.role !== 'Started' || r.failed)
      return `resource ${id} is ${r ? r.role : 'absent'}${r?.failed ? ' (failed)' : ''}`
  }
  const dcState = await dcIdle(spec, s.dc)
  if (dcState !== 'S_IDLE') return `DC ${s.dc ?? '?'} busy (${dcState ?? 'unknown state'})`
  if (PROFILES[spec.profile].db) {
    const why = await dbNotReady(spec, s)
    if (why) return why
    if (!(await tcpOpen(VIP, PG_PORT))) return `PostgreSQL not answering on the VIP ${VIP}:${PG_PORT}`
    return undefined
  }
  if (!(await httpOk(`http://${VIP}/`))) return `VIP ${VIP} not serving HTTP`
  return undefined
}

export async function waitReady(
  spec: LabSpec,
  timeoutMs: number,
  onWait?: (why: string) => void,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs
  let last: string | undefined = 'not checked'
  while (Date.now() < deadline) {
    last = await notReady(spec)
    if (last === undefined) return undefined
    onWait?.(last)
    await sleep(500)
  }
  return last
}
