import {formatDuration} from '../../core/duration.js'
import {defineClusterCheck, fail, pass, warn} from '../define.js'
import {remediation} from '../evidence.js'

/** Item 6: a failover test under load passed recently (hacheck's own chaos run history). */
export default defineClusterCheck({
  id: 'failover.tested',
  title: 'Failover was tested under load recently and met the objectives',
  area: 'failover',
  severity: 'critical',
  rationale:
    'A cluster that has never been failed over under load is a theory. The test must be recent: configuration drifts, and a failover that worked last year proves little today.',
  params: {maxAgeDays: 90},
  facts: {},
  appliesTo(ctx) {
    return ctx.history !== undefined
      ? true
      : 'this capture carries no chaos history (taken by hacheck < 0.2): audit the live cluster to judge it'
  },
  evaluate(_nodes, {maxAgeDays}, ctx) {
    const runs = (ctx.history ?? []).filter((r) => r.fault !== 'netem')
    const others = ctx.historyUnmatched
      ? ` (${ctx.historyUnmatched} saved run(s) are about other clusters or carry no cluster identity, and do not count)`
      : ''
    const who = ctx.identity
      ? `cluster "${ctx.identity.name}" (${ctx.identity.members.join(', ')})`
      : 'this cluster'
    if (runs.length === 0)
      return fail(`no failover test under load on record for ${who}${others}`, [
        {
          source: 'chaos history',
          observed: {runs: 0, identity: ctx.identity?.id ?? null},
          expected: `a passing run under load within ${maxAgeDays} days`,
        },
      ])
    const cutoff = ctx.now.getTime() - (maxAgeDays as number) * 86_400_000
    const recent = runs.filter((r) => Date.parse(r.startedAt) >= cutoff)
    const evidence = recent.slice(0, 5).map((r) => ({
      source: 'chaos history',
      observed: {
        run: r.id,
        fault: r.fault,
        target: r.target,
        startedAt: r.startedAt,
        status: r.status,
        clientOutageMs: r.clientOutageMs,
        workload: r.workload,
      },
      expected: `a passing run under load within ${maxAgeDays} days`,
    }))
    if (recent.length === 0) {
      const last = runs
        .map((r) => r.startedAt)
        .sort()
        .pop()
      return fail(`the last failover test is older than ${maxAgeDays} days (${last})`, [
        {source: 'chaos history', observed: {last}, expected: `within ${maxAgeDays} days`},
      ])
    }
    const passed = recent.filter((r) => r.status === 'pass' && r.workload)
    if (passed.length === 0) {
      const failedOnes = recent.filter((r) => r.status !== 'pass')
      return failedOnes.length
        ? fail(`${failedOnes.length} recent failover test(s), none passed under load`, evidence)
        : warn(
            'recent failover tests ran without a load workload: the client-side RTO was not measured',
            evidence,
          )
    }
    const best = passed[0]
    return pass(
      `${passed.length} passing failover test(s) under load in the last ${maxAgeDays} days (latest ${best?.fault} at ${best?.startedAt}${best?.clientOutageMs !== undefined ? `, client outage ${formatDuration(best.clientOutageMs)}` : ''})`,
      evidence,
    )
  },
  remediation: remediation(
    'There is no recent evidence that failover works under load.',
    'Run a game day against the cluster with a load: e.g. `hacheck chaos link-pull -i INVENTORY --node <service node> --network heartbeat --duration 30s --load http://<vip>/ --yes`, or a game-day file with `hacheck chaos run gameday.yaml`. Repeat after every significant change and at least every {{maxAgeDays}} days.',
    ['docs/chaos.md'],
  ),
})
