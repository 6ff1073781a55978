/**
 * Where pg-write writes: the PostgreSQL server behind the VIP, from --pg-url,
 * the inventory's cluster.database or the VIP; and its password, only ever
 * from an environment variable (registered as a secret: never logged).
 */
import {InputError} from '../../../core/errors.js'
import {registerSecret} from '../../../core/secrets.js'
import type {Inventory} from '../../../core/types.js'
import type {WorkloadSpec} from '../types.js'

export interface PgTarget {
  host: string
  port: number
  database: string
  user: string
  /** Name of the environment variable holding the password (else libpq's PGPASSWORD / ~/.pgpass). */
  passwordEnv?: string
}

export interface PgWriteSpec extends WorkloadSpec {
  kind: 'pg-write'
  target: PgTarget
  ratePerS: number
  /** Whole-write timeout (connect + INSERT); the connect part is at most 1 s. */
  timeoutMs: number
  /** Leave the table after the run (for an independent read-back); hacheck then does not drop it. */
  keepTable?: boolean
}

export const DEFAULT_WRITE_TIMEOUT_MS = 2000
export const MAX_CONNECT_MS = 1000
export const DEFAULT_PG_PORT = 5432

export function describePgTarget(t: PgTarget): string {
  return `postgres://${t.user}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/${t.database}`
}

interface DatabaseSection {
  kind?: string
  host?: string
  port?: number
  name?: string
  user?: string
  passwordEnv?: string
}

/**
 * Where pg-write connects: --pg-url first, then the inventory's
 * `cluster.database` (host defaults to cluster.vip), else the VIP with the
 * defaults (port 5432, database postgres, user postgres) when nodes have the
 * `db` role. A password in the URL is refused: it would show in ps and shell
 * history; it goes in an environment variable (passwordEnv or PGPASSWORD).
 */
export function pgTargetFrom(inv: Inventory, url?: string): PgTarget {
  const db = inv.cluster.database as DatabaseSection | undefined
  if (db?.kind !== undefined && db.kind !== 'postgresql')
    throw new InputError(
      `--workload pg-write: cluster.database.kind is ${db.kind}; pg-write needs postgresql`,
    )
  const base: PgTarget = {
    host: db?.host ?? inv.cluster.vip ?? '',
    port: db?.port ?? DEFAULT_PG_PORT,
    database: db?.name ?? 'postgres',
    user: db?.user ?? 'postgres',
    ...(db?.passwordEnv ? {passwordEnv: db.passwordEnv} : {}),
  }
  if (url !== undefined) {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      throw new InputError(`--pg-url ${url}: expected postgres://USER@HOST:PORT/DATABASE`)
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
      throw new InputError(`--pg-url ${url}: expected postgres://USER@HOST:PORT/DATABASE`)
    if (u.password)
      throw new InputError(
        '--pg-url: a password in the URL would show in process lists and shell history; put it in an environment variable (cluster.database.passwordEnv names it, or PGPASSWORD)',
      )
    if (u.hostname) base.host = u.hostname.replace(/^\[|\]$/g, '')
    if (u.port) base.port = Number(u.port)
    if (u.username) base.user = decodeURIComponent(u.username)
    const path = decodeURIComponent(u.pathname.replace(/^\//, ''))
    if (path) base.database = path
    return checkTarget(base, '--pg-url')
  }
  if (!db && !inv.nodes.some((n) => n.roles.includes('db')))
    throw new InputError(
      '--workload pg-write: the inventory describes no database (no cluster.database, no node with the db role); give --pg-url postgres://USER@VIP:5432/DB (in a game day: workload: {pg-write: postgres://USER@VIP:5432/DB})',
    )
  return checkTarget(base, 'cluster.database')
}

function checkTarget(t: PgTarget, what: string): PgTarget {
  if (!t.host)
    throw new InputError(
      `--workload pg-write: no address to write to (${what}: no host, and the inventory has no cluster.vip)`,
    )
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    throw new InputError(`--workload pg-write: ${what}: port ${t.port} is not a TCP port`)
  return t
}

/** The password from the environment variable the target names (checked before anything runs). */
export function pgPassword(t: PgTarget, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!t.passwordEnv) return undefined
  const v = env[t.passwordEnv]
  if (v === undefined || v === '')
    throw new InputError(
      `--workload pg-write: the database password is read from $${t.passwordEnv} (cluster.database.passwordEnv), which is not set`,
    )
  registerSecret(v)
  return v
}
