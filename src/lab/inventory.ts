/**
 * The inventory.yaml `lab up` writes for hacheck (schemas/inventory.schema.json):
 * relative key and known_hosts paths, the BMC password only as an env var name.
 */
import type {LabSpec} from './render.js'
import {peakLoad} from './render-pacemaker.js'
import {DB_NAME, DB_USER, PG_PORT} from './render-db.js'
import {BMC_PASSWORD_ENV, BMC_USER, NETWORKS, PROFILES, TLS_HOSTNAME, VIP, networksOf} from './topology.js'

const q = (s: string): string => JSON.stringify(s)

export function inventoryYaml(spec: LabSpec): string {
  const pcmk = spec.nodes.some((n) => n.roles.includes('cluster'))
  const lines: string[] = [
    `# hacheck lab inventory: profile ${spec.profile}, variants: ${spec.variants.length ? spec.variants.join(', ') : 'none (healthy)'}.`,
    `# Written by \`hacheck lab up\`; the BMC password is in $${BMC_PASSWORD_ENV} (see \`hacheck lab status --json\`).`,
    'cluster:',
    `  name: ${spec.clusterName}`,
    `  stack: ${pcmk ? 'pacemaker' : 'generic'}`,
    // web: the session store is Redis (asynchronous): 10 s of sessions may be lost, bounded by min-replicas-max-lag.
    `  objectives: { rto: 30s, rpo: ${spec.profile === 'web' ? '10s' : '0s'} }`,
  ]
  if (pcmk) {
    const load = peakLoad(spec)
    lines.push(
      `  vip: ${VIP}`,
      PROFILES[spec.profile].db
        ? `  service: { url: ${q(`tcp://${VIP}:${PG_PORT}`)}, port: ${PG_PORT} }`
        : `  service: { url: ${q(`http://${VIP}/`)}, port: 80 }`,
      `  peakLoad: { cpu: ${load.cpu}, memory: ${load.memory} }`,
    )
    // The chaos pg-write workload's database (trusted from the public network: no password).
    if (PROFILES[spec.profile].db)
      lines.push(`  database: { kind: postgresql, port: ${PG_PORT}, name: ${DB_NAME}, user: ${DB_USER} }`)
  }
  if (spec.nodes.some((n) => n.roles.includes('lb'))) {
    // The LB pair's VIP (keepalived VRRP); plain HTTP on it is redirected to HTTPS by haproxy.
    if (!pcmk) lines.push(`  vip: ${VIP}`, `  service: { url: ${q(`http://${VIP}/`)}, port: 80 }`)
    lines.push(`  tls: { hostnames: [${TLS_HOSTNAME}] }`)
  }
  const nets = networksOf(spec.nodes)
    .map((n) => `${n.name}: ${NETWORKS[n.name].cidr}`)
    .join(', ')
  lines.push(`networks: { ${nets} }`)
  lines.push('ssh: { user: root, identityFile: ./id_lab, knownHosts: ./known_hosts }')
  lines.push('nodes:')
  for (const n of spec.nodes) {
    // A mysql node is a db node to hacheck: the replication checks (item 5, x.mysql) judge role db.
    const roles = n.roles.map((r) => (r === 'mysql' ? 'db' : r))
    lines.push(`  - name: ${n.name}`, `    host: ${n.host}`, `    roles: [${roles.join(', ')}]`)
    if (n.bmc) {
      lines.push(`    bmc: { host: ${n.bmc.addr}, user: ${BMC_USER}, passwordEnv: ${BMC_PASSWORD_ENV} }`)
    }
  }
  return lines.join('\n') + '\n'
}
