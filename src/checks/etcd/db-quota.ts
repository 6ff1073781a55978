import {etcd} from '../../facts/etcd.js'
import {defineNodeCheck, fail, pass, warn} from '../define.js'
import {ev, remediation} from '../evidence.js'

const GIB = 1024 ** 3
/** etcd's default --quota-backend-bytes. */
export const DEFAULT_QUOTA = 2 * GIB
/** A size for people: KiB below 1 MiB (a small quota would read `0.0 MiB`). */
const size = (b: number): string =>
  b < 1024 * 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${(b / 1024 / 1024).toFixed(1)} MiB`

/** The member's DB size stays well under its quota (past it, etcd raises NOSPACE and refuses every write). */
export default defineNodeCheck({
  id: 'etcd.db-quota',
  title: 'The etcd database is well under its space quota',
  area: 'etcd',
  severity: 'critical',
  rationale:
    "When a member's database reaches --quota-backend-bytes, etcd raises the NOSPACE alarm and the whole cluster refuses writes: Patroni can no longer renew its leader key, Kubernetes stops. Compaction and defragmentation must keep it well below.",
  params: {maxUsedFraction: 0.8},
  roles: ['etcd'],
  facts: {e: etcd},
  evaluate(facts, p, node) {
    const e = facts.e
    const mine = e.statuses.find((s) => s.memberId === e.self)
    const quota = e.quotaBackendBytes ?? DEFAULT_QUOTA
    const evidence = [
      ev(node.name, etcd, {
        dbSize: mine?.dbSize,
        quotaBackendBytes: e.quotaBackendBytes ?? `${DEFAULT_QUOTA} (default)`,
        alarms: mine?.errors,
      }),
    ]
    if (mine?.dbSize === undefined)
      return warn("the local member's status could not be read: DB size unknown", evidence)
    if (mine.errors.some((x) => /NOSPACE/i.test(x)))
      return fail(`NOSPACE alarm raised: ${mine.errors.join('; ')}`, evidence)
    const used = mine.dbSize / quota
    const msg = `DB ${size(mine.dbSize)} of quota ${size(quota)}${e.quotaBackendBytes === undefined ? ' (default)' : ''} (${(used * 100).toFixed(1)} %)`
    if (used > p.maxUsedFraction) return fail(`${msg}: above ${p.maxUsedFraction * 100} %`, evidence)
    return pass(msg, evidence)
  },
  remediation: remediation(
    'The etcd database is close to (or at) its space quota.',
    '`etcdctl compact <revision>` then `etcdctl defrag --cluster`, `etcdctl alarm disarm` once below; enable `--auto-compaction-retention`; raise `--quota-backend-bytes` (8 GiB at most is recommended).',
    ['https://etcd.io/docs/v3.4/op-guide/maintenance/#space-quota'],
  ),
})
