import {fail, pass, warn} from '../define.js'
import {defineGaleraNodeCheck} from '../define-system.js'
import {remediation} from '../evidence.js'

const MIB = 1024 * 1024

const fmtBytes = (b: number): string =>
  b >= MIB ? `${(b / MIB).toFixed(b >= 10 * MIB ? 0 : 1)} MiB` : `${b} B`
const fmtDur = (s: number): string =>
  s >= 7200 ? `${(s / 3600).toFixed(1)} h` : s >= 120 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`

/**
 * A node that was away (maintenance, crash, partition) can catch up by IST from a donor's gcache only while
 * the gcache still holds everything written meanwhile; otherwise it needs a full SST. The gcache must hold
 * `istWindowS` of writes at the node's average write rate (replicated + received bytes over its uptime),
 * and be at least `minGcacheMiB`. The SST method is reported; mysqldump is flagged (slowest, and it
 * blocks the donor).
 */
export default defineGaleraNodeCheck({
  id: 'galera.gcache-sst',
  title: 'The Galera gcache holds the writes of an outage window (IST, not a full SST), sane SST method',
  area: 'galera',
  severity: 'warning',
  rationale:
    "A rejoining node that finds its missing writes in a donor's gcache catches up in seconds (IST). If not, it copies the whole data set (SST), and the donor is desynced or blocked meanwhile: after a failure the cluster runs a second node short for minutes or hours.",
  params: {istWindowS: 3600, minGcacheMiB: 128},
  observe: (s) => ({
    'gcache.size': s?.providerOptions['gcache.size'],
    wsrep_sst_method: s?.sstMethod,
    wsrep_replicated_bytes: s?.replicatedBytes,
    wsrep_received_bytes: s?.receivedBytes,
    Uptime: s?.uptimeS,
  }),
  judge(s, p, e) {
    const bytes = (s.replicatedBytes ?? 0) + (s.receivedBytes ?? 0)
    const rate = s.uptimeS ? bytes / s.uptimeS : undefined
    if (s.gcacheBytes === undefined) return warn('gcache.size not readable from wsrep_provider_options', e)
    const holds = rate && rate > 0 ? s.gcacheBytes / rate : Infinity
    const bad: string[] = []
    if (s.gcacheBytes < p.minGcacheMiB * MIB)
      bad.push(`gcache.size ${fmtBytes(s.gcacheBytes)} is below ${p.minGcacheMiB} MiB`)
    if (holds < p.istWindowS)
      bad.push(
        `at the average write rate (${fmtBytes(rate ?? 0)}/s over ${fmtDur(s.uptimeS ?? 0)}) the gcache holds ${fmtDur(holds)} of writes, less than ${fmtDur(p.istWindowS)}`,
      )
    const window =
      holds === Infinity ? 'no writes yet to measure a rate' : `holds ~${fmtDur(holds)} of writes`
    if (bad.length)
      return fail(`${bad.join('; ')}: a node away longer needs a full SST (${s.sstMethod ?? '?'})`, e)
    if ((s.sstMethod ?? '').startsWith('mysqldump'))
      return warn(
        `gcache ${fmtBytes(s.gcacheBytes)} (${window}), but SST method mysqldump: the slowest, and it blocks the donor`,
        e,
      )
    return pass(`gcache ${fmtBytes(s.gcacheBytes)} (${window}); SST method ${s.sstMethod ?? '?'}`, e)
  },
  remediation: remediation(
    "The gcache is too small for a node's absence to be caught up by IST: a rejoin costs a full state transfer.",
    'Size `gcache.size` in `wsrep_provider_options` (my.cnf) for the longest planned absence at the peak write rate (`wsrep_replicated_bytes` + `wsrep_received_bytes` per second), restart the nodes one at a time. Prefer `wsrep_sst_method=mariabackup` (the donor keeps serving) over rsync (donor blocked for the copy) and mysqldump.',
    [
      'https://galeracluster.com/library/documentation/state-transfer.html',
      'https://mariadb.com/kb/en/introduction-to-state-snapshot-transfers-ssts/',
    ],
  ),
})
