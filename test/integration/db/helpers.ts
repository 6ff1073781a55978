/**
 * Shared by the db lab tests (audit.test.ts, failover.test.ts): who is the
 * primary, what pg_stat_replication says, and audit item 5 in short.
 */
import type {AuditRun} from '../../../src/core/results.js'
import type {SshPool} from '../../../src/transport/index.js'
import {sh, waitFor, type labRunner} from '../lab/helpers.js'

export type LabNode = Awaited<ReturnType<typeof labRunner>>['node']

/** Item 5 results by check id: the statuses, one per node or cluster-wide result. */
export const item5 = (r: AuditRun): Record<string, string[]> => {
  const out: Record<string, string[]> = {}
  for (const x of r.results.filter((y) => y.checklistRef === '5')) (out[x.id] ??= []).push(x.status)
  return out
}
/** Item 5 as text, the assertion message: what audit said when a status is not the expected one. */
export const said = (r: AuditRun): string =>
  r.results
    .filter((x) => x.checklistRef === '5')
    .map((x) => `${x.id} ${x.node ?? ''} ${x.status}: ${x.message}`)
    .join('\n')
export const messages = (r: AuditRun, id: string): string =>
  r.results
    .filter((x) => x.id === id)
    .map((x) => x.message)
    .join(' | ')

/** The node running the promoted pgsql instance, once crm_mon (asked on any node) shows exactly one. */
export async function primaryOf(runner: SshPool, node: LabNode): Promise<string> {
  return waitFor('one promoted PostgreSQL', 180_000, async () => {
    for (const via of ['mon1', 'db1', 'db2']) {
      const xml = await sh(runner, node(via), ['crm_mon', '-1', '--output-as=xml']).catch(() => '')
      const promoted = [
        ...xml.matchAll(/<resource id="pgsql"[^>]*role="Promoted"[^>]*>\s*<node name="([^"]+)"/g),
      ]
      if (promoted.length === 1) return promoted[0]?.[1]
    }
    return undefined
  })
}

/** One SQL statement with psql as the local postgres superuser on a node (unaligned, tuples only). */
export async function psql(
  runner: SshPool,
  node: Parameters<typeof sh>[1],
  sql: string,
  database = 'postgres',
): Promise<string> {
  return sh(runner, node, [
    'runuser',
    '-u',
    'postgres',
    '--',
    'psql',
    '-X',
    '-A',
    '-t',
    '-h',
    '/var/run/postgresql',
    '-d',
    database,
    '-c',
    sql,
  ])
}

/** pg_stat_replication on the primary: one row per standby. */
export async function replicationRows(
  runner: SshPool,
  node: Parameters<typeof sh>[1],
): Promise<{name: string; state: string; sync: string}[]> {
  const out = await psql(runner, node, 'SELECT application_name, state, sync_state FROM pg_stat_replication')
  return out
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [name = '', state = '', sync = ''] = l.split('|')
      return {name, state, sync}
    })
}
