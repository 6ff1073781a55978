/**
 * Profile galera on disk and at run time: data directories seeded before the first boot (one
 * mariadb-install-db per node, g1 marked to bootstrap the cluster), readiness (every node Synced in one
 * primary component of the full size, the workload's database and user present, port 3306 open to clients)
 * and the rolling restart a changed my.cnf needs (one node at a time, each back to Synced before the next,
 * so the cluster never loses its primary component).
 */
import {chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError} from '../core/errors.js'
import {mustRun, sleep} from './exec.js'
import {MARIADB_PORT} from './galera-topology.js'
import {inNode, nodeRoot} from './nodes.js'
import {galeraSetupSql} from './render-galera.js'
import type {LabSpec} from './render.js'
import type {NodeDef} from './topology.js'

export const galeraNodesOf = (spec: {nodes: readonly NodeDef[]}): NodeDef[] =>
  spec.nodes.filter((n) => n.roles.includes('galera'))

function mysqlIds(): {uid: number; gid: number} {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':')
    if (f[0] === 'mysql' && f[2] !== undefined && f[3] !== undefined)
      return {uid: Number(f[2]), gid: Number(f[3])}
  }
  throw new IncompleteError('lab: no user mysql (is the Debian package mariadb-server installed?)', {
    actions: ['sudo hacheck lab deps --install'],
  })
}

/**
 * Seeds every MariaDB node's /var/lib/mysql (profiles galera and mysql; system tables, root over the Unix
 * socket only): one mariadb-install-db as mysql in a private temporary directory (the lab directory is
 * root-only), copied into each node. Galera's g1 gets the bootstrap marker; the others are given the whole
 * data set by SST anyway. A mysql replica starts from the same data as its source, at its first GTID.
 */
export async function prepareMariadbData(spec: LabSpec): Promise<void> {
  const nodes = spec.nodes.filter((n) => n.roles.includes('galera') || n.roles.includes('mysql'))
  if (nodes.length === 0) return
  const my = mysqlIds()
  const tmp = mkdtempSync('/var/tmp/hk-myinit-')
  try {
    chownSync(tmp, my.uid, my.gid)
    const data = join(tmp, 'mysql')
    await mustRun(
      'mariadb-install-db',
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${data}`,
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      {timeoutMs: 120_000, cwd: tmp},
    )
    for (const n of nodes) {
      const root = nodeRoot(spec, n.name)
      const dst = join(root, 'var/lib/mysql')
      cpSync(data, dst, {recursive: true, preserveTimestamps: true})
      await mustRun('chown', ['-R', `${my.uid}:${my.gid}`, dst])
      const log = join(root, 'var/log/mysql')
      mkdirSync(log, {recursive: true})
      chownSync(log, my.uid, my.gid)
    }
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
  const first = galeraNodesOf(spec)[0]
  if (!first) return
  const marker = join(nodeRoot(spec, first.name), 'var/lib/mysql/hk-bootstrap')
  writeFileSync(marker, 'hacheck lab: this node starts the Galera cluster (--wsrep-new-cluster), once\n')
}

/** SHOW GLOBAL STATUS LIKE 'wsrep%' of one node as name → value (undefined when the server does not answer). */
export async function wsrepStatus(spec: LabSpec, node: NodeDef): Promise<Record<string, string> | undefined> {
  const r = await inNode(spec, node, ['mariadb', '-N', '-B', '-e', "SHOW GLOBAL STATUS LIKE 'wsrep%'"], {
    timeoutMs: 10_000,
  })
  if (r.exitCode !== 0) return undefined
  const out: Record<string, string> = {}
  for (const l of r.stdout.split('\n')) {
    const i = l.indexOf('\t')
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1)
  }
  return out
}

/** Why a Galera node is not a synced member of the full primary component (undefined when it is). */
export async function galeraNodeNotReady(
  spec: LabSpec,
  node: NodeDef,
  size: number,
): Promise<string | undefined> {
  const s = await wsrepStatus(spec, node)
  if (!s) return `MariaDB on ${node.name} not answering`
  if (s['wsrep_cluster_status'] !== 'Primary')
    return `${node.name}: wsrep_cluster_status ${s['wsrep_cluster_status'] ?? '?'}`
  if (s['wsrep_local_state_comment'] !== 'Synced')
    return `${node.name}: ${s['wsrep_local_state_comment'] ?? '?'}`
  if (s['wsrep_cluster_size'] !== String(size))
    return `${node.name}: cluster size ${s['wsrep_cluster_size'] ?? '?'}`
  return undefined
}

/** Readiness of profile galera (after sshd): undefined when every node is synced and clients can write. */
export async function galeraNotReady(
  spec: LabSpec,
  tcpOpen: (host: string, port: number) => Promise<boolean>,
): Promise<string | undefined> {
  const nodes = galeraNodesOf(spec)
  if (nodes.length === 0) return undefined
  for (const n of nodes) {
    const why = await galeraNodeNotReady(spec, n, nodes.length)
    if (why) return why
  }
  const setup = await inNode(spec, nodes[0] as NodeDef, ['mariadb'], {
    input: galeraSetupSql(),
    timeoutMs: 30_000,
  })
  if (setup.exitCode !== 0) return `creating the workload's database failed: ${setup.stderr.trim()}`
  for (const n of nodes)
    if (!(await tcpOpen(n.host, MARIADB_PORT))) return `${n.name}:${MARIADB_PORT} not open`
  return undefined
}

/** Restarts MariaDB on these nodes one at a time, each back to Synced before the next. */
export async function restartGalera(
  spec: LabSpec,
  nodes: readonly NodeDef[],
  say: (m: string) => void,
): Promise<void> {
  const size = galeraNodesOf(spec).length
  for (const n of nodes) {
    say(`${n.name}: restarting mariadb (rolling)`)
    const r = await inNode(spec, n, ['systemctl', 'restart', 'mariadb'], {timeoutMs: 120_000})
    if (r.exitCode !== 0)
      throw new IncompleteError(`lab: restarting mariadb on ${n.name} failed: ${r.stderr.trim()}`)
    const deadline = Date.now() + 120_000
    let why = await galeraNodeNotReady(spec, n, size)
    while (why !== undefined && Date.now() < deadline) {
      await sleep(500)
      why = await galeraNodeNotReady(spec, n, size)
    }
    if (why !== undefined)
      throw new IncompleteError(`lab: ${n.name} did not rejoin the Galera cluster: ${why}`)
  }
}
