import {defineClusterCheck, fail, pass, skip} from '../define.js'
import {remediation} from '../evidence.js'

/**
 * Item 7: after failover the application reconnects to the new primary and
 * serves correct traffic. Evidence is a chaos run whose workload kept
 * reconnecting and verified its writes (pg-write) or its answers (http).
 */
export default defineClusterCheck({
  id: 'failover.app-reconnect',
  title: 'Clients reconnect and get correct answers after failover',
  area: 'failover',
  severity: 'critical',
  rationale:
    'A failover the cluster survives can still be an outage when clients keep stale connections, cache the old primary, or lose acknowledged writes.',
  params: {maxAgeDays: 90},
  facts: {},
  appliesTo(ctx) {
    if (ctx.history === undefined)
      return 'this capture carries no chaos history (taken by hacheck < 0.2): audit the live cluster to judge it'
    return ctx.history.length > 0
      ? true
      : 'no chaos run on record for this cluster (failover.tested fails for it): run a game day with a workload (--load URL, or --workload pg-write) to produce evidence'
  },
  evaluate(_nodes, {maxAgeDays}, ctx) {
    const cutoff = ctx.now.getTime() - (maxAgeDays as number) * 86_400_000
    const withLoad = (ctx.history ?? []).filter((r) => r.workload && Date.parse(r.startedAt) >= cutoff)
    if (withLoad.length === 0) return skip(`no chaos run with a workload in the last ${maxAgeDays} days`)
    const evidence = withLoad.slice(0, 5).map((r) => ({
      source: 'chaos history',
      observed: {
        run: r.id,
        workload: r.workload,
        status: r.status,
        lostWrites: r.lostWrites,
        clientOutageMs: r.clientOutageMs,
      },
      expected: 'clients recovered; no acknowledged write lost beyond the RPO',
    }))
    const lost = withLoad.filter((r) => (r.lostWrites ?? 0) > 0 && (r.objectives?.rpoMs ?? 0) === 0)
    if (lost.length)
      return fail(`acknowledged writes were lost in ${lost.length} run(s) although the RPO is 0`, evidence)
    const notRecovered = withLoad.filter((r) => r.clientOutageMs === undefined || r.status === 'error')
    if (notRecovered.length === withLoad.length) return fail('in no run did the clients recover', evidence)
    return pass(
      `clients recovered in ${withLoad.length - notRecovered.length} run(s) with a workload`,
      evidence,
    )
  },
  remediation: remediation(
    'There is no evidence that clients survive a failover correctly.',
    'Run a game day with a workload that reconnects and verifies: `--load http://<vip>/` for a web service, `--workload pg-write` for PostgreSQL (counts acknowledged writes lost). Fix client settings that keep stale connections (TCP keepalive, connection pool validation, DNS caching).',
    ['docs/chaos.md'],
  ),
})
