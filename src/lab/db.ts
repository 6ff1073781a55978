/**
 * Profile db on disk and at run time: the PostgreSQL data directories seeded
 * before the first boot (one initdb, copied to every db node, so the pgsql RA
 * starts both as standbys of the same cluster and promotes one), the Prometheus
 * rule files checked with promtool, readiness (one promoted and one streaming
 * standby, both VIPs on the primary) and the repair that `lab up` does to a db
 * node left behind by a failover (re-clone it from the primary with
 * pg_basebackup, as an operator does after the pgsql RA refuses to start a node
 * that still holds PGSQL.lock).
 */
import {
  appendFileSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError} from '../core/errors.js'
import {mustRun, runLocal, sleep} from './exec.js'
import {inNode, nodeInitPid, nodeRoot} from './nodes.js'
import {
  PG_BIN,
  PG_CLONE,
  PG_RA_TMPDIR,
  PG_VERSION,
  PG_RSC,
  PG_SOCKET_DIR,
  PGDATA,
  pgBootstrapSql,
  pgHba,
  pgLabConf,
  PROM_RULES_FILE,
  REP_VIP_RSC,
  repMode,
  VIP_RSC,
} from './render-db.js'
import type {LabSpec} from './render.js'
import {clusterNodes, dbNodes, REP_VIP, type NodeDef} from './topology.js'

/** Subset of health.ts's ClusterSummary that readiness needs (kept here to avoid an import cycle). */
export interface DbClusterView {
  resources: {id: string; role: string; node?: string; failed: boolean}[]
}

function ids(name: string): {uid: number; gid: number} {
  // /etc/passwd is shared by the host and every node.
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':')
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined)
      return {uid: Number(f[2]), gid: Number(f[3])}
  }
  throw new IncompleteError(`lab: no user ${name} (is the Debian package postgresql-15 installed?)`)
}

/**
 * Seeds every db node's data directory before the first boot: initdb once (as postgres, in a
 * private temporary directory on the host), the lab's settings, pg_hba.conf, the client role and
 * database (single-user mode: no server, no network), then the same copy into each db node's
 * private /var/lib/postgresql, plus the pgsql RA's tmpdir.
 */
export async function prepareDbData(spec: LabSpec): Promise<void> {
  const dbs = dbNodes(spec.nodes)
  if (dbs.length === 0) return
  const pg = ids('postgres')
  const tmp = mkdtempSync('/var/tmp/hk-pginit-')
  try {
    chownSync(tmp, pg.uid, pg.gid)
    const data = join(tmp, 'main')
    const asPg = (argv: string[], input?: string): Promise<string> =>
      mustRun('runuser', ['-u', 'postgres', '--', ...argv], {input, timeoutMs: 120_000, cwd: tmp})
    await asPg([
      `${PG_BIN}/initdb`,
      '-D',
      data,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--auth-local=peer',
      '--auth-host=reject',
      '--no-instructions',
    ])
    writeFileSync(join(data, 'hacheck-lab.conf'), pgLabConf(), {mode: 0o600})
    appendFileSync(join(data, 'postgresql.conf'), "\ninclude 'hacheck-lab.conf' # hacheck lab\n")
    writeFileSync(join(data, 'pg_hba.conf'), pgHba(), {mode: 0o600})
    for (const f of ['hacheck-lab.conf', 'pg_hba.conf']) chownSync(join(data, f), pg.uid, pg.gid)
    await asPg(
      [`${PG_BIN}/postgres`, '--single', '-D', data, '-c', 'log_min_messages=warning', 'postgres'],
      pgBootstrapSql(),
    )
    for (const n of dbs) {
      const root = nodeRoot(spec, n.name)
      const base = join(root, 'var/lib/postgresql')
      const ver = join(base, PG_VERSION)
      mkdirSync(ver, {recursive: true})
      chownSync(base, pg.uid, pg.gid)
      chownSync(ver, pg.uid, pg.gid)
      cpSync(data, join(root, PGDATA.slice(1)), {recursive: true, preserveTimestamps: true})
      await mustRun('chown', ['-R', `${pg.uid}:${pg.gid}`, join(root, PGDATA.slice(1))])
      const t = join(root, PG_RA_TMPDIR.slice(1))
      mkdirSync(t, {recursive: true, mode: 0o700})
      chownSync(t, pg.uid, pg.gid)
    }
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
}

/** `promtool check rules` on the monitoring nodes' rule files (as rendered on disk). */
export async function checkPromRules(spec: LabSpec): Promise<void> {
  for (const n of spec.nodes.filter((x) => x.roles.includes('monitor'))) {
    const file = join(nodeRoot(spec, n.name), PROM_RULES_FILE)
    const r = await runLocal('promtool', ['check', 'rules', file], {timeoutMs: 30_000})
    if (r.exitCode !== 0)
      throw new IncompleteError(
        `lab: promtool check rules ${PROM_RULES_FILE} on ${n.name} failed: ${(r.stdout + r.stderr).trim()}`,
        {
          actions: [
            'install the Debian package prometheus (it provides promtool): hacheck lab deps --install',
          ],
        },
      )
  }
}

const isPromoted = (role: string): boolean => role === 'Promoted' || role === 'Master'
const isUnpromoted = (role: string): boolean => role === 'Unpromoted' || role === 'Slave'

/** The node running the promoted pgsql instance, if exactly one does. */
export function primaryOf(s: DbClusterView): string | undefined {
  const p = s.resources.filter((r) => r.id === PG_RSC && isPromoted(r.role) && !r.failed)
  return p.length === 1 ? p[0]?.node : undefined
}

/** Runs one SQL query as postgres over the node's socket (peer), returns psql's unaligned rows. */
export async function psqlIn(
  spec: LabSpec,
  node: NodeDef,
  sql: string,
  db = 'postgres',
): Promise<{ok: boolean; rows: string[][]; error: string}> {
  const r = await inNode(
    spec,
    node,
    [
      'runuser',
      '-u',
      'postgres',
      '--',
      `${PG_BIN}/psql`,
      '-X',
      '-q',
      '-A',
      '-t',
      '-F',
      '|',
      '-h',
      PG_SOCKET_DIR,
      '-d',
      db,
      '-c',
      sql,
    ],
    {timeoutMs: 15_000},
  )
  const rows = r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'))
  return {ok: r.exitCode === 0, rows, error: (r.stderr || r.stdout).trim()}
}

/** pg_stat_replication on the primary, as application_name → {state, syncState}. */
export async function standbysOf(
  spec: LabSpec,
  primary: NodeDef,
): Promise<Map<string, {state: string; syncState: string}> | undefined> {
  const q = await psqlIn(spec, primary, 'SELECT application_name, state, sync_state FROM pg_stat_replication')
  if (!q.ok) return undefined
  return new Map(
    q.rows.map(([name, state, sync]) => [name ?? '', {state: state ?? '', syncState: sync ?? ''}]),
  )
}

/**
 * Readiness of the db tier: one promoted pgsql instance and a started standby on every other db
 * node, both VIPs on the primary, and every standby streaming in the variant's mode (sync_state
 * sync, or async under the async variant). undefined when ready.
 */
export async function dbNotReady(spec: LabSpec, s: DbClusterView): Promise<string | undefined> {
  const dbs = dbNodes(spec.nodes)
  const pg = s.resources.filter((r) => r.id === PG_RSC)
  const failed = pg.find((r) => r.failed)
  if (failed) return `pgsql failed on ${failed.node ?? '?'}`
  const primary = primaryOf(s)
  if (!primary) return 'no promoted pgsql instance yet'
  for (const n of dbs) {
    if (n.name === primary) continue
    if (!pg.some((r) => r.node === n.name && isUnpromoted(r.role)))
      return `pgsql standby not started on ${n.name}`
  }
  for (const id of [VIP_RSC, REP_VIP_RSC]) {
    const v = s.resources.find((r) => r.id === id)
    if (!v || v.role !== 'Started' || v.node !== primary)
      return `${id} is ${v ? `${v.role} on ${v.node ?? '?'}` : 'absent'}, not on the primary ${primary}`
  }
  const pnode = dbs.find((n) => n.name === primary)
  if (!pnode) return `the primary ${primary} is not a db node`
  const st = await standbysOf(spec, pnode)
  if (!st) return `cannot query pg_stat_replication on ${primary}`
  const want = repMode(spec.variants)
  for (const n of dbs) {
    if (n.name === primary) continue
    const x = st.get(n.name)
    if (!x || x.state !== 'streaming')
      return `standby ${n.name} not streaming from ${primary} (${x?.state ?? 'not connected'})`
    if (x.syncState !== want) return `standby ${n.name} is ${x.syncState}, not ${want}, yet`
  }
  return undefined
}

/** Runs a Pacemaker CLI command on a powered cluster node, the non-db one (mon1) first. */
async function crm(spec: LabSpec, argv: string[]): Promise<void> {
  const candidates = [...clusterNodes(spec.nodes)].sort(
    (a, b) => Number(a.roles.includes('db')) - Number(b.roles.includes('db')),
  )
  const node = candidates.find((n) => nodeInitPid(spec, n) !== undefined)
  if (!node) throw new IncompleteError(`lab: no cluster node is powered on to run ${argv.join(' ')}`)
  const r = await inNode(spec, node, argv, {timeoutMs: 60_000})
  if (r.exitCode !== 0)
    throw new IncompleteError(`lab: ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`)
}

/**
 * Re-clones one db node from the current primary: ban the pgsql instance there (Pacemaker stops
 * it), wait for the postmaster to be gone, replace the data directory with a pg_basebackup from
 * the replication VIP, remove the RA's PGSQL.lock, then lift the ban and clean up so the RA starts
 * it as a standby.
 */
export async function recloneStandby(spec: LabSpec, node: NodeDef, say: (m: string) => void): Promise<void> {
  say(`${node.name}: re-cloning PostgreSQL from the primary (pg_basebackup via ${REP_VIP})`)
  await crm(spec, ['crm_resource', '--ban', '--resource', PG_CLONE, '--node', node.name])
  try {
    const deadline = Date.now() + 90_000
    for (;;) {
      const r = await inNode(spec, node, [
        'sh',
        '-c',
        `test -e ${PGDATA}/postmaster.pid && kill -0 "$(head -n1 ${PGDATA}/postmaster.pid)" 2>/dev/null`,
      ])
      if (r.exitCode !== 0) break
      if (Date.now() > deadline)
        throw new IncompleteError(`lab: PostgreSQL on ${node.name} did not stop after the ban`)
      await sleep(500)
    }
    const script = [
      'set -e',
      `rm -rf ${PGDATA}`,
      `rm -f ${PG_RA_TMPDIR}/PGSQL.lock`,
      `runuser -u postgres -- ${PG_BIN}/pg_basebackup -h ${REP_VIP} -U postgres -D ${PGDATA} -X stream -c fast`,
    ].join('\n')
    const r = await inNode(spec, node, ['sh', '-c', script], {timeoutMs: 180_000})
    if (r.exitCode !== 0)
      throw new IncompleteError(`lab: pg_basebackup on ${node.name} failed: ${(r.stderr || r.stdout).trim()}`)
  } finally {
    await crm(spec, ['crm_resource', '--clear', '--resource', PG_CLONE, '--node', node.name])
    await crm(spec, ['crm_resource', '--cleanup', '--resource', PG_CLONE, '--node', node.name])
  }
}

/**
 * No primary: the node holding PGSQL.lock (preferring the one whose pgsql-data-status is LATEST,
 * i.e. the last primary) has the newest data; remove its lock and let the RA start it again, so
 * that it is promoted and the other node streams from it.
 */
async function unlockLastPrimary(spec: LabSpec, say: (m: string) => void): Promise<void> {
  const locked: {node: NodeDef; latest: boolean}[] = []
  for (const n of dbNodes(spec.nodes)) {
    const lock = await inNode(spec, n, ['test', '-e', `${PG_RA_TMPDIR}/PGSQL.lock`])
    if (lock.exitCode !== 0) continue
    const st = await inNode(spec, n, [
      'crm_attribute',
      '-l',
      'forever',
      '-N',
      n.name,
      '-n',
      `${PG_RSC}-data-status`,
      '-G',
      '-q',
    ])
    locked.push({node: n, latest: st.stdout.trim() === 'LATEST'})
  }
  const pick = locked.find((x) => x.latest) ?? (locked.length === 1 ? locked[0] : undefined)
  if (!pick) return
  say(`${pick.node.name}: no primary; removing the pgsql RA's PGSQL.lock on the last primary`)
  await inNode(spec, pick.node, ['rm', '-f', `${PG_RA_TMPDIR}/PGSQL.lock`])
  await crm(spec, ['crm_resource', '--cleanup', '--resource', PG_CLONE, '--node', pick.node.name])
}

/**
 * After a reconfiguration (or a failover left a node behind): waits for a primary, then re-clones
 * every other db node whose standby cannot stream: it holds the RA's PGSQL.lock (it was the
 * primary and was demoted or fenced), or it runs but has not streamed for 20 s (diverged timeline).
 * `summary` returns undefined while the cluster is still in a transition (a replaced CIB restarts
 * the clone asynchronously); every standby must be seen streaming twice, 3 s apart, in settled
 * states before it counts.
 */
export async function repairDb(
  spec: LabSpec,
  summary: () => Promise<DbClusterView | undefined>,
  say: (m: string) => void,
): Promise<void> {
  const dbs = dbNodes(spec.nodes)
  if (dbs.length === 0) return
  const deadline = Date.now() + 150_000
  const notStreamingSince = new Map<string, number>()
  const seenStreaming = new Map<string, number>()
  let noPrimarySince: number | undefined
  while (Date.now() < deadline) {
    const s = await summary()
    const primary = s && primaryOf(s)
    const pnode = dbs.find((n) => n.name === primary)
    if (!s || !pnode) {
      seenStreaming.clear()
      // Settled without a primary: the last primary holds PGSQL.lock and cannot start, the other
      // node is not allowed to promote (e.g. its data status was STREAMING|ASYNC when rep_mode
      // became sync). Unlock the last primary, as the RA's documentation tells operators.
      if (s) {
        noPrimarySince ??= Date.now()
        if (Date.now() - noPrimarySince > 15_000) {
          await unlockLastPrimary(spec, say)
          noPrimarySince = undefined
        }
      } else noPrimarySince = undefined
      await sleep(1000)
      continue
    }
    noPrimarySince = undefined
    const st = (await standbysOf(spec, pnode)) ?? new Map<string, {state: string; syncState: string}>()
    let pending = false
    for (const n of dbs) {
      if (n.name === primary) continue
      if (st.get(n.name)?.state === 'streaming') {
        notStreamingSince.delete(n.name)
        const first = seenStreaming.get(n.name) ?? Date.now()
        seenStreaming.set(n.name, first)
        if (Date.now() - first < 3000) pending = true
        continue
      }
      seenStreaming.delete(n.name)
      pending = true
      const lock = await inNode(spec, n, ['test', '-e', `${PG_RA_TMPDIR}/PGSQL.lock`])
      const since = notStreamingSince.get(n.name) ?? Date.now()
      notStreamingSince.set(n.name, since)
      if (lock.exitCode === 0 || Date.now() - since > 20_000) {
        await recloneStandby(spec, n, say)
        notStreamingSince.delete(n.name)
      }
    }
    if (!pending) return
    await sleep(1000)
  }
  throw new IncompleteError('lab: the PostgreSQL standby did not start streaming from the primary', {
    code: 'lab-not-ready',
  })
}
