import {patroni} from '../../facts/patroni.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {remediation} from '../evidence.js'
import {NO_RPO, rpoEvidence, rpoMs} from '../replication/common.js'
import {dcsOf, PATRONI_ROLES, patroniEvidence} from './common.js'

/**
 * RPO 0 needs Patroni's synchronous_mode with a synchronous standby in place: otherwise the leader
 * acknowledges commits a failover may lose. Any RPO above 0 passes whatever the mode.
 */
export default defineClusterCheck({
  id: 'patroni.sync-vs-rpo',
  title: 'Patroni replicates synchronously when the declared RPO is 0',
  area: 'patroni',
  severity: 'critical',
  claim: 'cluster-state',
  rationale:
    'With synchronous_mode off, the leader acknowledges a commit before any replica has it; Patroni then promotes the most advanced replica, but what it never received is lost. Only synchronous_mode (with a Sync Standby present) means a failover loses no acknowledged commit.',
  params: {},
  roles: PATRONI_ROLES,
  facts: {p: patroni},
  evaluate(nodes, _p, ctx) {
    const rpo = rpoMs(ctx.inventory)
    const read = dcsOf(nodes)
    const listed = nodes.find(({facts}) => facts.p.members)?.facts.p.members ?? []
    const sync = listed.filter((m) => m.role === 'Sync Standby').map((m) => m.name)
    const evidence = [
      rpoEvidence(rpo),
      ...(read
        ? [
            patroniEvidence(
              read.from,
              nodes.find((n) => n.node.name === read.from)?.facts.p ?? nodes[0]!.facts.p,
              {
                synchronous_mode: read.dcs.synchronousMode ?? false,
                synchronous_mode_strict: read.dcs.synchronousModeStrict ?? false,
                syncStandbys: sync,
              },
            ),
          ]
        : []),
    ]
    if (rpo === undefined) return unknown(NO_RPO, evidence)
    if (!read) return unknown('no member could read the DCS configuration (patronictl show-config)', evidence)
    if (rpo > 0)
      return pass(
        `RPO ${rpo / 1000} s: synchronous_mode ${read.dcs.synchronousMode ? 'on' : 'off'} is acceptable`,
        evidence,
      )
    if (read.dcs.synchronousMode !== true)
      return fail(
        'synchronous_mode is off while the RPO is 0: the leader acknowledges commits no replica has',
        evidence,
      )
    if (sync.length === 0)
      return fail(
        'synchronous_mode is on but no member is a Sync Standby: commits are not protected right now',
        evidence,
      )
    return pass(
      `synchronous_mode on, Sync Standby ${sync.join(', ')}${read.dcs.synchronousModeStrict ? ', strict' : ' (not strict: without a standby Patroni would commit unprotected rather than stop writes)'}`,
      evidence,
    )
  },
  remediation: remediation(
    'Patroni acknowledges commits that a failover may lose, while the declared RPO is 0.',
    '`patronictl -c /etc/patroni/config.yml edit-config -s synchronous_mode=true` (and `synchronous_mode_strict=true` if writes must stop rather than run unprotected when no standby is left); check that `patronictl list` shows a `Sync Standby`. Or declare the RPO the asynchronous setup can meet.',
    ['https://patroni.readthedocs.io/en/latest/replication_modes.html'],
  ),
})
