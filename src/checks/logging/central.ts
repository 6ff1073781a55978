import {isLoopback} from '../../core/address.js'
import {ipAddr} from '../../facts/ip-addr.js'
import {journalUpload, type JournalUpload} from '../../facts/journal-upload.js'
import type {Fact} from '../../facts/gatherer.js'
import {logReach, type LogTarget} from '../../facts/log-reach.js'
import {rsyslog, type RsyslogConfig} from '../../facts/rsyslog.js'
import {syslogNg, type SyslogNgConfig} from '../../facts/syslog-ng.js'
import type {Evidence} from '../../core/results.js'
import {defineClusterCheck, fail, pass, unknown, warn, type Finding} from '../define.js'
import type {NodeSpec} from '../../core/types.js'
import {ev, remediation} from '../evidence.js'

/** Fact errors that do mean "not there" (the daemon is not installed, its file does not exist). */
const ABSENT = new Set(['not-installed', 'not-applicable'])

const local = (h: string): boolean => h === 'localhost' || isLoopback(h)

/**
 * Item 8: cluster events leave the node for a central log server (rsyslog
 * @@host:port / omfwd, syslog-ng network(), systemd-journal-upload), and that
 * server is reachable from the node. After a crash or a fence, the node's own
 * logs are exactly the ones you cannot read.
 */
export default defineClusterCheck({
  id: 'logging.central',
  title: 'Cluster events are shipped to a reachable central log server',
  area: 'logging',
  severity: 'critical',
  rationale:
    'When a node is fenced, its local logs stop at the moment that matters and are often lost. Post-mortems need the cluster timeline from a server that survived.',
  params: {},
  roles: ['cluster', 'log'],
  facts: {},
  optionalFacts: {rs: rsyslog, ng: syslogNg, ju: journalUpload, reach: logReach, ips: ipAddr},
  evaluate(nodes) {
    // Every address of the nodes with role log, so a forward to any of them (by name or address) counts.
    const logAddrs = new Set<string>()
    for (const {node, optional} of nodes) {
      if (!node.roles.includes('log')) continue
      logAddrs.add(node.host)
      logAddrs.add(node.name)
      if (optional.ips.ok)
        for (const i of optional.ips.value) for (const a of i.addresses) logAddrs.add(a.local)
    }
    const hasLogNodes = nodes.some(({node}) => node.roles.includes('log'))
    return nodes
      .filter(({node}) => node.roles.includes('cluster'))
      .map(({node, optional}) => ({...judge(node, optional, logAddrs, hasLogNodes), node: node.name}))
  },
  remediation: remediation(
    'Cluster logs are not shipped off the node, or the log server is unreachable.',
    'Forward everything over TCP (or RELP/TLS) to the central server, e.g. in /etc/rsyslog.d/90-central.conf: `*.* action(type="omfwd" target="<logserver>" port="514" protocol="tcp" queue.type="LinkedList" action.resumeRetryCount="-1")`, then restart rsyslog. Check the path with `nc -vz <logserver> 514` from every node.',
    ['rsyslog omfwd documentation', 'systemd-journal-upload(8)'],
  ),
})

type Opt = {
  rs: Fact<RsyslogConfig>
  ng: Fact<SyslogNgConfig>
  ju: Fact<JournalUpload>
  reach: Fact<LogTarget[]>
}

function judge(
  node: NodeSpec,
  {rs, ng, ju, reach}: Opt,
  logAddrs: ReadonlySet<string>,
  hasLogNodes: boolean,
): Finding {
  const targets: {via: string; host: string; port?: number; protocol: string}[] = []
  if (rs.ok)
    for (const f of rs.value.forwards)
      targets.push({
        via: `rsyslog ${f.file ?? ''}:${f.line}`,
        host: f.target,
        port: f.port,
        protocol: f.protocol,
      })
  if (ng.ok)
    for (const d of ng.value.destinations.filter((x) => x.used))
      targets.push({via: `syslog-ng ${d.name}`, host: d.host, port: d.port, protocol: d.transport ?? 'udp'})
  if (ju.ok && ju.value.url) {
    const u = /^\w+:\/\/([^/:]+)(?::(\d+))?/.exec(ju.value.url)
    if (u)
      targets.push({
        via: 'systemd-journal-upload',
        host: u[1] as string,
        port: u[2] ? Number(u[2]) : 19532,
        protocol: 'https',
      })
  }
  const remote = targets.filter((t) => !local(t.host))
  const evidence: Evidence[] = [
    ev(node.name, rsyslog, remote.length ? remote : targets, 'a forward to a remote log server'),
  ]
  if (reach.ok) evidence.push(ev(node.name, logReach, reach.value, 'every TCP target reachable'))
  if (remote.length === 0) {
    // A configuration that could not be read is "could not tell", never "no forwarding".
    const unreadable = [rs, ng, ju].filter((f) => !f.ok && !ABSENT.has(f.error.code))
    if (unreadable.length)
      return unknown(
        `cannot tell whether logs leave ${node.name}: ${unreadable.map((f) => (f.ok ? '' : f.error.message)).join('; ')}`,
        [
          ...evidence,
          ...unreadable.map((f) => ({
            node: node.name,
            source: f.source.gatherer,
            observed: f.ok ? null : {error: f.error.code, message: f.error.message},
          })),
        ],
      )
    const none = !rs.ok && !ng.ok && !ju.ok
    return fail(
      none
        ? 'no syslog daemon configuration found (rsyslog, syslog-ng, journal-upload)'
        : 'logs stay on the node: no forwarding to a remote log server',
      evidence,
    )
  }
  const probes = reach.ok ? reach.value : []
  const tcpFail = probes.filter((p) => p.reachable === false && !local(p.host))
  const tcpOk = probes.filter((p) => p.reachable === true && !local(p.host))
  if (tcpFail.length && tcpOk.length === 0)
    return fail(
      `log server ${tcpFail.map((p) => `${p.host}:${p.port}`).join(', ')} not reachable from ${node.name}`,
      evidence,
    )
  if (tcpOk.length) {
    const known =
      !hasLogNodes ||
      tcpOk.some((p) => logAddrs.has(p.host) || (p.address !== undefined && logAddrs.has(p.address)))
    const msg = `forwards to ${tcpOk.map((p) => `${p.host}:${p.port}`).join(', ')} (TCP, reachable)`
    return known
      ? pass(msg, evidence)
      : warn(`${msg}, which is not a node with role log in the inventory`, evidence)
  }
  if (remote.every((t) => t.protocol === 'udp'))
    return warn(
      `forwards over UDP to ${remote.map((t) => t.host).join(', ')}: losses are silent and reachability cannot be verified`,
      evidence,
    )
  return warn(
    `forwards to ${remote.map((t) => `${t.host} (${t.via})`).join(', ')}, reachability not verified`,
    evidence,
  )
}
