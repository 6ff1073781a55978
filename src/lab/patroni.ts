/**
 * Profile patroni at build and run time: the private directories Patroni and etcd need, readiness (one
 * Leader running and every other member a running replica, the workload's database present, clients
 * answered on 5432 by the leader) and the live variants: Patroni keeps ttl, loop_wait, retry_timeout,
 * maximum_lag_on_failover and synchronous_mode in the DCS, so `lab up --variant …` writes them with
 * `patronictl edit-config` (bootstrap.dcs in the YAML only counts at the very first start).
 */
import {chownSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError} from '../core/errors.js'
import {inNode, nodeInitPid, nodeRoot} from './nodes.js'
import {PG_PORT, PG_VERSION} from './render-db.js'
import {dcsSettings, PATRONI_LOG_DIR, patroniSetupSql} from './render-patroni.js'
import {PATRONI_CONFIG, PATRONI_SCOPE} from './patroni-topology.js'
import type {LabSpec} from './render.js'
import type {NodeDef} from './topology.js'

export const patroniNodesOf = (spec: {nodes: readonly NodeDef[]}): NodeDef[] =>
  spec.nodes.filter((n) => n.roles.includes('patroni'))

function pgIds(): {uid: number; gid: number} {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':')
    if (f[0] === 'postgres' && f[2] !== undefined && f[3] !== undefined)
      return {uid: Number(f[2]), gid: Number(f[3])}
  }
  throw new IncompleteError('lab: no user postgres (is the Debian package postgresql-15 installed?)')
}

/** Private directories: PostgreSQL's (Patroni runs initdb itself), Patroni's log, etcd's data. */
export function preparePatroniDirs(spec: LabSpec): void {
  const pg = pgIds()
  for (const n of patroniNodesOf(spec)) {
    const root = nodeRoot(spec, n.name)
    for (const d of ['var/lib/postgresql', `var/lib/postgresql/${PG_VERSION}`, PATRONI_LOG_DIR.slice(1)]) {
      mkdirSync(join(root, d), {recursive: true, mode: 0o750})
      chownSync(join(root, d), pg.uid, pg.gid)
    }
    mkdirSync(join(root, 'var/lib/etcd'), {recursive: true, mode: 0o700})
  }
}

export interface PatroniMember {
  Member: string
  Host?: string
  Role: string
  State: string
  TL?: number
  'Lag in MB'?: number | string
}

/**
 * Whether a member is where a healthy lab needs it: the running leader, or a replica running on the leader's
 * timeline. A deposed leader that accepted writes while cut off (asynchronous mode) comes back "running" with
 * no timeline (or an old one): it cannot stream without pg_rewind, which the lab does not configure, and until
 * it is re-cloned no synchronous standby can be chosen among it (pure).
 */
export function memberInStep(m: PatroniMember, leaderTl: number | undefined): boolean {
  if (m.Role === 'Leader') return m.State === 'running'
  if (!['running', 'streaming'].includes(m.State)) return false
  return leaderTl === undefined || m.TL === leaderTl
}

const leaderTlOf = (ms: readonly PatroniMember[]): number | undefined =>
  ms.find((m) => m.Role === 'Leader' && m.State === 'running')?.TL

/** `patronictl list -f json` on the first powered node. */
export async function patroniMembers(spec: LabSpec): Promise<PatroniMember[] | undefined> {
  for (const n of patroniNodesOf(spec)) {
    if (nodeInitPid(spec, n) === undefined) continue
    const r = await inNode(spec, n, ['patronictl', '-c', PATRONI_CONFIG, 'list', '-f', 'json'], {
      timeoutMs: 15_000,
    })
    if (r.exitCode !== 0) continue
    try {
      return JSON.parse(r.stdout) as PatroniMember[]
    } catch {
      continue
    }
  }
  return undefined
}

const psqlOn = (spec: LabSpec, n: NodeDef, sql: string) =>
  inNode(spec, n, ['runuser', '-u', 'postgres', '--', 'psql', '-v', 'ON_ERROR_STOP=1', '-X', '-q'], {
    input: `${sql}\n`,
    timeoutMs: 30_000,
  })

export async function patroniNotReady(
  spec: LabSpec,
  tcpOpen: (host: string, port: number) => Promise<boolean>,
): Promise<string | undefined> {
  const nodes = patroniNodesOf(spec)
  if (nodes.length === 0) return undefined
  const first = nodes.find((n) => nodeInitPid(spec, n) !== undefined)
  if (!first) return 'no Patroni node is powered on'
  const health = await inNode(spec, first, ['etcdctl', 'endpoint', 'health', '--cluster'], {
    timeoutMs: 15_000,
  })
  if (health.exitCode !== 0)
    return `etcd not healthy: ${(health.stderr || health.stdout).trim().split('\n').pop() ?? ''}`
  const members = await patroniMembers(spec)
  if (!members) return 'patronictl list not answering yet'
  const leaders = members.filter((m) => m.Role === 'Leader' && m.State === 'running')
  if (leaders.length !== 1) return `${leaders.length} running leaders`
  const tl = leaderTlOf(members)
  for (const n of nodes) {
    const m = members.find((x) => x.Member === n.name)
    if (!m) return `${n.name} is not a Patroni member yet`
    if (!memberInStep(m, tl))
      return `${n.name}: ${m.Role} ${m.State}${m.TL !== tl ? ` on timeline ${m.TL ?? 'none'} (the leader's: ${tl ?? '?'})` : ''}`
  }
  const want = dcsSettings(spec.variants).synchronous_mode
  if (want && !members.some((m) => m.Role === 'Sync Standby')) return 'no synchronous standby yet'
  const leader = nodes.find((n) => n.name === leaders[0]?.Member) as NodeDef
  for (const sql of patroniSetupSql()) {
    const r = await psqlOn(spec, leader, sql)
    if (r.exitCode !== 0) return `setting up the workload's database on ${leader.name}: ${r.stderr.trim()}`
  }
  if (!(await tcpOpen(leader.host, PG_PORT))) return `PostgreSQL on the leader ${leader.name} not answering`
  return undefined
}

/** Writes the variants' DCS settings live (idempotent: every key, every time). */
export async function applyPatroniDcs(spec: LabSpec, say: (m: string) => void): Promise<void> {
  const nodes = patroniNodesOf(spec).filter((n) => nodeInitPid(spec, n) !== undefined)
  const first = nodes[0]
  if (!first) return
  const set = Object.entries(dcsSettings(spec.variants)).flatMap(([k, v]) => ['-s', `${k}=${String(v)}`])
  say(`patronictl edit-config ${set.filter((x) => x !== '-s').join(' ')}`)
  const r = await inNode(
    spec,
    first,
    ['patronictl', '-c', PATRONI_CONFIG, 'edit-config', '--force', ...set],
    {
      timeoutMs: 30_000,
    },
  )
  if (r.exitCode !== 0)
    throw new IncompleteError(`lab: patronictl edit-config failed: ${(r.stderr || r.stdout).trim()}`)
}

/**
 * A member left behind by a failover (stopped or start failed, or running off the leader's timeline: Patroni
 * cannot stream it without pg_rewind, which the lab does not configure) is re-cloned from the leader with `patronictl reinit`, as an
 * operator would. Waits up to 30 s for members that are merely restarting.
 */
export async function repairPatroni(spec: LabSpec, say: (m: string) => void): Promise<void> {
  const nodes = patroniNodesOf(spec)
  if (nodes.length === 0) return
  const first = nodes.find((n) => nodeInitPid(spec, n) !== undefined)
  if (!first) return
  const ok = (m: PatroniMember, ms: readonly PatroniMember[]): boolean =>
    m.Role === 'Leader' || memberInStep(m, leaderTlOf(ms))
  const whole = (ms: PatroniMember[] | undefined): boolean =>
    ms !== undefined && ms.length >= nodes.length && ms.every((m) => ok(m, ms))
  let members = await patroniMembers(spec)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && !whole(members)) {
    await new Promise((r) => setTimeout(r, 1000))
    members = await patroniMembers(spec)
  }
  for (const m of (members ?? []).filter((x) => !ok(x, members ?? []))) {
    say(
      `${m.Member}: ${m.Role} ${m.State} (timeline ${m.TL ?? 'none'}): patronictl reinit (re-clone from the leader)`,
    )
    const r = await inNode(
      spec,
      first,
      ['patronictl', '-c', PATRONI_CONFIG, 'reinit', PATRONI_SCOPE, m.Member, '--force'],
      {
        timeoutMs: 120_000,
      },
    )
    if (r.exitCode !== 0)
      throw new IncompleteError(`lab: patronictl reinit ${m.Member} failed: ${(r.stderr || r.stdout).trim()}`)
  }
}
