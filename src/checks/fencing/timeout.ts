import {cibadmin} from '../../facts/cibadmin.js'
import {corosyncCmapctl} from '../../facts/corosync-cmapctl.js'
import {sbdDump} from '../../facts/sbd-dump.js'
import {defineClusterCheck, fail, pass, unknown} from '../define.js'
import {authority} from '../authority.js'
import {ev, remediation} from '../evidence.js'

/**
 * Item 2: stonith-timeout coherent with the devices and SBD. A device whose
 * own timeout exceeds stonith-timeout is abandoned mid-action; with SBD the
 * cluster must wait at least msgwait (plus membership time) before assuming
 * the victim is dead: crmsh's rule is max(1.2 x msgwait, 60 s) + token + consensus.
 */
export default defineClusterCheck({
  id: 'fencing.timeout',
  title: 'stonith-timeout is coherent with the fence devices and SBD',
  area: 'fencing',
  severity: 'critical',
  rationale:
    'If stonith-timeout is shorter than what the device (or SBD msgwait) needs, fencing is declared failed while the victim may still be alive: recovery blocks, or worse, resources start twice with SBD.',
  params: {defaultStonithTimeoutMs: 60000, sbdFactor: 1.2, sbdMinimumMs: 60000},
  claim: 'cluster-state',
  facts: {cib: cibadmin, cmap: corosyncCmapctl},
  optionalFacts: {sbd: sbdDump},
  evaluate(nodes, {defaultStonithTimeoutMs, sbdFactor, sbdMinimumMs}, ctx) {
    const first = authority(nodes, ctx)
    if (!first) return unknown('no CIB')
    const {cib, cmap} = first.facts
    const stonithMs = cib.cluster.stonithTimeoutMs ?? (defaultStonithTimeoutMs as number)
    const devTimeouts = cib.stonithDevices.map((d) => {
      const t = d.params['pcmk_reboot_timeout'] ?? d.params['pcmk_off_timeout'] ?? d.meta['timeout']
      const ms = t === undefined ? undefined : parseTimeoutMs(t)
      return {id: d.id, timeout: t, ms}
    })
    // A value that is set but cannot be read is not the default: could not tell, never a pass.
    const unreadable = [
      ...(cib.cluster.stonithTimeout !== undefined && cib.cluster.stonithTimeoutMs === undefined
        ? [`stonith-timeout ${JSON.stringify(cib.cluster.stonithTimeout)}`]
        : []),
      ...devTimeouts
        .filter((d) => d.timeout !== undefined && d.ms === undefined)
        .map((d) => `${d.id} timeout ${JSON.stringify(d.timeout)}`),
    ]
    if (unreadable.length)
      return unknown(
        `cannot read ${unreadable.join(', ')} as a duration: cannot tell whether fencing has time to complete`,
        [
          ev(first.node.name, cibadmin, {
            stonithTimeout: cib.cluster.stonithTimeout ?? null,
            devices: devTimeouts,
          }),
        ],
      )
    const token = cmap.runtime.token ?? 0
    const consensus = cmap.runtime.consensus ?? 0
    const sbd = first.optional.sbd
    const msgwait = sbd?.ok
      ? Math.max(0, ...sbd.value.devices.map((d) => (d.header?.timeouts.msgwait ?? 0) * 1000))
      : 0
    const sbdNeeded = msgwait
      ? Math.max((sbdFactor as number) * msgwait, sbdMinimumMs as number) + token + consensus
      : 0
    const e = [
      ev(
        first.node.name,
        cibadmin,
        {stonithTimeoutMs: stonithMs, set: cib.cluster.stonithTimeout ?? 'default', devices: devTimeouts},
        'device timeouts <= stonith-timeout',
      ),
      ev(first.node.name, corosyncCmapctl, {token, consensus}),
    ]
    if (msgwait)
      e.push(
        ev(
          first.node.name,
          sbdDump,
          {msgwaitMs: msgwait, neededMs: sbdNeeded},
          `stonith-timeout >= ${sbdNeeded} ms`,
        ),
      )
    const problems: string[] = []
    for (const d of devTimeouts)
      if (d.ms !== undefined && d.ms > stonithMs)
        problems.push(`${d.id} may take ${d.timeout} but stonith-timeout is ${stonithMs / 1000}s`)
    if (sbdNeeded && stonithMs < sbdNeeded)
      problems.push(
        `with SBD msgwait ${msgwait / 1000}s, stonith-timeout must be >= ${Math.ceil(sbdNeeded / 1000)}s (is ${stonithMs / 1000}s)`,
      )
    if (problems.length) return fail(problems.join('; '), e)
    return pass(
      `stonith-timeout ${stonithMs / 1000}s covers ${devTimeouts.length} device(s)${msgwait ? ` and SBD msgwait ${msgwait / 1000}s` : ''}`,
      e,
    )
  },
  remediation: remediation(
    'The cluster may give up on a fence action before the device (or SBD) can complete it.',
    'Raise stonith-timeout above the slowest device and the SBD rule: `pcs property set stonith-timeout=<s>` (crmsh: `crm configure property stonith-timeout=<s>`); with SBD use max(1.2 x msgwait, 60 s) + token + consensus. Or lower pcmk_reboot_timeout on a device that is known to be fast.',
    [
      'https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/options.html (stonith-timeout)',
      'sbd(8) msgwait',
      'crmsh: crm cluster init (fencing timeout calculation)',
    ],
  ),
})

/** Pacemaker interval/timeout text: 90, 90s, 2min, 500ms, PT90S. */
export function parseTimeoutMs(t: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/i.exec(t)
  if (!m) return undefined
  const n = Number(m[1])
  const unit = (m[2] ?? 's').toLowerCase()
  const mult = unit.startsWith('ms')
    ? 1
    : unit.startsWith('s')
      ? 1000
      : unit.startsWith('m')
        ? 60_000
        : 3_600_000
  return n * mult
}
