/**
 * Profiles with a Pacemaker cluster (pacemaker3, pacemaker2*, db): corosync.conf and the CIB (nodes'
 * utilization, fencing, the VIP and the web service or the PostgreSQL resources, constraints). Pure.
 */
import {nvpairs} from './cib-xml.js'
import {hasVariant as has, type LabSpec} from './lab-spec.js'
import {dbCibConstraints, dbCibResources} from './render-db.js'
import {addrOn, BMC_USER, clusterNodes, PROFILES, VIP, type NodeDef} from './topology.js'

/** Profile db (PostgreSQL + monitoring node): its resources replace the web service's. */
const isDb = (spec: LabSpec): boolean => PROFILES[spec.profile].db === true

export function corosyncConf(spec: LabSpec): string {
  const cluster = clusterNodes(spec.nodes)
  const ring0Net = has(spec, 'hb-public') ? 'public' : 'heartbeat'
  const redundant = has(spec, 'hb-redundant')
  const witness = spec.nodes.find((n) => n.roles.includes('witness'))
  const nodes = cluster
    .map((n) => {
      const lines = [`        ring0_addr: ${addrOn(n, ring0Net)}`]
      if (redundant) lines.push(`        ring1_addr: ${addrOn(n, 'management')}`)
      lines.push(`        name: ${n.name}`, `        nodeid: ${n.nodeid ?? 0}`)
      return `    node {\n${lines.join('\n')}\n    }`
    })
    .join('\n')
  const interfaces = redundant
    ? `
    interface {
        linknumber: 0
        knet_link_priority: 1
    }
    interface {
        linknumber: 1
        knet_link_priority: 0
    }`
    : ''
  let quorum = '    provider: corosync_votequorum'
  if (witness) {
    quorum += `
    device {
        votes: 1
        model: net
        net {
            host: ${witness.host}
            algorithm: ffsplit
            tls: off
        }
    }`
  } else if (cluster.length === 2) {
    quorum += '\n    two_node: 1'
  }
  return `# hacheck lab (profile ${spec.profile})
totem {
    version: 2
    cluster_name: ${spec.clusterName}
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
    token: 3000${interfaces}
}

nodelist {
${nodes}
}

quorum {
${quorum}
}

logging {
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: yes
    syslog_facility: daemon
    timestamp: on
}
`
}

export interface Capacity {
  cpu: number
  memoryMiB: number
}

/** Per-node utilization capacity (Pacemaker node utilization). */
export function nodeCapacity(spec: LabSpec): Capacity {
  return has(spec, 'capacity-short') ? {cpu: 1, memoryMiB: 256} : {cpu: 2, memoryMiB: 1024}
}

/** Resource demand: the web service plus N-1 worker resources, 1 CPU and 256 MiB each. */
export const RESOURCE_DEMAND: Capacity = {cpu: 1, memoryMiB: 256}

export function workerNames(spec: LabSpec): string[] {
  if (isDb(spec)) return []
  const n = clusterNodes(spec.nodes).length
  return Array.from({length: Math.max(0, n - 1)}, (_, i) => `p-worker${i + 1}`)
}

/** The peak load declared in the inventory (summed over the cluster). */
export function peakLoad(spec: LabSpec): {cpu: number; memory: string} {
  const n = clusterNodes(spec.nodes).length
  const resources = 1 + workerNames(spec).length
  const cpu = has(spec, 'capacity-short') ? 2 * n - 1 : resources * RESOURCE_DEMAND.cpu
  return {cpu, memory: `${resources * RESOURCE_DEMAND.memoryMiB}MiB`}
}

/** Fence devices: one fence_ipmilan per cluster node, except the last one under fence-gap. */
export function fencedNodes(spec: LabSpec): NodeDef[] {
  const cluster = clusterNodes(spec.nodes)
  return has(spec, 'fence-gap') ? cluster.slice(0, -1) : cluster
}

/** The <configuration> section of the CIB (applied in one cibadmin call, or seeded before first boot). */
export function cibConfiguration(spec: LabSpec): string {
  const cluster = clusterNodes(spec.nodes)
  const cap = nodeCapacity(spec)
  const util = (id: string, c: Capacity, indent: string): string =>
    `${indent}<utilization id="${id}-utilization">\n${nvpairs(`${id}-utilization`, {cpu: String(c.cpu), memory: String(c.memoryMiB)}, indent + '  ')}\n${indent}</utilization>`
  const props = nvpairs(
    'cib-bootstrap-options',
    {
      'stonith-enabled': has(spec, 'stonith-disabled') ? 'false' : 'true',
      'stonith-timeout': '60s',
      'no-quorum-policy': 'stop',
      'dc-deadtime': '5s',
      'placement-strategy': 'balanced',
      'cluster-name': spec.clusterName,
      'cluster-recheck-interval': '1min',
      // Every lab node shares the host's CPUs: do not throttle actions on the (host-wide) load.
      'load-threshold': '1000%',
    },
    '        ',
  )
  const nodes = cluster
    .map(
      (n) =>
        `      <node id="${n.nodeid ?? 0}" uname="${n.name}">\n${util(n.name, cap, '        ')}\n      </node>`,
    )
    .join('\n')
  const fence = fencedNodes(spec)
    .map((n) => {
      const params = nvpairs(
        `fence-${n.name}-params`,
        {
          ip: n.bmc?.addr ?? '',
          username: BMC_USER,
          password: spec.bmcPassword,
          lanplus: '1',
          cipher: '3',
          pcmk_host_list: n.name,
        },
        '          ',
      )
      return `      <primitive id="fence-${n.name}" class="stonith" type="fence_ipmilan">
        <instance_attributes id="fence-${n.name}-params">
${params}
        </instance_attributes>
        <operations>
          <op id="fence-${n.name}-monitor-60s" name="monitor" interval="60s" timeout="20s"/>
        </operations>
      </primitive>`
    })
    .join('\n')
  const op = (id: string, interval: string, timeout: string): string =>
    `          <op id="${id}-monitor-${interval}" name="monitor" interval="${interval}" timeout="${timeout}"/>`
  const vip = `      <primitive id="p-vip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="p-vip-params">
${nvpairs('p-vip-params', {ip: VIP, cidr_netmask: '24', nic: 'eth0'}, '          ')}
        </instance_attributes>
        <operations>
${op('p-vip', '10s', '20s')}
        </operations>
      </primitive>`
  const cloned = has(spec, 'service-clone')
  // service-clone: one web server per node on all addresses (no utilization: an instance never
  // moves, it only stops with its node), and the VIP alone moves between running instances.
  const webPrimitive = (indent: string): string =>
    `${indent}<primitive id="p-web" class="ocf" provider="heartbeat" type="anything">
${indent}  <instance_attributes id="p-web-params">
${nvpairs(
  'p-web-params',
  {
    binfile: '/usr/bin/python3',
    cmdline_options: cloned
      ? `${spec.labBin}/webapp.py port=80 bind=0.0.0.0`
      : `-m http.server 80 --bind ${VIP} --directory /run/hacheck-www`,
    workdir: '/run/hacheck-www',
    logfile: '/var/log/hacheck-web.log',
  },
  `${indent}    `,
)}
${indent}  </instance_attributes>
${cloned ? '' : `${util('p-web', RESOURCE_DEMAND, `${indent}  `)}\n`}${indent}  <operations>
${op('p-web', '10s', '20s').replace(/^ {10}/, `${indent}    `)}
${indent}  </operations>
${indent}</primitive>`
  const web = cloned
    ? `      <clone id="p-web-clone">
        <meta_attributes id="p-web-clone-meta">
          <nvpair id="p-web-clone-meta-interleave" name="interleave" value="true"/>
        </meta_attributes>
${webPrimitive('        ')}
      </clone>`
    : webPrimitive('      ')
  // service-clone: drains the VIP before it leaves a node (lab/drain.py: new SYNs dropped, open
  // requests finish, then the address goes).
  const drain = cloned
    ? `      <primitive id="p-drain" class="ocf" provider="heartbeat" type="anything">
        <instance_attributes id="p-drain-params">
${nvpairs('p-drain-params', {binfile: '/usr/bin/python3', cmdline_options: `${spec.labBin}/drain.py ${VIP} 80`, workdir: '/'}, '          ')}
        </instance_attributes>
        <operations>
${op('p-drain', '10s', '20s')}
        </operations>
      </primitive>`
    : ''
  // service-clone: the VIP runs only where a web server runs, and leaves a node before that
  // node's web server stops. Deliberately no "web, then VIP" start order: with one, the VIP's
  // start elsewhere waits for the clone's whole stop/start cycle (the stopping instance's
  // agent takes >= 1 s), and a planned move costs seconds instead of one address move.
  const webConstraints = cloned
    ? `      <rsc_colocation id="col-vip-with-web" rsc="p-vip" with-rsc="p-web-clone" score="INFINITY"/>
      <rsc_order id="ord-vip-stops-before-web" first="p-vip" first-action="stop" then="p-web-clone" then-action="stop" symmetrical="false" kind="Mandatory"/>
      <rsc_colocation id="col-drain-with-vip" rsc="p-drain" with-rsc="p-vip" score="INFINITY"/>
      <rsc_order id="ord-vip-then-drain" first="p-vip" then="p-drain" kind="Mandatory"/>`
    : `      <rsc_colocation id="col-web-with-vip" rsc="p-web" with-rsc="p-vip" score="INFINITY"/>
      <rsc_order id="ord-vip-then-web" first="p-vip" then="p-web" kind="Mandatory"/>`
  const workers = workerNames(spec)
    .map(
      (w) => `      <primitive id="${w}" class="ocf" provider="pacemaker" type="Dummy">
${util(w, RESOURCE_DEMAND, '        ')}
        <operations>
${op(w, '30s', '20s')}
        </operations>
      </primitive>`,
    )
    .join('\n')
  const fenceLocations = fencedNodes(spec)
    .map(
      (n) =>
        `      <rsc_location id="loc-fence-${n.name}-avoids-${n.name}" rsc="fence-${n.name}" node="${n.name}" score="-INFINITY"/>`,
    )
    .join('\n')
  return `<configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
${props}
      </cluster_property_set>
    </crm_config>
    <nodes>
${nodes}
    </nodes>
    <resources>
${(isDb(spec) ? [fence, dbCibResources(spec.nodes, spec.variants)] : [fence, vip, web, drain, workers]).filter((s) => s !== '').join('\n')}
    </resources>
    <constraints>
${isDb(spec) ? dbCibConstraints(spec.nodes) : webConstraints}
${fenceLocations}
    </constraints>
    <rsc_defaults>
      <meta_attributes id="rsc-options">
        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>
      </meta_attributes>
    </rsc_defaults>
  </configuration>`
}

/** A whole CIB, seeded into /var/lib/pacemaker/cib/cib.xml before the first boot. */
export function initialCib(spec: LabSpec): string {
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  ${cibConfiguration(spec)}
  <status/>
</cib>
`
}
